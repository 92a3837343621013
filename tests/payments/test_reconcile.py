"""Daily reconciliation of a gateway's statement with motcua's records: the demo bank's own
book exported as its statement, the VNPay-style CSV read strictly, every kind of difference,
idempotent re-runs, the day in Vietnam time, the commands, the admin."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from freezegun import freeze_time

from motcua.core.clock import VN_TZ
from motcua.core.models import AuditEvent
from motcua.paygate_demo.models import BankTransaction
from motcua.paygate_demo.services import bank_payment_decide, bank_statement_write
from motcua.payments.gateways.base import (
    StatementError,
    StatementLine,
    StatementNotSupported,
    statement_problems_text,
)
from motcua.payments.gateways.contrib.vnpay import sign, statement_parse
from motcua.payments.gateways.registry import gateway_get, gateway_statement_reader
from motcua.payments.models import (
    DifferenceKind,
    FeeLine,
    LedgerEntry,
    LedgerTransaction,
    PaymentOrder,
    PaymentOrderStatus,
    ReconciliationDifference,
    ReconciliationRun,
)
from motcua.payments.orders import (
    payment_callback_receive,
    payment_order_cancel,
    payment_order_start,
)
from motcua.payments.reconcile import ReconciliationReport, payments_reconcile
from motcua.payments.services import fee_line_add, fee_line_cancel
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)
MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=VN_TZ)
RUN_AT = dt.datetime(2026, 12, 2, 8, 0, tzinfo=VN_TZ)
HEADER = (
    "vnp_TmnCode,vnp_TxnRef,vnp_TransactionNo,vnp_TransactionType,vnp_Amount,vnp_CurrCode,"
    "vnp_BankCode,vnp_PayDate,vnp_TransactionStatus,vnp_OrderInfo\n"
)


@pytest.fixture
def unit():
    return UnitFactory(code="00070")


def _line(unit, code: str, amount: int, *, at: dt.datetime = MORNING) -> FeeLine:
    return fee_line_add(
        dossier_code=code,
        collecting_unit=unit,
        name="Lệ phí đăng ký",
        kind="charge",
        timing="before",
        unit_amount_vnd=amount,
        now=at,
    )


def _order(line: FeeLine, at: dt.datetime) -> tuple[PaymentOrder, dict[str, str]]:
    with freeze_time(at):
        order, redirect = payment_order_start(
            lines=[line], gateway="sandbox", payer=None, return_url="/my/", now=at
        )
    return order, dict(parse_qsl(urlsplit(redirect).query))


def _pay(unit, code: str, amount: int, *, at: dt.datetime = MORNING, deliver: bool = True):
    """An order paid at the demo bank at `at`; the callback reaches motcua unless `deliver`
    is False (a lost callback: the bank took the money, motcua does not know)."""
    order, fields = _order(_line(unit, code, amount, at=at), at)
    result = bank_payment_decide(fields=fields, paid=True, now=at)
    if deliver:
        outcome, _ = payment_callback_receive(gateway="sandbox", params=result, now=at)
        assert outcome == "confirmed"
    order.refresh_from_db()
    return order, result


def _statement(day: dt.date = DAY) -> list[StatementLine]:
    out = io.StringIO()
    bank_statement_write(day=day, out=out)
    out.seek(0)
    return gateway_get("sandbox").parse_statement(out)


def _reconcile(lines: list[StatementLine], *, day: dt.date = DAY, **kw) -> ReconciliationReport:
    return payments_reconcile(
        gateway="sandbox", day=day, lines=lines, actor=kw.pop("actor", None), now=RUN_AT, **kw
    )


def _kinds(report: ReconciliationReport) -> list[tuple[str, str]]:
    return [(d.kind, d.reference) for d in report.differences]


def _money_state() -> tuple[int, int, list[tuple[str, str]], list[tuple[int, str]]]:
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        sorted(PaymentOrder.objects.values_list("order_ref", "status")),
        sorted(FeeLine.objects.values_list("pk", "state")),
    )


# --- a clean day ---------------------------------------------------------------------------


def test_the_demo_banks_statement_reconciles_cleanly_with_what_motcua_recorded(unit) -> None:
    first, _ = _pay(unit, "H-1", 105_000)
    second, _ = _pay(unit, "H-2", 50_000, at=MORNING + dt.timedelta(hours=3))
    # a payer who cancelled at the bank: a failed line, no money on either side
    _cancelled, fields = _order(_line(unit, "H-3", 20_000), MORNING)
    cancel = bank_payment_decide(fields=fields, paid=False, now=MORNING)
    payment_callback_receive(gateway="sandbox", params=cancel, now=MORNING)
    before = _money_state()

    report = _reconcile(_statement(), actor=UserFactory(kind="staff"))

    assert report.created
    assert report.is_clean
    run = report.run
    assert (run.gateway, run.day, run.differences_count) == ("sandbox", DAY, 0)
    assert (run.matched_count, run.matched_vnd) == (2, 155_000)
    assert (run.statement_count, run.statement_paid_vnd, run.statement_refunded_vnd) == (
        3,
        155_000,
        0,
    )
    assert (run.motcua_count, run.motcua_paid_vnd, run.motcua_refunded_vnd) == (2, 155_000, 0)
    assert _money_state() == before  # reconciliation only reports
    event = AuditEvent.objects.get(action="payments.reconcile")
    assert event.object_id == str(run.pk)
    assert event.actor_id == run.created_by_id
    assert {first.status, second.status} == {PaymentOrderStatus.SUCCEEDED}


def test_the_demo_bank_page_keeps_what_it_processed_in_its_own_book(unit) -> None:
    order, fields = _order(_line(unit, "H-1", 105_000), MORNING)
    client = Client()
    with freeze_time(MORNING):
        back = client.post("/demo-bank/pay/", {**fields, "decision": "pay"})
        assert back.status_code == 302
        result = dict(parse_qsl(urlsplit(back["Location"]).query))
        payment_callback_receive(gateway="sandbox", params=result, now=MORNING)
    kept = BankTransaction.objects.get()
    assert (kept.txn_ref, kept.amount, kept.status, kept.paid_at) == (
        order.order_ref,
        10_500_000,
        "00",
        MORNING,
    )
    assert kept.transaction_no == result["vnp_TransactionNo"]
    assert _reconcile(_statement()).is_clean


# --- one test per kind of difference ---------------------------------------------------------


def test_a_lost_callback_is_missing_in_motcua_and_names_the_pending_order(unit) -> None:
    order, result = _pay(unit, "H-1", 105_000, deliver=False)
    assert order.status == PaymentOrderStatus.PENDING
    before = _money_state()

    report = _reconcile(_statement())

    assert _kinds(report) == [(DifferenceKind.MISSING_IN_MOTCUA, order.order_ref)]
    (difference,) = report.differences
    assert difference.order == order
    assert (difference.statement_amount_vnd, difference.motcua_amount_vnd) == (105_000, None)
    assert (difference.statement_status, difference.motcua_status) == ("paid", "pending")
    assert difference.gateway_reference == result["vnp_TransactionNo"]
    assert difference.row == 2
    assert (report.run.matched_count, report.run.statement_paid_vnd) == (0, 105_000)
    assert report.run.motcua_paid_vnd == 0
    assert _money_state() == before  # the money is not taken from the report


def test_a_payment_the_bank_does_not_list_is_missing_in_the_statement(unit) -> None:
    kept, _ = _pay(unit, "H-1", 105_000)
    dropped, _ = _pay(unit, "H-2", 50_000)
    lines = [x for x in _statement() if x.order_ref != dropped.order_ref]

    report = _reconcile(lines)

    assert _kinds(report) == [(DifferenceKind.MISSING_IN_STATEMENT, dropped.order_ref)]
    (difference,) = report.differences
    assert difference.order == dropped
    assert (difference.statement_amount_vnd, difference.motcua_amount_vnd) == (None, 50_000)
    assert difference.motcua_status == "paid"
    assert report.run.matched_count == 1
    assert (report.run.statement_paid_vnd, report.run.motcua_paid_vnd) == (105_000, 155_000)
    assert kept.order_ref != dropped.order_ref


def test_a_different_amount_is_an_amount_mismatch(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000)
    (line,) = _statement()

    report = _reconcile([dataclasses.replace(line, amount_vnd=100_000)])

    assert _kinds(report) == [(DifferenceKind.AMOUNT_MISMATCH, order.order_ref)]
    (difference,) = report.differences
    assert (difference.statement_amount_vnd, difference.motcua_amount_vnd) == (100_000, 105_000)
    assert difference.order == order
    assert report.run.matched_count == 0


def test_a_refund_motcua_recorded_but_the_bank_did_not_is_a_status_mismatch(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000)
    fee_line_cancel(line=order.lines.get(), reason="Nộp nhầm", now=MORNING + dt.timedelta(hours=1))

    report = _reconcile(_statement())

    # the payment matches; the refund is on motcua's side only (not yet made at the bank)
    assert _kinds(report) == [(DifferenceKind.STATUS_MISMATCH, order.order_ref)]
    (difference,) = report.differences
    assert (difference.statement_status, difference.motcua_status) == ("paid", "refunded")
    assert difference.motcua_amount_vnd == 105_000
    assert difference.order == order
    assert (report.run.matched_count, report.run.motcua_refunded_vnd) == (1, 105_000)


def test_money_that_came_after_a_cancel_is_refunded_by_motcua_and_owed_back_at_the_bank(
    unit,
) -> None:
    order, fields = _order(_line(unit, "H-1", 105_000), MORNING)
    payment_order_cancel(order=order, now=MORNING)
    result = bank_payment_decide(fields=fields, paid=True, now=MORNING)
    outcome, _ = payment_callback_receive(gateway="sandbox", params=result, now=MORNING)
    assert outcome == "refunded"

    report = _reconcile(_statement())

    assert _kinds(report) == [(DifferenceKind.STATUS_MISMATCH, order.order_ref)]
    (difference,) = report.differences
    assert difference.order == order
    assert (difference.motcua_status, difference.motcua_amount_vnd) == ("refunded", 105_000)
    assert (report.run.matched_count, report.run.motcua_refunded_vnd) == (1, 105_000)


def test_a_refund_the_bank_made_that_motcua_did_not_record_is_a_status_mismatch(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000)
    (line,) = _statement()
    refund = dataclasses.replace(line, gateway_reference="99990001", status="refunded", row=3)

    report = _reconcile([line, refund])

    assert _kinds(report) == [(DifferenceKind.STATUS_MISMATCH, order.order_ref)]
    (difference,) = report.differences
    assert (difference.statement_status, difference.motcua_status) == ("refunded", "paid")
    assert (difference.statement_amount_vnd, difference.row) == (105_000, 3)
    assert report.run.statement_refunded_vnd == 105_000


def test_a_refund_on_both_sides_matches(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000)
    fee_line_cancel(line=order.lines.get(), reason="Nộp nhầm", now=MORNING)
    (line,) = _statement()
    refund = dataclasses.replace(line, gateway_reference="99990001", status="refunded")

    report = _reconcile([line, refund])

    assert report.is_clean
    assert (report.run.matched_count, report.run.matched_vnd) == (2, 210_000)


def test_a_payment_the_bank_reports_failed_is_a_status_mismatch(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000)
    (line,) = _statement()

    report = _reconcile([dataclasses.replace(line, status="failed")])

    assert _kinds(report) == [(DifferenceKind.STATUS_MISMATCH, order.order_ref)]
    (difference,) = report.differences
    assert (difference.statement_status, difference.motcua_status) == ("failed", "paid")


def test_a_line_listed_twice_is_a_duplicate_in_the_statement(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000)
    (line,) = _statement()
    charged_again = dataclasses.replace(line, gateway_reference="99990002", row=4)

    report = _reconcile([line, dataclasses.replace(line, row=3), charged_again])

    assert _kinds(report) == [
        (DifferenceKind.DUPLICATE_IN_STATEMENT, order.order_ref),
        (DifferenceKind.DUPLICATE_IN_STATEMENT, order.order_ref),
    ]
    assert [d.row for d in report.differences] == [3, 4]
    assert report.run.matched_count == 1  # the first line still matches the payment
    assert report.run.statement_paid_vnd == 315_000  # what the bank says it took


def test_a_reference_that_is_not_an_order_of_ours_is_an_unknown_order(unit) -> None:
    _pay(unit, "H-1", 105_000)
    (line,) = _statement()
    stranger = dataclasses.replace(line, order_ref="OTHER-SHOP-1", gateway_reference="1", row=3)

    report = _reconcile([line, stranger])

    assert _kinds(report) == [(DifferenceKind.UNKNOWN_ORDER, "OTHER-SHOP-1")]
    assert report.differences[0].order is None
    assert report.differences[0].statement_amount_vnd == 105_000


# --- idempotent runs, kept for the accountant ------------------------------------------------


def test_the_same_file_again_is_the_same_run_and_a_changed_result_supersedes_it(unit) -> None:
    order, result = _pay(unit, "H-1", 105_000, deliver=False)
    lines = _statement()

    first = _reconcile(lines, file_sha256="a" * 64)
    again = _reconcile(lines, file_sha256="a" * 64)

    assert first.created
    assert not again.created
    assert again.run.pk == first.run.pk
    assert _kinds(again) == _kinds(first)
    assert ReconciliationRun.objects.count() == 1
    assert ReconciliationDifference.objects.count() == 1
    assert AuditEvent.objects.filter(action="payments.reconcile").count() == 1

    # the lost callback is delivered: the same file now reconciles, in a new run
    payment_callback_receive(gateway="sandbox", params=result, now=MORNING + dt.timedelta(hours=1))
    fixed = _reconcile(lines, file_sha256="a" * 64)

    assert fixed.created
    assert fixed.is_clean
    assert fixed.run.supersedes == first.run
    first.run.refresh_from_db()
    assert first.run.superseded_by == fixed.run
    assert ReconciliationRun.objects.count() == 2
    assert order.order_ref == lines[0].order_ref


def test_another_file_for_the_day_is_a_new_run_that_supersedes_the_current_one(unit) -> None:
    _pay(unit, "H-1", 105_000)
    lines = _statement()
    first = _reconcile(lines, file_sha256="a" * 64)

    corrected = _reconcile([], file_sha256="b" * 64)  # the bank sent an empty file

    assert corrected.created
    assert corrected.run.supersedes == first.run
    assert [d.kind for d in corrected.differences] == [DifferenceKind.MISSING_IN_STATEMENT]
    # the first file again, same result: the run on record
    assert _reconcile(lines, file_sha256="a" * 64).run.pk == first.run.pk
    # another day is its own history
    other_day = _reconcile([], day=DAY + dt.timedelta(days=1), file_sha256="b" * 64)
    assert other_day.created
    assert other_day.run.supersedes is None
    assert other_day.is_clean


def test_reconciliation_refuses_the_counter_which_has_no_statement() -> None:
    with pytest.raises(StatementNotSupported):
        gateway_statement_reader("counter").parse_statement(io.StringIO(HEADER))
    with pytest.raises(Exception, match="không có sao kê") as refused:
        payments_reconcile(gateway="counter", day=DAY, lines=[], actor=None, now=RUN_AT)
    assert refused.value.code == "statement_not_supported"  # type: ignore[attr-defined]
    assert ReconciliationRun.objects.count() == 0


# --- the day in Vietnam time ----------------------------------------------------------------


def test_a_payment_at_2359_vietnam_time_belongs_to_that_day(unit) -> None:
    late = dt.datetime(2026, 12, 1, 23, 59, 30, tzinfo=VN_TZ)  # 16:59:30 UTC, same date
    after_midnight = dt.datetime(2026, 12, 2, 0, 30, tzinfo=VN_TZ)  # 17:30 UTC on 1 December
    in_day, _ = _pay(unit, "H-1", 105_000, at=late)
    next_day, _ = _pay(unit, "H-2", 50_000, at=after_midnight)

    first = _statement(DAY)
    second = _statement(DAY + dt.timedelta(days=1))

    assert [x.order_ref for x in first] == [in_day.order_ref]
    assert [x.order_ref for x in second] == [next_day.order_ref]
    report = _reconcile(first)
    assert report.is_clean
    assert (report.run.matched_count, report.run.motcua_paid_vnd) == (1, 105_000)
    assert _reconcile(second, day=DAY + dt.timedelta(days=1)).is_clean


def test_a_payment_across_midnight_reconciles_on_exactly_one_day_the_banks(unit) -> None:
    """Paid at the bank at 23:59:59, confirmed by a callback after midnight: the payment is
    dated by the bank's pay time (vnp_PayDate), so it matches on 1 December and is not on
    motcua's side of 2 December at all."""
    late = dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=VN_TZ)
    confirmed = dt.datetime(2026, 12, 2, 0, 0, 4, tzinfo=VN_TZ)
    order, fields = _order(_line(unit, "H-1", 105_000, at=late), late)
    result = bank_payment_decide(fields=fields, paid=True, now=late)
    outcome, _ = payment_callback_receive(gateway="sandbox", params=result, now=confirmed)
    assert outcome == "confirmed"
    order.refresh_from_db()
    assert order.payment is not None
    assert (order.payment.paid_at, order.payment.at) == (late, confirmed)
    next_day = DAY + dt.timedelta(days=1)

    first = _reconcile(_statement(DAY))
    second = _reconcile(_statement(next_day), day=next_day)

    assert first.is_clean
    assert (first.run.matched_count, first.run.motcua_count) == (1, 1)
    assert (first.run.statement_paid_vnd, first.run.motcua_paid_vnd) == (105_000, 105_000)
    assert second.is_clean
    assert (second.run.statement_count, second.run.motcua_count) == (0, 0)


