"""Paying a dossier's fees (docs/payments.md): the one place where money that moved in
`motcua.payments` reaches the dossier. After a verified gateway callback or a payment at the
counter: the signed receipt (`receipts.dossier_payment_receipt`, retried later if signing
fails) and, for a dossier waiting for its payment with nothing left to pay, its resumption
(`suspensions.dossier_payment_settle`). Nothing says "paid" that the ledger does not hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, ValidationError
from motcua.payments.models import FeeLine, LedgerTransaction, PaymentOrder
from motcua.payments.orders import (
    payment_callback_receive,
    payment_counter_record,
    payment_order_start,
)

from ..models import Dossier
from .fees import dossier_fee_lines_payable
from .receipts import dossier_payment_receipt
from .suspensions import dossier_payment_settle

#: Callback outcomes after which the money is on the ledger for the order's lines.
PAID_OUTCOMES = frozenset({"confirmed", "already_confirmed"})


def _payable(*, dossier: Dossier, line_ids: Sequence[int] | None) -> list[FeeLine]:
    lines = dossier_fee_lines_payable(dossier_code=dossier.code)
    if line_ids:
        wanted = set(line_ids)
        chosen = [line for line in lines if line.pk in wanted]
        if len(chosen) != len(wanted):
            message = _("Có khoản thu không thuộc hồ sơ hoặc không còn phải nộp.")
            raise ValidationError(
                message,
                code="lines_not_payable",
                errors=[{"field": "lines", "code": "not_payable", "message": str(message)}],
            )
        lines = chosen
    if not lines:
        raise Conflict(_("Hồ sơ không còn khoản phí, lệ phí nào phải nộp."), code="nothing_payable")
    # lines of one collecting unit at a time (one receipt per unit)
    unit_id = lines[0].collecting_unit_id
    return [line for line in lines if line.collecting_unit_id == unit_id]


def dossier_payment_start(
    *,
    dossier: Dossier,
    payer: User | None,
    gateway: str,
    return_url: str,
    now: dt.datetime,
    line_ids: Sequence[int] | None = None,
    client_ip: str = "",
) -> tuple[PaymentOrder, str]:
    """Start paying the dossier's payable lines online (those of one collecting unit; a
    second payment pays the others): the order and the address to send the payer to. The
    caller checked that `payer` may act on the dossier."""
    lines = _payable(dossier=dossier, line_ids=line_ids)
    return payment_order_start(
        lines=lines,
        gateway=gateway,
        payer=payer,
        return_url=return_url,
        now=now,
        client_ip=client_ip,
    )


def dossier_payment_callback(
    *, gateway: str, params: Mapping[str, str], now: dt.datetime
) -> tuple[str, PaymentOrder | None]:
    """A gateway's callback (the bank's IPN, or the payer coming back with the same signed
    result): `payment_callback_receive` checks and records it; once the money is on the
    ledger, the receipt and the dossier's resumption follow. Safe any number of times."""
    outcome, order = payment_callback_receive(gateway=gateway, params=params, now=now)
    if order is not None and outcome in PAID_OUTCOMES:
        dossier_payment_receipt(payment=order.payment, now=now)
        dossier_payment_settle(dossier_code=order.dossier_code, now=now)
    return outcome, order


def dossier_payment_at_counter(
    *,
    dossier: Dossier,
    officer: User,
    method: str,
    slip_number: str,
    now: dt.datetime,
    line_ids: Sequence[int] | None = None,
) -> LedgerTransaction:
    """Cash or a transfer received at the counter for the dossier's payable lines (of one
    collecting unit), by an officer of that unit; the receipt, then the resumption."""
    with transaction.atomic():
        lines = _payable(dossier=dossier, line_ids=line_ids)
        payment = payment_counter_record(
            lines=lines, method=method, officer=officer, slip_number=slip_number, now=now
        )
        dossier_payment_settle(dossier_code=dossier.code, now=now)
    dossier_payment_receipt(payment=payment, now=now, actor=officer)
    return payment
