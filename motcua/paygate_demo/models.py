"""What the demo bank processed: its own book, apart from motcua's orders and ledger, so
its daily statement (`manage.py payments_statement`) is the bank's view of the day and a
reconciliation compares two independent records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BankTransaction(models.Model):
    """One payment the demo bank processed (taken, or cancelled by the payer), as it signed
    the result: the fields of the VNPay-style result it sent to the merchant."""

    tmn_code = models.CharField(_("mã đơn vị chấp nhận thanh toán"), max_length=20)
    txn_ref = models.CharField(_("mã giao dịch của đơn vị"), max_length=40, db_index=True)
    transaction_no = models.CharField(_("mã giao dịch của ngân hàng"), max_length=20)
    #: As in the result: VND x 100.
    amount = models.PositiveBigIntegerField(_("số tiền (x100)"))
    currency = models.CharField(_("loại tiền"), max_length=3, default="VND")
    bank_code = models.CharField(_("mã ngân hàng"), max_length=20)
    order_info = models.CharField(_("nội dung thanh toán"), max_length=255, blank=True)
    #: "00" taken; "02" not (the payer cancelled).
    status = models.CharField(_("trạng thái giao dịch"), max_length=2)
    paid_at = models.DateTimeField(_("thời điểm giao dịch"), db_index=True)

    class Meta:
        verbose_name = _("giao dịch của ngân hàng trình diễn")
        verbose_name_plural = _("giao dịch của ngân hàng trình diễn")
        ordering = ["paid_at", "pk"]

    def __str__(self) -> str:
        return f"{self.transaction_no} {self.txn_ref}"