def test_a_callback_without_a_pay_time_is_dated_by_its_confirmation(unit) -> None:
    late = dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=VN_TZ)
    confirmed = dt.datetime(2026, 12, 2, 0, 0, 4, tzinfo=VN_TZ)
    order, fields = _order(_line(unit, "H-1", 105_000, at=late), late)
    result = bank_payment_decide(fields=fields, paid=True, now=late)
    del result["vnp_PayDate"], result["vnp_SecureHash"]
    secret = str(gateway_get("sandbox").config.get("hash_secret", ""))
    result["vnp_SecureHash"] = sign(result, secret)
    payment_callback_receive(gateway="sandbox", params=result, now=confirmed)
    order.refresh_from_db()
    assert order.payment is not None
    assert order.payment.paid_at == order.payment.at == confirmed

    report = _reconcile(_statement())

    assert _kinds(report) == [(DifferenceKind.MISSING_IN_MOTCUA, order.order_ref)]
    (difference,) = report.differences
    assert (difference.note_code, difference.note_params) == (
        "paid_other_day",
        {"paid_at": "2026-12-01T17:00:04+00:00"},
    )
    assert difference.note == "Hệ thống ghi nhận thanh toán ngày khác (02/12/2026 00:00)"
    with translation.override("en"):
        english = "The system recorded the payment on another day (02/12/2026 00:00)"
        assert difference.note == english
        assert report.as_dict()["differences"][0]["note_code"] == "paid_other_day"


