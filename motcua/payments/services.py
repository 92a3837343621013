"""A dossier's fee lines and the money that moves for them.

Every service here owns its transaction, locks the lines it changes, posts one balanced
movement to the ledger and updates the lines' `state` in the same transaction:

- `fee_line_add`: charge, receivable(dossier) +net and revenue(unit) -net;
- `fee_lines_pay`: payment, cash(unit) or gateway(name) +net and receivable -net per line;
- `fee_line_cancel`: cancel, receivable -net and revenue +net; for a paid line then a refund,
  receivable +net and cash or gateway -net (the money goes back the way it came);
- `payment_refund_unmatched`: money that arrived for nothing (a late callback after a
  cancel): a payment then a refund, kept on record and given back.

So per line, at every moment: receivable is +net while unpaid and 0 otherwise; revenue is
-net unless cancelled; cash or gateway is +net while paid. `tests/payments/test_ledger.py`
checks this on random histories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, ValidationError
from motcua.organisation.models import Unit

from .ledger import Entry, ledger_post
from .models import (
    FeeKind,
    FeeLine,
    FeeLineState,
    FeeTiming,
    LedgerAccount,
    LedgerMovement,
    LedgerTransaction,
    PaymentMethod,
)

#: Lines that may still be paid.
PAYABLE = frozenset({FeeLineState.UNPAID, FeeLineState.PENDING})


def _money(value: object, *, field: str, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
        raise ValidationError(
            _("Số tiền phải là số nguyên đồng không âm."),
            code="invalid_amount",
            errors=[{"field": field, "code": "invalid"}],
        )
    return value


def fee_line_add(
    *,
    dossier_code: str,
    collecting_unit: Unit,
    name: str,
    kind: str,
    timing: str,
    unit_amount_vnd: int,
    now: dt.datetime,
    quantity: int = 1,
    exempt_vnd: int = 0,
    exemption_reason: str = "",
    actor: User | None = None,
) -> FeeLine:
    """A fee or charge the dossier owes. The gross amount is `unit_amount_vnd` x `quantity`;
    an exemption or discount needs its reason; a line exempt in full owes nothing (state
    `exempt`, no ledger entry)."""
    unit_amount = _money(unit_amount_vnd, field="unit_amount_vnd", positive=True)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError(
            _("Số lượng phải là số nguyên dương."),
            code="invalid_quantity",
            errors=[{"field": "quantity", "code": "invalid"}],
        )
    gross = unit_amount * quantity
    exempt = _money(exempt_vnd, field="exempt_vnd")
    if exempt > gross:
        raise ValidationError(
            _("Số tiền miễn, giảm không được lớn hơn số phải nộp."),
            code="exemption_too_large",
            errors=[{"field": "exempt_vnd", "code": "too_large"}],
        )
    reason = (exemption_reason or "").strip()
    if exempt and not reason:
        raise ValidationError(
            _("Cần ghi lý do miễn, giảm."),
            code="exemption_reason_required",
            errors=[{"field": "exemption_reason", "code": "required"}],
        )
    net = gross - exempt
    with transaction.atomic():
        line = FeeLine.objects.create(
            dossier_code=dossier_code,
            collecting_unit=collecting_unit,
            name=name.strip()[:300],
            kind=FeeKind(kind),
            timing=FeeTiming(timing),
            quantity=quantity,
            unit_amount_vnd=unit_amount,
            gross_vnd=gross,
            exempt_vnd=exempt,
            exemption_reason=reason[:300],
            net_vnd=net,
            state=FeeLineState.UNPAID if net else FeeLineState.EXEMPT,
            created_at=now,
        )
        if net:
            ledger_post(
                movement=LedgerMovement.CHARGE,
                dossier_code=dossier_code,
                entries=[
                    Entry(LedgerAccount.RECEIVABLE, dossier_code, net, line),
                    Entry(LedgerAccount.REVENUE, collecting_unit.code, -net, line),
                ],
                now=now,
                actor=actor,
                memo=line.name,
            )
    return line


def _holding_account(*, method: str, unit: Unit, gateway: str) -> tuple[LedgerAccount, str]:
    if PaymentMethod(method) == PaymentMethod.ONLINE:
        if not gateway:
            raise ValueError("an online payment names its gateway")
        return LedgerAccount.GATEWAY, gateway
    return LedgerAccount.CASH, unit.code


def _locked(lines: Sequence[FeeLine]) -> list[FeeLine]:
    ids = sorted({line.pk for line in lines})
    return list(
        FeeLine.objects.select_for_update()
        .select_related("collecting_unit")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def payable_together_check(locked: Sequence[FeeLine]) -> None:
    """Lines paid at once belong to one dossier and one collecting unit, and are all still
    payable (`fee_lines_mixed`, `fee_line_not_payable`)."""
    if len({(line.dossier_code, line.collecting_unit_id) for line in locked}) != 1:
        raise ValidationError(
            _("Các khoản thanh toán cùng lúc phải của một hồ sơ và một đơn vị thu."),
            code="fee_lines_mixed",
        )
    closed = [line for line in locked if line.state not in PAYABLE]
    if closed:
        raise Conflict(
            _("Khoản “%(name)s” không còn phải thanh toán (%(state)s)."),
            code="fee_line_not_payable",
            name=closed[0].name,
            state=closed[0].get_state_display(),
        )


def fee_lines_lock_payable(lines: Sequence[FeeLine]) -> list[FeeLine]:
    """`lines` locked (in id order) once checked payable together; runs inside the caller's
    transaction."""
    locked = _locked(lines)
    if not locked:
        raise ValidationError(_("Chưa chọn khoản nào để thanh toán."), code="no_fee_lines")
    payable_together_check(locked)
    return locked


def fee_lines_pay(
    *,
    lines: Sequence[FeeLine],
    method: str,
    now: dt.datetime,
    reference: str = "",
    gateway: str = "",
    actor: User | None = None,
    paid_at: dt.datetime | None = None,
) -> LedgerTransaction:
    """Money received for `lines` (one dossier, one collecting unit), in full, recorded at
    `now` and paid at `paid_at` (the gateway's pay time; `now` when not given, as at the
    counter). `reference` is
    the gateway's transaction number or the officer's slip number: the same reference again
    answers the first payment and moves nothing (idempotent callbacks). Lines already paid,
    cancelled or exempt are refused (`fee_line_not_payable`) and nothing is written."""
    if not lines:
        raise ValidationError(_("Chưa chọn khoản nào để thanh toán."), code="no_fee_lines")
    method = PaymentMethod(method)
    reference = (reference or "").strip()[:100]
    try:
        with transaction.atomic():
            locked = _locked(lines)
            if reference:
                existing = LedgerTransaction.objects.filter(
                    movement=LedgerMovement.PAYMENT, method=method, reference=reference
                ).first()
                if existing is not None:
                    return _same_payment(existing, locked)
            payable_together_check(locked)
            first = locked[0]
            account, holder = _holding_account(
                method=method, unit=first.collecting_unit, gateway=gateway
            )
            entries = []
            for line in locked:  # both sides per line: each line's money can be traced
                entries.append(Entry(account, holder, line.net_vnd, line))
                entries.append(
                    Entry(LedgerAccount.RECEIVABLE, line.dossier_code, -line.net_vnd, line)
                )
            payment = ledger_post(
                movement=LedgerMovement.PAYMENT,
                dossier_code=first.dossier_code,
                entries=entries,
                now=now,
                actor=actor,
                method=method,
                reference=reference,
                memo=gateway,
                paid_at=paid_at,
            )
            FeeLine.objects.filter(pk__in=[line.pk for line in locked]).update(
                state=FeeLineState.PAID, settled_at=now
            )
            return payment
    except IntegrityError:
        # the same reference committed by a concurrent callback: answer that one
        if not reference:
            raise
        existing = LedgerTransaction.objects.get(
            movement=LedgerMovement.PAYMENT, method=method, reference=reference
        )
        return _same_payment(existing, lines)


def _same_payment(existing: LedgerTransaction, lines: Sequence[FeeLine]) -> LedgerTransaction:
    """The payment already recorded under this reference, if it paid the same lines; the
    reference of another payment is refused (`payment_reference_used`)."""
    paid = set(existing.entries.exclude(fee_line=None).values_list("fee_line_id", flat=True))
    if paid != {line.pk for line in lines}:
        raise Conflict(
            _("Số tham chiếu %(reference)s đã dùng cho một khoản thanh toán khác."),
            code="payment_reference_used",
            reference=existing.reference,
        )
    return existing


def fee_lines_mark_pending(*, lines: Sequence[FeeLine]) -> None:
    """An online payment was started for `lines`: they show "đang thanh toán" until the
    gateway answers (a pending line may still be paid at the counter)."""
    with transaction.atomic():
        locked = _locked(lines)
        FeeLine.objects.filter(
            pk__in=[line.pk for line in locked if line.state == FeeLineState.UNPAID]
        ).update(state=FeeLineState.PENDING)


def _payment_of(line: FeeLine) -> LedgerTransaction:
    return (
        LedgerTransaction.objects.filter(movement=LedgerMovement.PAYMENT, entries__fee_line=line)
        .order_by("-at", "-pk")
        .first()
    ) or _missing_payment(line)


def _missing_payment(line: FeeLine) -> LedgerTransaction:
    raise RuntimeError(f"fee line {line.pk} is paid but has no payment")


def fee_line_cancel(
    *, line: FeeLine, reason: str, now: dt.datetime, actor: User | None = None
) -> FeeLine:
    """Cancel a fee line with its reason. Unpaid: the charge is reversed. Paid: the charge is
    reversed and the money is refunded the way it came (same gateway, or the unit's cash).
    Exempt: only marked. Cancelled or refunded: refused (`fee_line_closed`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Cần ghi lý do hủy."),
            code="reason_required",
            errors=[{"field": "reason", "code": "required"}],
        )
    with transaction.atomic():
        (line,) = _locked([line])
        if line.state in (FeeLineState.CANCELLED, FeeLineState.REFUNDED):
            raise Conflict(_("Khoản này đã hủy."), code="fee_line_closed")
        unit_code = line.collecting_unit.code
        if line.state != FeeLineState.EXEMPT:
            ledger_post(
                movement=LedgerMovement.CANCEL,
                dossier_code=line.dossier_code,
                entries=[
                    Entry(LedgerAccount.RECEIVABLE, line.dossier_code, -line.net_vnd, line),
                    Entry(LedgerAccount.REVENUE, unit_code, line.net_vnd, line),
                ],
                now=now,
                actor=actor,
                memo=reason,
            )
        state = FeeLineState.CANCELLED
        if line.state == FeeLineState.PAID:
            payment = _payment_of(line)
            holder = payment.entries.filter(fee_line=line, amount_vnd__gt=0).get()
            ledger_post(
                movement=LedgerMovement.REFUND,
                dossier_code=line.dossier_code,
                entries=[
                    Entry(LedgerAccount.RECEIVABLE, line.dossier_code, line.net_vnd, line),
                    Entry(LedgerAccount(holder.account), holder.reference, -line.net_vnd, line),
                ],
                now=now,
                actor=actor,
                method=payment.method,
                memo=reason,
            )
            state = FeeLineState.REFUNDED
        line.state = state
        line.cancelled_at = now
        line.cancel_reason = reason[:300]
        line.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    return line


def payment_refund_unmatched(
    *,
    dossier_code: str,
    amount_vnd: int,
    gateway: str,
    reference: str,
    now: dt.datetime,
    reason: str,
    paid_at: dt.datetime | None = None,
) -> LedgerTransaction:
    """Money a gateway confirmed for nothing still owed (a callback arriving after the lines
    were cancelled or paid otherwise): recorded as received (paid at `paid_at`, the
    gateway's time), then refunded at `now`, never lost and never counted as paying a line.
    Idempotent by `reference` like `fee_lines_pay`."""
    amount = _money(amount_vnd, field="amount_vnd", positive=True)
    reference = reference.strip()[:100]
    if not reference:
        raise ValueError("an unmatched payment has the gateway's reference")
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(
            movement=LedgerMovement.PAYMENT, method=PaymentMethod.ONLINE, reference=reference
        ).first()
        if existing is not None:
            return existing
        payment = ledger_post(
            movement=LedgerMovement.PAYMENT,
            dossier_code=dossier_code,
            entries=[
                Entry(LedgerAccount.GATEWAY, gateway, amount),
                Entry(LedgerAccount.RECEIVABLE, dossier_code, -amount),
            ],
            now=now,
            method=PaymentMethod.ONLINE,
            reference=reference,
            memo=gateway,
            paid_at=paid_at,
        )
        ledger_post(
            movement=LedgerMovement.REFUND,
            dossier_code=dossier_code,
            entries=[
                Entry(LedgerAccount.RECEIVABLE, dossier_code, amount),
                Entry(LedgerAccount.GATEWAY, gateway, -amount),
            ],
            now=now,
            method=PaymentMethod.ONLINE,
            memo=reason[:300],
        )
    return payment
