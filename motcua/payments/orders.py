"""Paying fee lines: online through a gateway, or recorded at the counter.

Online: `payment_order_start` creates a `PaymentOrder` (its own reference, the amount, the
lines, a 15-minute validity), marks the lines "pending" and answers the gateway's signed
redirect. The ledger moves only in `payment_callback_receive`, and only for a callback that
passes, in this order: the gateway's signature (`invalid_signature`), an order of ours for
that gateway (`order_not_found`), the same amount (`invalid_amount`) and currency
(`invalid_currency`). Then:

- success, lines still payable: `fee_lines_pay` with the gateway's transaction number as the
  reference (`confirmed`);
- the same callback again, or another success for a settled order: nothing moves
  (`already_confirmed`); the database's unique payment reference holds under concurrency;
- success for an order cancelled meanwhile, or for lines cancelled or paid at the counter in
  the meantime: the money is recorded and refunded, never lost and never counted twice
  (`refunded`);
- not a success: the order fails and its lines are payable again (`failed`).

Every callback, believed or not, is kept in `PaymentCallback` with its outcome.

The payment's `paid_at` is the gateway's pay time from the callback (`vnp_PayDate`, which the
sandbox's demo bank sends too; the confirmation time when a callback has none): a payment
made at 23:59 and confirmed after midnight belongs to the day the bank says, as on its
statement. `at` stays the confirmation.

At the counter: `payment_counter_record` (cash or transfer) by an officer of the collecting
unit, with the slip number as the reference; who and when are on the ledger movement (paid
when the officer recorded it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import NotFound, PermissionDenied, ValidationError
from motcua.organisation.models import Role
from motcua.organisation.selectors import user_unit_ids

from .gateways.base import CallbackResult, InvalidCallback, PaymentRequest
from .gateways.registry import UnknownGateway, gateway_get
from .models import (
    FeeLine,
    FeeLineState,
    LedgerTransaction,
    PaymentCallback,
    PaymentMethod,
    PaymentOrder,
    PaymentOrderStatus,
)
from .services import (
    PAYABLE,
    fee_lines_lock_payable,
    fee_lines_mark_pending,
    fee_lines_pay,
    payment_refund_unmatched,
)

ORDER_VALIDITY = dt.timedelta(minutes=15)
OUTCOMES = (
    "confirmed",
    "already_confirmed",
    "refunded",
    "failed",
    "order_not_found",
    "invalid_amount",
    "invalid_currency",
    "invalid_signature",
    "invalid_callback",
    "gateway_unknown",
)
#: Roles that may record a payment received at the counter.
COLLECTOR_ROLES = (Role.OFFICER, Role.LEADER)


def _order_ref(now: dt.datetime) -> str:
    return f"MC{local(now):%y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def payment_order_start(
    *,
    lines: Sequence[FeeLine],
    gateway: str,
    payer: User | None,
    return_url: str,
    now: dt.datetime,
    client_ip: str = "",
) -> tuple[PaymentOrder, str]:
    """Start paying `lines` online: the order and the signed address to send the payer to."""
    try:
        plugin = gateway_get(gateway)
    except UnknownGateway as exc:
        raise NotFound(_("Không có cổng thanh toán này."), code="gateway_unknown") from exc
    with transaction.atomic():
        locked = fee_lines_lock_payable(lines)
        order = PaymentOrder.objects.create(
            order_ref=_order_ref(now),
            dossier_code=locked[0].dossier_code,
            gateway=plugin.name,
            amount_vnd=sum(line.net_vnd for line in locked),
            payer=payer if payer is not None and payer.is_authenticated else None,
            return_url=return_url[:500],
            created_at=now,
            expires_at=now + ORDER_VALIDITY,
        )
        order.lines.set(locked)
        fee_lines_mark_pending(lines=locked)
        url = plugin.redirect_url(
            PaymentRequest(
                order_ref=order.order_ref,
                amount_vnd=order.amount_vnd,
                description=f"Thanh toan phi, le phi ho so {order.dossier_code}",
                return_url=return_url,
                client_ip=client_ip,
                created_at=now,
                expires_at=order.expires_at,
            )
        )
    if url is None:
        raise ValidationError(_("Cổng này không thanh toán trực tuyến."), code="gateway_not_online")
    return order, url


def _release(order: PaymentOrder) -> None:
    """Lines of a failed or cancelled order are payable again (unless another order of
    theirs is still pending)."""
    others = PaymentOrder.objects.filter(status=PaymentOrderStatus.PENDING).exclude(pk=order.pk)
    FeeLine.objects.filter(orders=order, state=FeeLineState.PENDING).exclude(
        orders__in=others
    ).update(state=FeeLineState.UNPAID)


def _log(
    *,
    gateway: str,
    order_ref: str,
    fields: Mapping[str, str],
    verified: bool,
    outcome: str,
    now: dt.datetime,
) -> None:
    PaymentCallback.objects.create(
        gateway=gateway[:20],
        order_ref=order_ref[:40],
        received_at=now,
        fields={str(k)[:64]: str(v)[:500] for k, v in list(fields.items())[:60]},
        verified=verified,
        outcome=outcome,
    )


def payment_callback_receive(
    *, gateway: str, params: Mapping[str, str], now: dt.datetime
) -> tuple[str, PaymentOrder | None]:
    """Handle a gateway's callback (IPN or the payer's return, both signed); answers the
    outcome (one of OUTCOMES) and the order. Safe to call any number of times."""
    try:
        plugin = gateway_get(gateway)
    except UnknownGateway:
        with transaction.atomic():
            _log(gateway=gateway, order_ref="", fields=params, verified=False,
                 outcome="gateway_unknown", now=now)  # fmt: skip
        return "gateway_unknown", None
    try:
        result = plugin.parse_callback(params)
    except InvalidCallback as exc:
        with transaction.atomic():
            _log(gateway=plugin.name, order_ref=str(params.get("vnp_TxnRef", "")), fields=params,
                 verified=False, outcome=exc.code, now=now)  # fmt: skip
        return exc.code, None
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update()
            .filter(order_ref=result.order_ref, gateway=plugin.name)
            .first()
        )
        outcome = _settle(order, result=result, gateway=plugin.name, now=now)
        _log(gateway=plugin.name, order_ref=result.order_ref, fields=params, verified=True,
             outcome=outcome, now=now)  # fmt: skip
    return outcome, order


def _settle(
    order: PaymentOrder | None, *, result: CallbackResult, gateway: str, now: dt.datetime
) -> str:
    if order is None:
        return "order_not_found"
    if result.amount_vnd != order.amount_vnd:
        return "invalid_amount"
    if result.currency != order.currency:
        return "invalid_currency"
    if order.payment_id is not None:
        return "already_confirmed"
    if not result.success:
        if order.status == PaymentOrderStatus.PENDING:
            order.status = PaymentOrderStatus.FAILED
            order.status_code = result.status_code[:20]
            order.completed_at = now
            order.save(update_fields=["status", "status_code", "completed_at"])
            _release(order)
        return "failed"
    reference = f"{gateway}:{result.gateway_reference or order.order_ref}"
    # the bank's pay time (vnp_PayDate) dates the money, the confirmation dates our record
    paid_at = result.paid_at or now
    lines = list(order.lines.order_by("pk"))
    payable = order.status != PaymentOrderStatus.CANCELLED and all(
        line.state in PAYABLE for line in lines
    )
    payment: LedgerTransaction
    if payable:
        payment = fee_lines_pay(
            lines=lines,
            method=PaymentMethod.ONLINE,
            reference=reference,
            gateway=gateway,
            now=now,
            paid_at=paid_at,
        )
        order.status = PaymentOrderStatus.SUCCEEDED
        outcome = "confirmed"
    else:
        payment = payment_refund_unmatched(
            dossier_code=order.dossier_code,
            amount_vnd=order.amount_vnd,
            gateway=gateway,
            reference=reference,
            now=now,
            reason="Thanh toán đến sau khi giao dịch hoặc khoản phí đã hủy, đã thanh toán",
            paid_at=paid_at,
        )
        outcome = "refunded"
    order.payment = payment
    order.gateway_reference = result.gateway_reference[:100]
    order.status_code = result.status_code[:20]
    order.completed_at = now
    order.save(update_fields=["status", "payment", "gateway_reference", "status_code",
                              "completed_at"])  # fmt: skip
    return outcome


def payment_order_cancel(*, order: PaymentOrder, now: dt.datetime) -> PaymentOrder:
    """The payer gave up (or the order expired): its lines are payable again. A success
    callback arriving later is refunded (`payment_callback_receive`)."""
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != PaymentOrderStatus.PENDING:
            return order
        order.status = PaymentOrderStatus.CANCELLED
        order.completed_at = now
        order.save(update_fields=["status", "completed_at"])
        _release(order)
    return order


def payment_orders_expire(*, now: dt.datetime) -> int:
    """Cancel pending orders past their validity (the beat job); answers how many."""
    count = 0
    for order in PaymentOrder.objects.filter(status=PaymentOrderStatus.PENDING, expires_at__lt=now):
        payment_order_cancel(order=order, now=now)
        count += 1
    return count


def payment_counter_record(
    *,
    lines: Sequence[FeeLine],
    method: str,
    officer: User,
    slip_number: str,
    now: dt.datetime,
) -> LedgerTransaction:
    """Cash or a transfer received at the counter by `officer` (of the collecting unit),
    with the number of the slip or transfer as the reference (the same slip twice is one
    payment)."""
    if PaymentMethod(method) not in (PaymentMethod.CASH, PaymentMethod.TRANSFER):
        raise ValidationError(
            _("Tại quầy chỉ ghi nhận tiền mặt hoặc chuyển khoản."), code="invalid_method"
        )
    if not slip_number.strip():
        raise ValidationError(
            _("Cần ghi số phiếu thu hoặc số giao dịch chuyển khoản."),
            code="slip_required",
            errors=[{"field": "slip_number", "code": "required"}],
        )
    units = user_unit_ids(user=officer, roles=COLLECTOR_ROLES)
    if not lines or any(line.collecting_unit_id not in units for line in lines):
        raise PermissionDenied(_("Bạn không thu phí, lệ phí cho đơn vị này."), code="forbidden")
    # a slip number is the unit's own: scoped by the unit's code
    reference = f"{lines[0].collecting_unit.code}:{slip_number.strip()}"
    return fee_lines_pay(lines=lines, method=method, reference=reference, actor=officer, now=now)