# --- the VNPay-style statement file ----------------------------------------------------------


def test_the_vnpay_statement_reads_amounts_x100_and_dates_in_vietnam_time() -> None:
    text = (
        "\ufeff" + HEADER + "MERCHANT,MC1,14000001,01,10500000,VND,NCB,20261201235930,00,Le phi\n"
        "MERCHANT,MC2,14000002,02,5000000,VND,NCB,20261201080000,00,Hoan\n"
        "MERCHANT,MC3,14000003,01,2000000,VND,NCB,20261201080000,02,Huy\n"
        "\n"
    )

    paid, refunded, failed = statement_parse(io.BytesIO(text.encode()))

    assert (paid.order_ref, paid.gateway_reference, paid.amount_vnd) == ("MC1", "14000001", 105_000)
    assert paid.paid_at == dt.datetime(2026, 12, 1, 16, 59, 30, tzinfo=dt.UTC)
    assert paid.paid_at.utcoffset() == dt.timedelta(hours=7)
    assert (paid.status, paid.currency, paid.row) == ("paid", "VND", 2)
    assert paid.raw["vnp_BankCode"] == "NCB"
    assert (refunded.status, refunded.amount_vnd) == ("refunded", 50_000)
    assert (failed.status, failed.row) == ("failed", 4)


