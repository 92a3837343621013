"""Signed electronic receipts of a dossier's payments (Decree 123/2020 as amended by Decree
70/2025; docs/payments.md, "Electronic receipts").

`motcua.payments.receipts` numbers and writes a receipt; the documents app signs and gives
codes. Both sit below this layer, which joins them: `dossier_receipt_issue` takes the next
number, lays the receipt out as a PDF that prints its verification code and QR code, signs it
with the collecting unit's key, stores it and registers it for `/verify/<code>`, all in one
transaction: a failed signature leaves no number taken and no receipt (the bytes already
stored are deleted). A payment path calls it inside a savepoint after the money moved
(`dossier_payment_receipt`): the payment stands even when the receipt cannot be made now, and
`dossier_receipts_issue_missing` (the beat job, `manage.py receipts_issue_missing`) makes it
later with the next number.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from django.db import connection, transaction

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.inserts import column_sql, table_sql
from motcua.core.outbox import outbox_enqueue
from motcua.documents.issued import (
    document_issue,
    document_revoke,
    issued_document_get,
    verify_code_display,
    verify_code_generate,
    verify_url,
)
from motcua.documents.models import IssuedDocumentKind
from motcua.documents.pdf import Block, Column, Table, text_pdf_pages, text_pdf_signed
from motcua.documents.services import file_store_pdf, stored_bytes_delete
from motcua.documents.signing.registry import signer_for_unit
from motcua.payments.models import (
    LedgerMovement,
    LedgerTransaction,
    PaymentMethod,
    Receipt,
    ReceiptStatus,
)
from motcua.payments.receipts import receipt_cancel, receipt_issue
from motcua.payments.words import vnd_figures

from ..models import Dossier

logger = logging.getLogger(__name__)

TITLE = "BIÊN LAI THU PHÍ, LỆ PHÍ"
REASON = "Lập biên lai điện tử thu phí, lệ phí"
METHODS = {
    PaymentMethod.ONLINE: "Thanh toán trực tuyến",
    PaymentMethod.CASH: "Tiền mặt",
    PaymentMethod.TRANSFER: "Chuyển khoản",
}


def receipt_number_display(receipt: Receipt) -> str:
    """The receipt as people quote it: its series and its seven-digit number
    (`HK26-0000001`); the form symbol is printed beside it."""
    return f"{receipt.series.series}-{receipt.number_text}"


def _vnd(amount: int) -> str:
    return vnd_figures(amount)


#: The items table's columns: 451 points, the A4 text width (`motcua.documents.pdf`).
ITEM_COLUMNS = (
    Column("STT", 30, "centre"),
    Column("Tên khoản thu", 181),
    Column("Số lượng", 50, "right"),
    Column("Đơn giá (đồng)", 85, "right"),
    Column("Thành tiền (đồng)", 105, "right"),
)


def _items_table(receipt: Receipt) -> Table:
    """No., item, quantity, unit price, amount (in đồng, as the headings say); an exemption
    beside the item's name; the total as the last row."""
    rows = []
    for index, item in enumerate(receipt.items, start=1):
        name = str(item["name"])
        if int(item.get("exempt_vnd") or 0):
            name += f" (miễn, giảm {_vnd(int(item['exempt_vnd']))})"
        rows.append(
            [
                str(index),
                name,
                str(item["quantity"]),
                _vnd(int(item["unit_amount_vnd"])),
                _vnd(int(item["amount_vnd"])),
            ]
        )
    return Table(
        columns=ITEM_COLUMNS,
        rows=rows,
        footer=[["", "Tổng số tiền", "", "", _vnd(receipt.amount_vnd)]],
    )


def receipt_pdf_render(*, receipt: Receipt, code: str) -> bytes:
    """The receipt's PDF (Vietnamese, the language of record): what Decree 123/2020 asks a
    receipt to show, with its verification code and QR code, unsigned (`_sign` signs it as
    it writes it)."""
    return text_pdf_pages(**_receipt_layout(receipt=receipt, code=code))[0]


