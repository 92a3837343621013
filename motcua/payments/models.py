"""Money: a dossier's fee lines, the ledger of every movement, electronic receipts.

The ledger is the truth and it always balances: every movement is one `LedgerTransaction`
whose `LedgerEntry` rows sum to zero (double entry), written in one database transaction by
`motcua.payments.ledger.ledger_post`, never updated, never deleted. A `FeeLine`'s `state` is
a projection of its entries kept by the service that posts them. The dossier is referenced
by its code, not a foreign key: payments sits below dossiers in the layers (domain.md
section 5; docs/payments.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import format_vn_date, format_vn_moment
from motcua.core.models import AppendOnlyModel, AppendOnlyQuerySet


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class FeeTiming(models.TextChoices):
    BEFORE = "before", _("Thu trước")
    AFTER = "after", _("Thu sau")


class FeeLineState(models.TextChoices):
    UNPAID = "unpaid", _("Chưa thanh toán")
    PENDING = "pending", _("Đang thanh toán")
    PAID = "paid", _("Đã thanh toán")
    REFUNDED = "refunded", _("Đã hoàn tiền")
    CANCELLED = "cancelled", _("Đã hủy")
    #: Nothing to pay: the whole amount is exempt (the reason is on the line).
    EXEMPT = "exempt", _("Được miễn")


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")


class FeeLine(models.Model):
    """One fee or charge a dossier owes: the gross amount from the catalog rule (per dossier,
    per copy or per page, times `quantity`), an exemption or discount with its reason, and the
    net amount charged. Created and changed only by `motcua.payments.services`."""

    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, db_index=True)
    collecting_unit = models.ForeignKey(
        "organisation.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị thu"),
    )
    name = models.CharField(_("tên phí, lệ phí"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices)
    timing = models.CharField(_("thời điểm thu"), max_length=10, choices=FeeTiming.choices)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    unit_amount_vnd = models.PositiveBigIntegerField(_("đơn giá (đồng)"))
    gross_vnd = models.PositiveBigIntegerField(_("thành tiền (đồng)"))
    exempt_vnd = models.PositiveBigIntegerField(_("miễn, giảm (đồng)"), default=0)
    exemption_reason = models.CharField(_("lý do miễn, giảm"), max_length=300, blank=True)
    net_vnd = models.PositiveBigIntegerField(_("phải nộp (đồng)"))
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=FeeLineState.choices, default=FeeLineState.UNPAID
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    settled_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("khoản phí, lệ phí của hồ sơ")
        verbose_name_plural = _("khoản phí, lệ phí của hồ sơ")
        ordering = ["dossier_code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross_vnd__gte=models.F("exempt_vnd")),
                name="fee_line_exempt_not_above_gross",
            ),
            models.CheckConstraint(
                condition=Q(net_vnd=models.F("gross_vnd") - models.F("exempt_vnd")),
                name="fee_line_net_is_gross_minus_exempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_code}: {self.name} {self.net_vnd}"


class LedgerAccount(models.TextChoices):
    """The ledger's accounts; each entry names one with a reference (`LedgerEntry.reference`)."""

    #: What an applicant owes on a dossier (reference: the dossier code); below zero, what
    #: the state owes the applicant (a refund due).
    RECEIVABLE = "receivable", _("Phải thu của người nộp")
    #: Fees and charges earned by a collecting unit (reference: the unit code); credit.
    REVENUE = "revenue", _("Thu phí, lệ phí")
    #: Cash and transfers held by a collecting unit (reference: the unit code).
    CASH = "cash", _("Tiền mặt, chuyển khoản tại đơn vị")
    #: Money a payment gateway collected and owes the unit (reference: the gateway name).
    GATEWAY = "gateway", _("Tiền qua cổng thanh toán")


class LedgerMovement(models.TextChoices):
    CHARGE = "charge", _("Ghi nhận khoản phải nộp")
    CANCEL = "cancel", _("Hủy khoản phải nộp")
    PAYMENT = "payment", _("Thanh toán")
    REFUND = "refund", _("Hoàn tiền")


class LedgerTransactionQuerySet(AppendOnlyQuerySet["LedgerTransaction"]):
    pass