def test_the_vnpay_statement_columns_may_come_in_any_order_with_extra_ones() -> None:
    text = (
        "vnp_PayDate,vnp_Amount,vnp_TxnRef,vnp_TransactionStatus,vnp_TransactionNo,Ghi chu\n"
        "20261201090000,100,MC1,00,1,x\n"
    )
    (line,) = statement_parse(io.StringIO(text))
    assert (line.amount_vnd, line.status, line.raw["Ghi chu"]) == (1, "paid", "x")


def test_bad_statement_rows_are_each_named_by_their_row_and_nothing_is_used() -> None:
    text = (
        HEADER + "M,MC1,1,01,10500000,VND,NCB,20261201090000,00,ok\n"
        "M,MC2,2,01,10500050,VND,NCB,20261201090000,00,odd dong\n"
        "M,MC3,3,01,abc,VND,NCB,2026-12-01,00,two problems\n"
        "M,,4,01,100,VND,NCB,20261201090000,00,no reference\n"
        "M,MC5,5,01,100,VND\n"
        "M,MC6,6,09,100,VND,NCB,20261201090000,00,unknown type\n"
    )

    with pytest.raises(StatementError) as bad:
        statement_parse(io.StringIO(text))

    problems = bad.value.problems
    assert [(p.row, p.reason, p.column) for p in problems] == [
        (3, "amount_invalid", "vnp_Amount"),
        (4, "amount_invalid", "vnp_Amount"),
        (4, "pay_date_invalid", "vnp_PayDate"),
        (5, "value_empty", "vnp_TxnRef"),
        (6, "field_count", ""),
        (7, "type_invalid", "vnp_TransactionType"),
    ]
    with translation.override("vi"):
        assert [p.message for p in problems] == [
            "Cột vnp_Amount: '10500050' không phải số đồng chẵn nhân 100.",
            "Cột vnp_Amount: 'abc' không phải số đồng chẵn nhân 100.",
            "Cột vnp_PayDate: '2026-12-01' không đúng dạng yyyyMMddHHmmss.",
            "Cột vnp_TxnRef để trống.",
            "Dòng có 6 trường, dòng tiêu đề có 10.",
            "Cột vnp_TransactionType: '09' không phải 01, 02 hay 03.",
        ]
        assert str(bad.value).startswith("dòng 3: Cột vnp_Amount: '10500050'")
    with translation.override("en"):
        assert [p.message for p in problems] == [
            "vnp_Amount '10500050' is not whole dong x 100.",
            "vnp_Amount 'abc' is not whole dong x 100.",
            "vnp_PayDate '2026-12-01' is not yyyyMMddHHmmss.",
            "vnp_TxnRef is empty.",
            "6 fields, the header has 10.",
            "vnp_TransactionType '09' is not 01, 02 or 03.",
        ]
        assert statement_problems_text(problems, limit=2) == (
            "row 3: vnp_Amount '10500050' is not whole dong x 100.; "
            "row 4: vnp_Amount 'abc' is not whole dong x 100.; and 4 more"
        )