def _receipt_layout(*, receipt: Receipt, code: str) -> dict[str, Any]:
    """The receipt's blocks, QR code and caption: the one place its layout is decided."""
    series = receipt.series
    blocks: list[Block | Table] = [
        Block(receipt.collector_name.upper(), size=10),
        Block(f"Mã số thuế: {receipt.collector_tax_code}", size=10, space_before=0),
        Block(TITLE, size=14, centred=True, space_before=18),
        Block(
            f"Mẫu số: {series.form_symbol}   Ký hiệu: {series.series}   Số: {receipt.number_text}",
            size=10,
            centred=True,
            space_before=4,
        ),
        Block(f"Ngày {local(receipt.issued_at).strftime('%d/%m/%Y')}", centred=True, size=10),
    ]
    if receipt.replaces_id is not None:
        replaced = receipt.replaces
        assert replaced is not None
        blocks.append(
            Block(
                f"(Thay thế biên lai ký hiệu {replaced.series.series} số {replaced.number_text})",
                size=9,
                centred=True,
                space_before=2,
            )
        )
    facts = [("Người nộp", receipt.payer_name)]
    if receipt.payer_id_number:
        facts.append(("Số định danh / mã số thuế", receipt.payer_id_number))
    if receipt.payer_address:
        facts.append(("Địa chỉ", receipt.payer_address))
    facts += [
        ("Mã hồ sơ", receipt.dossier_code),
        ("Hình thức thanh toán", METHODS.get(PaymentMethod(receipt.method), receipt.method)),
    ]
    first = True
    for label, value in facts:
        blocks.append(Block(f"{label}: {value}", space_before=14 if first else 4))
        first = False
    blocks += [
        Block("Các khoản thu:", space_before=12),
        _items_table(receipt),
        Block(f"Số tiền viết bằng chữ: {receipt.amount_in_words}", space_before=8),
        Block(
            f"Mã tra cứu: {verify_code_display(code)}. Kiểm tra biên lai này tại "
            f"{verify_url(code)} (không cần đăng nhập).",
            size=9,
            space_before=18,
        ),
    ]
    return {
        "blocks": blocks,
        "qr_data": verify_url(code),
        "qr_caption": f"Mã: {verify_code_display(code)}",
    }


def _sign(
    *,
    receipt: Receipt,
    actor: User | None,
    now: dt.datetime,
    saved: list[str],
    code: str | None = None,
    state: tuple[int, int] | None = None,
) -> None:
    """Lay out, sign, store and register `receipt` (inside its transaction), and announce it.
    `code` is the verification code the receipt was written with; without it one is drawn
    and saved. `state` is the dossier's status and version when the caller read them."""
    unit = receipt.series.unit
    drawn = code or verify_code_generate()
    signed, pages = text_pdf_signed(
        **_receipt_layout(receipt=receipt, code=drawn),
        signer=signer_for_unit(unit.code),
        unit_name=unit.name,
        signer_name=receipt.collector_name,
        reason=REASON,
        now=now,
    )
    number = receipt_number_display(receipt)
    stored = file_store_pdf(
        actor=actor, data=signed, name=f"bien-lai-{number}.pdf", now=now, pages=pages
    )
    saved.append(stored.storage_name)
    document_issue(
        kind=IssuedDocumentKind.RECEIPT,
        file=stored,
        unit=unit,
        title=f"Biên lai thu phí, lệ phí {number}: {_vnd(receipt.amount_vnd)} đồng",
        now=now,
        issued_by=actor,
        reference=number,
        dossier_code=receipt.dossier_code,
        subject_name=receipt.payer_name,
        subject_is_person=len("".join(c for c in receipt.payer_id_number if c.isdigit()))
        not in (10, 13),
        code=drawn,
    )
    if code is None:
        receipt.verify_code = drawn
        receipt.save(update_fields=["verify_code"])
    _announce(receipt=receipt, number=number, code=drawn, now=now, state=state)