class LedgerTransaction(AppendOnlyModel):
    """One movement of money: its entries sum to zero."""

    movement = models.CharField(_("nghiệp vụ"), max_length=12, choices=LedgerMovement.choices)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, db_index=True)
    method = models.CharField(
        _("hình thức"), max_length=10, choices=PaymentMethod.choices, blank=True
    )
    #: The gateway's or the officer's reference of the payment (a transaction number).
    reference = models.CharField(_("số tham chiếu"), max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    memo = models.CharField(_("diễn giải"), max_length=300, blank=True)
    #: When motcua recorded the movement (a gateway payment: when the callback confirmed it).
    at = models.DateTimeField(_("thời điểm"))
    #: When the money moved: for a gateway payment the bank's pay time from the callback
    #: (`vnp_PayDate`), which may be before midnight for a payment confirmed after it; for
    #: the counter and everything else, when the officer or motcua recorded it (= `at`).
    #: Reconciliation takes a day's movements by this time, as the bank's statement does.
    paid_at = models.DateTimeField(
        _("thời điểm trả tiền"),
        db_index=True,
        help_text=_("Giờ ngân hàng ghi nhận giao dịch (cổng thanh toán) hoặc giờ cán bộ ghi nhận."),
    )

    objects = LedgerTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("nghiệp vụ sổ thu")
        verbose_name_plural = _("nghiệp vụ sổ thu")
        ordering = ["at", "pk"]
        constraints = [
            # A gateway's or officer's payment reference counts once: the same callback ten
            # times is one payment (the service answers the first one again).
            models.UniqueConstraint(
                fields=["method", "reference"],
                condition=Q(movement="payment") & ~Q(reference=""),
                name="uniq_payment_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.movement} {self.dossier_code} {format_vn_date(self.at)}"


class LedgerEntryQuerySet(AppendOnlyQuerySet["LedgerEntry"]):
    pass


class LedgerEntry(AppendOnlyModel):
    """One side of a movement: `amount_vnd` is signed (debit above zero, credit below)."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.CharField(_("tài khoản"), max_length=12, choices=LedgerAccount.choices)
    reference = models.CharField(_("đối tượng"), max_length=40)
    fee_line = models.ForeignKey(
        FeeLine, on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    amount_vnd = models.BigIntegerField(_("số tiền (đồng)"))

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("bút toán")
        verbose_name_plural = _("bút toán")
        indexes = [models.Index(fields=["account", "reference"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_vnd=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}:{self.reference} {self.amount_vnd:+d}"


class ReceiptSeries(models.Model):
    """A collecting unit's series of electronic receipts for one year (Decree 123/2020 as
    amended by Decree 70/2025): the form symbol, the series (letters and the two-digit year)
    and the last number issued. Numbers start at 1 on 1 January (a new year is a new row),
    have at most 7 digits and are taken by one upsert in the transaction that writes the
    receipt, so they are unique and gap-free: a rolled-back receipt gives its number back."""

    unit = models.ForeignKey(
        "organisation.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    form_symbol = models.CharField(_("ký hiệu mẫu biên lai"), max_length=20)
    letters = models.CharField(_("chữ cái của ký hiệu"), max_length=6)
    #: The series as printed: the letters and the two-digit year (`BL26`).
    series = models.CharField(_("ký hiệu biên lai"), max_length=12)
    collector_name = models.CharField(_("tên đơn vị thu"), max_length=200)
    collector_tax_code = models.CharField(_("mã số thuế đơn vị thu"), max_length=14)
    last = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)

    class Meta:
        verbose_name = _("ký hiệu biên lai điện tử")
        verbose_name_plural = _("ký hiệu biên lai điện tử")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="uniq_receipt_series_unit_year"),
            models.CheckConstraint(
                condition=Q(last__lte=9_999_999), name="receipt_number_7_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_symbol} {self.series}"

    @property
    def available(self) -> int:
        """Numbers left this year."""
        return 9_999_999 - self.last


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("Đã lập")
    CANCELLED = "cancelled", _("Đã hủy")


class Receipt(models.Model):
    """An electronic receipt of fees and charges. Its number is never reused: a wrong receipt
    is cancelled with a reason and replaced by a new one with a new number
    (`motcua.payments.receipts`)."""

    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField(_("số biên lai"))
    issued_at = models.DateTimeField(_("ngày lập"))
    collector_name = models.CharField(_("đơn vị thu"), max_length=200)
    collector_tax_code = models.CharField(_("mã số thuế đơn vị thu"), max_length=14)
    payer_name = models.CharField(_("người nộp"), max_length=200)
    payer_id_number = models.CharField(_("số định danh / mã số thuế"), max_length=20, blank=True)
    payer_address = models.CharField(_("địa chỉ người nộp"), max_length=300, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, db_index=True)
    #: [{"name": ..., "quantity": n, "unit_amount_vnd": n, "amount_vnd": n}, ...]
    items = models.JSONField(_("các khoản thu"))
    amount_vnd = models.PositiveBigIntegerField(_("tổng số tiền (đồng)"))
    amount_in_words = models.CharField(_("số tiền viết bằng chữ"), max_length=400)
    method = models.CharField(
        _("hình thức thanh toán"), max_length=10, choices=PaymentMethod.choices
    )
    payment = models.OneToOneField(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="receipt",
        null=True,
        blank=True,
        verbose_name=_("nghiệp vụ thanh toán"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED
    )
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="replaced_by",
        null=True,
        blank=True,
        verbose_name=_("thay thế biên lai"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    #: The code of its signed PDF at `/verify/<code>` (`motcua.documents.issued`), printed on
    #: it; empty until signed (`motcua.dossiers.services.receipts`).
    verify_code = models.CharField(_("mã tra cứu"), max_length=8, blank=True, db_index=True)

    class Meta:
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        ordering = ["series_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="uniq_receipt_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=9_999_999), name="receipt_number_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number_text}"

    @property
    def number_text(self) -> str:
        """The number as printed: seven digits, zero-padded."""
        return f"{self.number:07d}"


class PaymentOrderStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ thanh toán")
    SUCCEEDED = "succeeded", _("Thanh toán thành công")
    FAILED = "failed", _("Thanh toán không thành công")
    CANCELLED = "cancelled", _("Đã hủy")


class PaymentOrder(models.Model):
    """One attempt to pay fee lines online: what was asked of the gateway (reference, amount,
    lines) and how it ended. The ledger moves only when a verified callback confirms it."""

    order_ref = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, db_index=True)
    gateway = models.CharField(_("cổng thanh toán"), max_length=20)
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    currency = models.CharField(_("loại tiền"), max_length=3, default="VND")
    lines = models.ManyToManyField(FeeLine, related_name="orders", verbose_name=_("các khoản"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=PaymentOrderStatus.choices,
        default=PaymentOrderStatus.PENDING,
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    return_url = models.CharField(_("trang quay về"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    completed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    gateway_reference = models.CharField(_("mã giao dịch của cổng"), max_length=100, blank=True)
    status_code = models.CharField(_("mã kết quả của cổng"), max_length=20, blank=True)
    payment = models.OneToOneField(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="order",
        null=True,
        blank=True,
        verbose_name=_("nghiệp vụ thanh toán"),
    )

    class Meta:
        verbose_name = _("giao dịch thanh toán trực tuyến")
        verbose_name_plural = _("giao dịch thanh toán trực tuyến")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.order_ref


class PaymentCallbackQuerySet(AppendOnlyQuerySet["PaymentCallback"]):
    pass


class PaymentCallback(AppendOnlyModel):
    """Every callback a gateway sent, believed or not, and what motcua did with it: the
    record that nothing was lost (and the evidence in a dispute). No secrets are kept: the
    signature is stored, the merchant secret never."""

    gateway = models.CharField(_("cổng thanh toán"), max_length=20)
    order_ref = models.CharField(_("mã giao dịch"), max_length=40, blank=True, db_index=True)
    received_at = models.DateTimeField(_("nhận lúc"))
    fields = models.JSONField(_("nội dung"))
    verified = models.BooleanField(_("chữ ký hợp lệ"))
    outcome = models.CharField(_("kết quả xử lý"), max_length=30)

    objects = PaymentCallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.order_ref} {self.outcome}"


class ReconciliationRun(models.Model):
    """One check of a gateway's statement file for one day (Asia/Ho_Chi_Minh) against what
    motcua recorded (`motcua.payments.reconcile.payments_reconcile`). It only reports: no
    money moves. The same file checked again with the same result is this run again; a
    different result (motcua's records changed since) is a new run that supersedes it."""

    gateway = models.CharField(_("cổng thanh toán"), max_length=20)
    day = models.DateField(_("ngày đối soát"))
    file_sha256 = models.CharField(_("mã băm SHA-256 của tệp sao kê"), max_length=64)
    #: The fingerprint of the outcome (totals and differences): same file, same result.
    result_sha256 = models.CharField(_("mã băm kết quả"), max_length=64)
    statement_count = models.PositiveIntegerField(_("số dòng sao kê"))
    statement_paid_vnd = models.BigIntegerField(_("sao kê: tổng đã thu (đồng)"))
    statement_refunded_vnd = models.BigIntegerField(_("sao kê: tổng đã hoàn (đồng)"))
    motcua_count = models.PositiveIntegerField(_("số giao dịch trong hệ thống"))
    motcua_paid_vnd = models.BigIntegerField(_("hệ thống: tổng đã thu (đồng)"))
    motcua_refunded_vnd = models.BigIntegerField(_("hệ thống: tổng đã hoàn (đồng)"))
    matched_count = models.PositiveIntegerField(_("số giao dịch khớp"))
    matched_vnd = models.BigIntegerField(_("số tiền khớp (đồng)"))
    differences_count = models.PositiveIntegerField(_("số chênh lệch"))
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
        verbose_name=_("thay thế lần đối soát"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("người đối soát"),
    )
    created_at = models.DateTimeField(_("đối soát lúc"))

    class Meta:
        verbose_name = _("lần đối soát với cổng thanh toán")
        verbose_name_plural = _("các lần đối soát với cổng thanh toán")
        ordering = ["-day", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "day", "file_sha256", "result_sha256"],
                name="uniq_reconciliation_file_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.day:%d/%m/%Y}"

    @property
    def is_clean(self) -> bool:
        return self.differences_count == 0


class DifferenceKind(models.TextChoices):
    MISSING_IN_MOTCUA = "missing_in_motcua", _("Ngân hàng đã thu, hệ thống chưa ghi nhận")
    MISSING_IN_STATEMENT = "missing_in_statement", _("Hệ thống đã ghi nhận, sao kê không có")
    AMOUNT_MISMATCH = "amount_mismatch", _("Lệch số tiền")
    STATUS_MISMATCH = "status_mismatch", _("Lệch trạng thái")
    DUPLICATE_IN_STATEMENT = "duplicate_in_statement", _("Trùng trong sao kê")
    UNKNOWN_ORDER = "unknown_order", _("Không phải giao dịch của hệ thống")


#: Why a reconciliation difference is what it is: a stable code (`note_code`, in the API and
#: the command's JSON) with the text in the active language, filled at display time from the
#: stored `note_params` (instants as ISO 8601, order states as their code).
DIFFERENCE_NOTES: dict[str, Any] = {
    "other_gateway": _("Giao dịch của cổng %(gateway)s"),
    "no_such_order": _("Không có giao dịch này trong hệ thống"),
    "duplicate_line": _("Giao dịch đã có ở dòng trước của sao kê"),
    "currency": _("Loại tiền %(currency)s"),
    "order_status": _("Giao dịch đang ở trạng thái %(status)s"),
    "paid_other_day": _("Hệ thống ghi nhận thanh toán ngày khác (%(paid_at)s)"),
    "recorded_at": _("Hệ thống ghi nhận lúc %(at)s"),
    "bank_failed": _("Ngân hàng báo giao dịch không thành công"),
    "refund_day_total": _("Tổng số tiền hoàn trong ngày"),
    "refund_bank_only": _("Ngân hàng đã hoàn tiền, hệ thống chưa ghi nhận hoàn"),
    "refund_motcua_only": _("Hệ thống đã ghi hoàn tiền, sao kê chưa có giao dịch hoàn"),
    #: A note of a run kept before the codes (migration 0008 found no code for its text).
    "text": "%(text)s",
}


def difference_note_text(code: str, params: dict[str, Any]) -> str:
    """A difference's note in the active language (empty without a code)."""
    if not code:
        return ""
    values = dict(params)
    for name in ("paid_at", "at"):
        if name in values:
            values[name] = format_vn_moment(dt.datetime.fromisoformat(values[name]))
    if "status" in values:
        labels = dict(PaymentOrderStatus.choices)
        values["status"] = str(labels.get(values["status"], values["status"]))
    return str(DIFFERENCE_NOTES[code]) % values


class ReconciliationDifference(models.Model):
    """One difference a reconciliation run found, with both sides' amounts and states and why
    (`note_code` and its `note_params`; `note` is its text in the active language)."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField(_("loại chênh lệch"), max_length=24, choices=DifferenceKind.choices)
    order = models.ForeignKey(
        PaymentOrder,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("giao dịch thanh toán trực tuyến"),
    )
    #: The order reference as the statement or motcua gives it.
    reference = models.CharField(_("mã giao dịch"), max_length=40)
    gateway_reference = models.CharField(_("mã giao dịch của cổng"), max_length=100, blank=True)
    statement_amount_vnd = models.BigIntegerField(_("số tiền theo sao kê"), null=True, blank=True)
    motcua_amount_vnd = models.BigIntegerField(_("số tiền theo hệ thống"), null=True, blank=True)
    statement_status = models.CharField(_("trạng thái theo sao kê"), max_length=12, blank=True)
    motcua_status = models.CharField(_("trạng thái theo hệ thống"), max_length=12, blank=True)
    #: The statement's line number (the header is 1), when the difference comes from a line.
    row = models.PositiveIntegerField(_("dòng"), null=True, blank=True)
    #: A code of DIFFERENCE_NOTES (empty: nothing to add to the kind).
    note_code = models.CharField(_("mã ghi chú"), max_length=24, blank=True)
    note_params = models.JSONField(_("tham số ghi chú"), default=dict, blank=True)

    class Meta:
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")
        ordering = ["run_id", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"

    @property
    def note(self) -> str:
        """The note in the active language."""
        return difference_note_text(self.note_code, self.note_params)