def test_a_statement_without_the_needed_columns_is_refused_at_its_header() -> None:
    with pytest.raises(StatementError) as bad:
        statement_parse(io.StringIO("vnp_TxnRef,vnp_Amount\nMC1,100\n"))
    [problem] = bad.value.problems
    assert (problem.row, problem.reason) == (1, "header_missing")
    with translation.override("vi"):
        assert problem.message == (
            "Dòng tiêu đề thiếu cột vnp_TransactionNo, vnp_PayDate, vnp_TransactionStatus."
        )
    with pytest.raises(StatementError) as undecodable:
        statement_parse(io.BytesIO(b"\xff\xfe not utf-8"))
    assert [(p.row, p.reason) for p in undecodable.value.problems] == [(1, "not_utf8")]
    long_ref = HEADER + "M," + "R" * 41 + ",1,01,100,VND,NCB,20261201090000,00,x\n"
    with pytest.raises(StatementError) as too_long:
        statement_parse(io.StringIO(long_ref))
    [problem] = too_long.value.problems
    with translation.override("vi"):
        assert (problem.reason, problem.message) == (
            "reference_too_long",
            "Cột vnp_TxnRef dài quá 40 ký tự.",
        )


def test_the_vnpay_gateway_reads_its_statement_without_being_configured() -> None:
    reader = gateway_statement_reader("vnpay")
    lines = reader.parse_statement(io.StringIO(HEADER + "M,MC1,1,,100,,,20261201090000,00,\n"))
    assert (reader.name, lines[0].status, lines[0].currency) == ("vnpay", "paid", "VND")


