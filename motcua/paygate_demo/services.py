"""The demo bank's work: deciding a payment (`bank_payment_decide`: the signed VNPay-style
result, kept in its book) and its daily statement (`bank_statement_rows`,
`bank_statement_write`)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.db import transaction

from motcua.core.clock import VN_TZ
from motcua.payments.gateways.contrib.vnpay import TextOut, sign, statement_write
from motcua.payments.gateways.registry import gateway_get
from motcua.payments.reconcile import day_bounds

from .models import BankTransaction

BANK_CODE = "MOTCUADEMO"
_STAMP = "%Y%m%d%H%M%S"


def bank_payment_decide(
    *, fields: Mapping[str, str], paid: bool, now: dt.datetime
) -> dict[str, str]:
    """The bank takes the payment (`paid`) or the payer cancels: the signed result for the
    merchant, recorded in the bank's book first."""
    secret = str(gateway_get("sandbox").config.get("hash_secret", ""))
    result = {
        "vnp_Amount": fields["vnp_Amount"],
        "vnp_BankCode": BANK_CODE,
        "vnp_OrderInfo": fields.get("vnp_OrderInfo", ""),
        "vnp_PayDate": now.astimezone(VN_TZ).strftime(_STAMP),
        "vnp_ResponseCode": "00" if paid else "24",  # 24: the customer cancelled
        "vnp_TmnCode": fields.get("vnp_TmnCode", ""),
        "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": fields["vnp_TxnRef"],
    }
    result["vnp_SecureHash"] = sign(result, secret)
    with transaction.atomic():
        BankTransaction.objects.create(
            tmn_code=result["vnp_TmnCode"][:20],
            txn_ref=result["vnp_TxnRef"][:40],
            transaction_no=result["vnp_TransactionNo"],
            amount=int(result["vnp_Amount"]),
            currency=str(fields.get("vnp_CurrCode") or "VND")[:3],
            bank_code=BANK_CODE,
            order_info=result["vnp_OrderInfo"][:255],
            status=result["vnp_TransactionStatus"],
            paid_at=now,
        )
    return result


def bank_statement_rows(*, day: dt.date) -> list[dict[str, str]]:
    """The bank's transactions of `day` (Asia/Ho_Chi_Minh) as statement rows."""
    start, end = day_bounds(day)
    return [
        {
            "vnp_TmnCode": row.tmn_code,
            "vnp_TxnRef": row.txn_ref,
            "vnp_TransactionNo": row.transaction_no,
            "vnp_TransactionType": "01",
            "vnp_Amount": str(row.amount),
            "vnp_CurrCode": row.currency,
            "vnp_BankCode": row.bank_code,
            "vnp_PayDate": row.paid_at.astimezone(VN_TZ).strftime(_STAMP),
            "vnp_TransactionStatus": row.status,
            "vnp_OrderInfo": row.order_info,
        }
        for row in BankTransaction.objects.filter(paid_at__gte=start, paid_at__lt=end)
    ]


def bank_statement_write(*, day: dt.date, out: TextOut) -> int:
    """Write the statement CSV of `day` (the VNPay-style columns); answers how many rows."""
    return statement_write(out, bank_statement_rows(day=day))