def _announce(
    *,
    receipt: Receipt,
    number: str,
    code: str,
    now: dt.datetime,
    state: tuple[int, int] | None = None,
) -> None:
    """The receipt in the outbox, in its transaction: `dossier.issue_receipt` (the applicant
    is told the money arrived, with the receipt's number and address: notification
    `payment_received`), or `dossier.replace_receipt` for the replacement of a cancelled one
    (`receipt_replaced`, naming the receipt it replaces). No personal data: the dossier's
    code, the receipts' numbers, the amount and the verification code."""
    facts: dict[str, Any] = {
        "receipt": number,
        "amount_vnd": receipt.amount_vnd,
        "verify_code": code,
        "verify_url": verify_url(code),
    }
    if receipt.replaces is not None:
        facts["replaces"] = receipt_number_display(receipt.replaces)
    _receipt_message(
        action="issue_receipt" if receipt.replaces is None else "replace_receipt",
        receipt=receipt,
        facts=facts,
        now=now,
        state=state,
    )


def _receipt_message(
    *,
    action: str,
    receipt: Receipt,
    facts: dict[str, Any],
    now: dt.datetime,
    state: tuple[int, int] | None = None,
) -> None:
    """`dossier.<action>` of `receipt` in the outbox, shaped as every `dossier.*` message
    (the dossier's code, status and version, the action) with the receipt's `facts`."""
    status, version = state or _dossier_state(receipt.dossier_code)
    payload = {
        "code": receipt.dossier_code,
        "status": status,
        "action": action,
        "version": version,
        **facts,
    }
    outbox_enqueue(topic=f"dossier.{action}", payload=payload, now=now)


@functools.cache
def _dossier_state_sql(vendor: str) -> str:
    return (
        f"SELECT {column_sql(Dossier, 'status')}, {column_sql(Dossier, 'version')} "  # noqa: S608
        f"FROM {table_sql(Dossier)} WHERE {column_sql(Dossier, 'code')} = %s"
    )


def _dossier_state(dossier_code: str) -> tuple[int, int]:
    """The dossier's status and version, as every `dossier.*` message carries them."""
    with connection.cursor() as cursor:
        cursor.execute(_dossier_state_sql(connection.vendor), [dossier_code])
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"no dossier {dossier_code}")
    return int(row[0]), int(row[1])


@functools.cache
def _payer_sql(vendor: str) -> str:
    """(Built once per process and database kind: see `payments.receipts`.)"""
    columns = ", ".join(
        column_sql(Dossier, name)
        for name in (
            "applicant_name",
            "applicant_id_number",
            "applicant_address",
            "status",
            "version",
        )
    )
    return (
        f"SELECT {columns} FROM {table_sql(Dossier)} "  # noqa: S608
        f"WHERE {column_sql(Dossier, 'code')} = %s"
    )


def _payer(dossier_code: str) -> tuple[dict[str, str], tuple[int, int]]:
    """The dossier's applicant as the receipt's payer, and the dossier's status and version
    (the receipt's outbox message carries them): by the unique code, in one written
    statement (the ORM's compiling of it cost more CPU than the query; docs/payments.md,
    "Speed")."""
    with connection.cursor() as cursor:
        cursor.execute(_payer_sql(connection.vendor), [dossier_code])
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"no dossier {dossier_code}")
    name, id_number, address, status, version = row
    payer = {"payer_name": name, "payer_id_number": id_number, "payer_address": address}
    return payer, (int(status), int(version))