# --- the commands -----------------------------------------------------------------------------


def _export(tmp_path: Path, day: dt.date = DAY) -> Path:
    path = tmp_path / f"sandbox-{day}.csv"
    err = io.StringIO()
    call_command(
        "payments_statement",
        "--gateway",
        "sandbox",
        "--date",
        str(day),
        "-o",
        str(path),
        stderr=err,
    )
    assert "dòng sao kê ngày" in err.getvalue()
    return path


def test_the_statement_command_exports_the_bank_book_of_the_day(unit, tmp_path) -> None:
    order, result = _pay(unit, "H-1", 105_000)
    out = io.StringIO()
    call_command("payments_statement", "--date", "2026-12-01", stdout=out)
    rows = out.getvalue().splitlines()
    assert rows[0] == HEADER.strip()
    assert rows[1].split(",")[1:5] == [
        order.order_ref,
        result["vnp_TransactionNo"],
        "01",
        "10500000",
    ]
    assert len(rows) == 2
    assert _export(tmp_path).read_text(encoding="utf-8").splitlines() == rows
    with pytest.raises(CommandError, match="sandbox"):
        call_command("payments_statement", "--gateway", "vnpay", "--date", "2026-12-01")


def test_the_reconcile_command_exits_0_when_all_matches(unit, tmp_path) -> None:
    _pay(unit, "H-1", 105_000)
    accountant = UserFactory(kind="staff")
    out = io.StringIO()
    with freeze_time(RUN_AT):
        call_command(
            "payments_reconcile",
            "--gateway",
            "sandbox",
            "--date",
            "2026-12-01",
            "--actor",
            accountant.username,
            str(_export(tmp_path)),
            stdout=out,
        )
    text = out.getvalue()
    assert "Khớp (matched): 1 giao dịch, 105.000 đ" in text
    assert "Sao kê (statement): 1 dòng, đã thu 105.000 đ, đã hoàn 0 đ" in text
    assert "Hệ thống (motcua): 1 giao dịch, đã thu 105.000 đ, đã hoàn 0 đ" in text
    assert "Không có chênh lệch" in text
    assert ReconciliationRun.objects.get().created_by == accountant


