"""The ledger always balances and the fee lines' states always agree with it, on random
histories of charges, exemptions, payments, cancellations, refunds and late callbacks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, ValidationError
from motcua.core.models import AppendOnlyViolation
from motcua.organisation.models import Unit
from motcua.payments.ledger import (
    Entry,
    UnbalancedMovement,
    ledger_balance,
    ledger_post,
    ledger_total,
    ledger_unbalanced,
)
from motcua.payments.models import (
    FeeLine,
    FeeLineState,
    LedgerAccount,
    LedgerEntry,
    LedgerMovement,
    LedgerTransaction,
    PaymentMethod,
)
from motcua.payments.services import (
    fee_line_add,
    fee_line_cancel,
    fee_lines_mark_pending,
    fee_lines_pay,
    payment_refund_unmatched,
)
from tests.factories import UnitFactory

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=VN_TZ)
DOSSIERS = ("H01.1-261202-0001", "H01.1-261202-0002", "H01.1-261202-0003")
pytestmark = pytest.mark.django_db

add = st.tuples(
    st.just("add"),
    st.sampled_from(DOSSIERS),
    st.integers(0, 1),  # unit
    st.integers(0, 2_000_000),  # unit amount
    st.integers(1, 5),  # quantity
    st.sampled_from([0, 0, 0.5, 1]),  # share exempt
)
pay = st.tuples(
    st.just("pay"),
    st.lists(st.integers(0, 30), min_size=1, max_size=3),
    st.sampled_from(list(PaymentMethod)),
    st.sampled_from(["", "GW-1", "GW-2", "GW-3"]),  # a reference repeats: idempotent
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 30))
pending = st.tuples(st.just("pending"), st.integers(0, 30))
late = st.tuples(st.just("late"), st.sampled_from(DOSSIERS), st.integers(1, 500_000))
histories = st.lists(st.one_of(add, add, pay, cancel, pending, late), max_size=25)


def _entries_of(line: FeeLine, *accounts: LedgerAccount) -> int:
    total = LedgerEntry.objects.filter(fee_line=line, account__in=accounts).aggregate(
        t=Sum("amount_vnd")
    )["t"]
    return int(total or 0)


def _check_invariants() -> None:
    assert ledger_total() == 0
    assert ledger_unbalanced() == []
    owed: dict[str, int] = defaultdict(int)
    earned: dict[str, int] = defaultdict(int)
    held = 0
    for line in FeeLine.objects.select_related("collecting_unit"):
        receivable = _entries_of(line, LedgerAccount.RECEIVABLE)
        revenue = _entries_of(line, LedgerAccount.REVENUE)
        holding = _entries_of(line, LedgerAccount.CASH, LedgerAccount.GATEWAY)
        expected = {
            FeeLineState.UNPAID: (line.net_vnd, -line.net_vnd, 0),
            FeeLineState.PENDING: (line.net_vnd, -line.net_vnd, 0),
            FeeLineState.PAID: (0, -line.net_vnd, line.net_vnd),
            FeeLineState.CANCELLED: (0, 0, 0),
            FeeLineState.REFUNDED: (0, 0, 0),
            FeeLineState.EXEMPT: (0, 0, 0),
        }[FeeLineState(line.state)]
        assert (receivable, revenue, holding) == expected, (line.state, line.net_vnd)
        assert line.net_vnd == line.gross_vnd - line.exempt_vnd
        if line.state in (FeeLineState.UNPAID, FeeLineState.PENDING):
            owed[line.dossier_code] += line.net_vnd
        if line.state in (FeeLineState.UNPAID, FeeLineState.PENDING, FeeLineState.PAID):
            earned[line.collecting_unit.code] += line.net_vnd
        if line.state == FeeLineState.PAID:
            held += line.net_vnd
    for code in DOSSIERS:
        assert ledger_balance(account=LedgerAccount.RECEIVABLE, reference=code) == owed[code]
    for unit in Unit.objects.all():
        assert (
            ledger_balance(account=LedgerAccount.REVENUE, reference=unit.code) == -earned[unit.code]
        )
    assert (
        ledger_balance(account=LedgerAccount.CASH) + ledger_balance(account=LedgerAccount.GATEWAY)
        == held
    )


@settings(max_examples=60, deadline=None)
@given(history=histories)
def test_random_histories_keep_the_ledger_balanced(history) -> None:
    with transaction.atomic():
        units = [UnitFactory(), UnitFactory()]
        lines: list[FeeLine] = []
        for step, op in enumerate(history):
            now = NOW + dt.timedelta(minutes=step)
            try:
                if op[0] == "add":
                    _, dossier, unit, amount, quantity, share = op
                    exempt = int(amount * quantity * share)
                    lines.append(
                        fee_line_add(
                            dossier_code=dossier,
                            collecting_unit=units[unit],
                            name="Lệ phí",
                            kind="charge",
                            timing="before",
                            unit_amount_vnd=amount,
                            quantity=quantity,
                            exempt_vnd=exempt,
                            exemption_reason="Hộ nghèo" if exempt else "",
                            now=now,
                        )
                    )
                elif op[0] == "pay" and lines:
                    _, picks, method, reference = op
                    chosen = [lines[i % len(lines)] for i in picks]
                    fee_lines_pay(
                        lines=chosen,
                        method=method,
                        reference=reference,
                        gateway="sandbox" if method == PaymentMethod.ONLINE else "",
                        now=now,
                    )
                elif op[0] == "cancel" and lines:
                    fee_line_cancel(line=lines[op[1] % len(lines)], reason="Sai mức thu", now=now)
                elif op[0] == "pending" and lines:
                    fee_lines_mark_pending(lines=[lines[op[1] % len(lines)]])
                elif op[0] == "late":
                    _, dossier, amount = op
                    payment_refund_unmatched(
                        dossier_code=dossier,
                        amount_vnd=amount,
                        gateway="sandbox",
                        reference=f"LATE-{step}",
                        now=now,
                        reason="Thanh toán đến sau khi đã hủy",
                    )
            except (Conflict, ValidationError):
                pass  # refused operations must leave everything as it was: checked below
            _check_invariants()
        transaction.set_rollback(True)


def _unit_line(amount: int = 50_000, **kwargs) -> FeeLine:
    return fee_line_add(
        dossier_code=DOSSIERS[0],
        collecting_unit=kwargs.pop("unit", None) or UnitFactory(code="00070"),
        name="Lệ phí đăng ký",
        kind="charge",
        timing="before",
        unit_amount_vnd=amount,
        now=NOW,
        **kwargs,
    )


def test_the_same_gateway_reference_ten_times_is_one_payment() -> None:
    line = _unit_line()
    payments = {
        fee_lines_pay(
            lines=[line], method="online", gateway="sandbox", reference="VNP-123", now=NOW
        ).pk
        for _ in range(10)
    }
    assert len(payments) == 1
    assert ledger_balance(account=LedgerAccount.GATEWAY, reference="sandbox") == 50_000
    line.refresh_from_db()
    assert line.state == FeeLineState.PAID


def test_paying_a_paid_line_again_is_refused_and_moves_nothing() -> None:
    line = _unit_line()
    fee_lines_pay(lines=[line], method="cash", reference="PT-1", now=NOW)
    before = LedgerEntry.objects.count()
    with pytest.raises(Conflict) as caught:
        fee_lines_pay(lines=[line], method="cash", reference="PT-2", now=NOW)
    assert caught.value.code == "fee_line_not_payable"
    assert LedgerEntry.objects.count() == before


def test_cancelling_a_paid_line_refunds_it_the_way_it_came() -> None:
    line = _unit_line()
    fee_lines_pay(lines=[line], method="online", gateway="vnpay", reference="V-9", now=NOW)
    fee_line_cancel(line=line, reason="Thu nhầm", now=NOW)
    line.refresh_from_db()
    assert (line.state, line.cancel_reason) == (FeeLineState.REFUNDED, "Thu nhầm")
    assert ledger_balance(account=LedgerAccount.GATEWAY, reference="vnpay") == 0
    assert list(LedgerTransaction.objects.order_by("pk").values_list("movement", flat=True)) == [
        "charge",
        "payment",
        "cancel",
        "refund",
    ]


def test_a_late_callback_after_a_cancel_is_kept_and_refunded() -> None:
    line = _unit_line()
    fee_line_cancel(line=line, reason="Rút hồ sơ", now=NOW)
    payment_refund_unmatched(
        dossier_code=DOSSIERS[0],
        amount_vnd=50_000,
        gateway="vnpay",
        reference="V-LATE",
        now=NOW,
        reason="Đến sau khi hủy",
    )
    movements = list(LedgerTransaction.objects.order_by("pk").values_list("movement", "reference"))
    assert movements == [
        ("charge", ""),
        ("cancel", ""),
        ("payment", "V-LATE"),
        ("refund", ""),
    ]
    assert ledger_balance(account=LedgerAccount.GATEWAY, reference="vnpay") == 0
    line.refresh_from_db()
    assert line.state == FeeLineState.CANCELLED  # the late money never "paid" it


def test_an_exemption_needs_its_reason_and_a_full_exemption_owes_nothing() -> None:
    unit = UnitFactory()
    with pytest.raises(ValidationError) as caught:
        _unit_line(unit=unit, exempt_vnd=10_000)
    assert caught.value.code == "exemption_reason_required"
    assert FeeLine.objects.count() == 0
    line = _unit_line(unit=unit, exempt_vnd=50_000, exemption_reason="Người khuyết tật")
    assert (line.state, line.net_vnd, line.exemption_reason) == (
        FeeLineState.EXEMPT,
        0,
        "Người khuyết tật",
    )
    assert LedgerEntry.objects.count() == 0
    half = _unit_line(unit=unit, quantity=3, exempt_vnd=75_000, exemption_reason="Nộp trực tuyến")
    assert (half.gross_vnd, half.net_vnd) == (150_000, 75_000)
    with pytest.raises(ValidationError) as too_much:
        _unit_line(unit=unit, exempt_vnd=60_000, exemption_reason="x")
    assert too_much.value.code == "exemption_too_large"


def test_an_unbalanced_movement_cannot_be_written() -> None:
    with transaction.atomic(), pytest.raises(UnbalancedMovement):
        ledger_post(
            movement=LedgerMovement.CHARGE,
            dossier_code="X",
            entries=[
                Entry(LedgerAccount.RECEIVABLE, "X", 100),
                Entry(LedgerAccount.REVENUE, "U", -99),
            ],
            now=NOW,
        )
    assert LedgerTransaction.objects.count() == 0


def test_entries_cannot_be_rewritten() -> None:
    _unit_line()
    entry = LedgerEntry.objects.first()
    assert entry is not None
    entry.amount_vnd = 1
    with pytest.raises(AppendOnlyViolation):
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        LedgerEntry.objects.all().delete()


def test_a_ledger_transaction_reads_its_day_in_vietnam_time() -> None:
    # 17:30 UTC on 1 March is 00:30 on 2 March in Việt Nam.
    movement = LedgerTransaction(
        movement=LedgerMovement.PAYMENT,
        dossier_code="H01.01-260302-0001",
        at=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC),
    )
    assert str(movement) == "payment H01.01-260302-0001 02/03/2026"