def dossier_receipt_issue(
    *, payment: LedgerTransaction, now: dt.datetime, actor: User | None = None
) -> Receipt:
    """The signed receipt of `payment` (one per payment: again answers the one made). The
    payer is the dossier's applicant. `receipt_issue` looks for the payment's receipt first
    (in this transaction): one made already is locked and answered, signed if it was not."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            # drawn first: a new receipt is written with it (it is printed on its PDF)
            code = verify_code_generate()
            payer, state = _payer(payment.dossier_code)
            receipt = receipt_issue(
                payment=payment, actor=actor, now=now, verify_code=code, **payer
            )
            if receipt.verify_code == code:
                # written just now in this transaction, with its series and unit: no other
                # transaction sees it until this one commits, so nothing to lock or re-read
                _sign(receipt=receipt, actor=actor, now=now, saved=saved, code=code, state=state)
                return receipt
            # it existed (made before, or by another transaction, or unsigned): lock it
            receipt = (
                Receipt.objects.select_for_update()
                .select_related("series__unit")
                .get(pk=receipt.pk)
            )
            if not receipt.verify_code:
                _sign(receipt=receipt, actor=actor, now=now, saved=saved, state=state)
            return receipt
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise


def dossier_payment_receipt(
    *, payment: LedgerTransaction | None, now: dt.datetime, actor: User | None = None
) -> Receipt | None:
    """Called by a payment path right after the money moved, in its transaction: the receipt
    in a savepoint of its own, so that a failure to sign (a missing key, say) keeps the
    payment and leaves the receipt to `dossier_receipts_issue_missing`. A refund of late
    money gets no receipt (nothing was collected)."""
    if payment is None or payment.movement != LedgerMovement.PAYMENT:
        return None
    try:
        return dossier_receipt_issue(payment=payment, now=now, actor=actor)
    except Exception:
        logger.exception("receipt of payment %s not issued; it will be retried", payment.pk)
        return None


def dossier_receipts_issue_missing(*, now: dt.datetime, limit: int = 500) -> int:
    """Issue the receipts of payments that have none (a signature that failed at payment
    time); answers how many were issued."""
    payments = (
        LedgerTransaction.objects.filter(movement=LedgerMovement.PAYMENT, receipt__isnull=True)
        .filter(entries__fee_line__isnull=False)
        .distinct()
        .order_by("pk")[:limit]
    )
    issued = 0
    for payment in payments:
        if dossier_payment_receipt(payment=payment, now=now) is not None:
            issued += 1
    return issued


def dossier_receipt_cancel(
    *,
    receipt: Receipt,
    reason: str,
    actor: User | None,
    now: dt.datetime,
    replace: bool = True,
    replace_with: dict[str, str] | None = None,
) -> Receipt | None:
    """Cancel a receipt with its reason: its verification page says so (and names the
    replacement). With `replace`, its replacement (next number, `replace_with` correcting the
    payer) is signed in the same transaction. Answers the replacement or None."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            replacement = receipt_cancel(
                receipt=receipt,
                reason=reason,
                actor=actor,
                now=now,
                replace_with=(replace_with or {}) if replace else None,
            )
            if replacement is not None:
                replacement = Receipt.objects.select_related("series__unit", "replaces").get(
                    pk=replacement.pk
                )
            # told first, then the replacement (its own `dossier.issue_receipt`, in order)
            _receipt_message(
                action="cancel_receipt",
                receipt=receipt,
                facts={
                    "receipt": receipt_number_display(receipt),
                    "replaced_by": (
                        receipt_number_display(replacement) if replacement is not None else ""
                    ),
                },
                now=now,
            )
            if replacement is not None:
                _sign(receipt=replacement, actor=actor, now=now, saved=saved)
            document = (
                issued_document_get(code=receipt.verify_code) if receipt.verify_code else None
            )
            if document is not None:
                note = f"Biên lai đã hủy: {reason.strip()}"
                if replacement is not None:
                    note += f" Thay thế bởi biên lai {receipt_number_display(replacement)}."
                document_revoke(document=document, reason=note, now=now)
            return replacement
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise


__all__ = [
    "ReceiptStatus",
    "dossier_payment_receipt",
    "dossier_receipt_cancel",
    "dossier_receipt_issue",
    "dossier_receipts_issue_missing",
    "receipt_number_display",
    "receipt_pdf_render",
]