def test_the_reconcile_command_lists_the_differences_and_exits_1(unit, tmp_path) -> None:
    _pay(unit, "H-1", 105_000)
    lost, _ = _pay(unit, "H-2", 50_000, deliver=False)
    path = _export(tmp_path)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_, freeze_time(RUN_AT):
        call_command(
            "payments_reconcile",
            "--gateway",
            "sandbox",
            "--date",
            "2026-12-01",
            str(path),
            stdout=out,
        )
    assert exit_.value.code == 1
    text = out.getvalue()
    assert "Chênh lệch (differences): 1" in text
    table = text.splitlines()[-2:]
    assert table[0].split()[:3] == ["kind", "reference", "gateway"]
    assert table[1].split()[:2] == ["missing_in_motcua", lost.order_ref]
    assert "50.000 paid" in table[1]

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "payments_reconcile",
            "--gateway",
            "sandbox",
            "--date",
            "2026-12-01",
            "--json",
            str(path),
            stdout=out,
        )
    assert exit_.value.code == 1
    data = json.loads(out.getvalue())
    assert data["created"] is False  # the same file, the same result: the run on record
    assert data["matched"] == {"count": 1, "amount_vnd": 105_000}
    assert data["statement"] == {"count": 2, "paid_vnd": 155_000, "refunded_vnd": 0}
    assert data["motcua"] == {"count": 1, "paid_vnd": 105_000, "refunded_vnd": 0}
    assert [(d["kind"], d["order"], d["row"]) for d in data["differences"]] == [
        ("missing_in_motcua", lost.order_ref, 3)
    ]
    assert {k: data["differences"][0][k] for k in ("note_code", "note_params", "note")} == {
        "note_code": "order_status",
        "note_params": {"status": "pending"},
        "note": "Giao dịch đang ở trạng thái Đang chờ thanh toán",
    }
    assert ReconciliationRun.objects.count() == 1


def test_the_reconcile_command_refuses_a_bad_file_with_exit_2(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "M,MC1,1,01,12,VND,NCB,20261201090000,00,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="dòng 2: Cột vnp_Amount: '12' không phải") as refused:
        call_command(
            "payments_reconcile", "--gateway", "sandbox", "--date", "2026-12-01", str(path)
        )
    assert refused.value.returncode == 2
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "payments_reconcile",
            "--gateway",
            "sandbox",
            "--date",
            "2026-12-01",
            "--json",
            str(path),
            stdout=out,
        )
    assert json.loads(out.getvalue()) == {
        "code": "statement_invalid",
        "errors": [
            {
                "field": "file",
                "code": "statement_row",
                "reason": "amount_invalid",
                "column": "vnp_Amount",
                "message": "Cột vnp_Amount: '12' không phải số đồng chẵn nhân 100.",
                "row": 2,
            }
        ],
    }
    with pytest.raises(CommandError, match="không có sao kê"):
        call_command(
            "payments_reconcile", "--gateway", "counter", "--date", "2026-12-01", str(path)
        )
    assert ReconciliationRun.objects.count() == 0


# --- the admin ----------------------------------------------------------------------------------


def test_past_runs_are_read_only_in_the_admin_with_their_differences(unit) -> None:
    order, _ = _pay(unit, "H-1", 105_000, deliver=False)
    run = _reconcile(_statement()).run
    client = Client()
    client.force_login(UserFactory(kind="staff", is_staff=True, is_superuser=True))

    listing = client.get("/admin/payments/reconciliationrun/")
    page = client.get(f"/admin/payments/reconciliationrun/{run.pk}/change/")

    assert listing.status_code == 200
    assert page.status_code == 200
    assert "sandbox" in listing.content.decode()
    assert order.order_ref in page.content.decode()
    assert client.get("/admin/payments/reconciliationrun/add/").status_code == 403
    assert client.post(f"/admin/payments/reconciliationrun/{run.pk}/delete/").status_code == 403
    assert ReconciliationRun.objects.count() == 1
