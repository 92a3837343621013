"""Electronic receipts: series per unit and year, numbers from 1 on 1 January, at most seven
digits, never reused; cancel and replace with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, NotFound, ValidationError
from motcua.core.models import AuditEvent
from motcua.organisation.models import Role
from motcua.payments.models import Receipt, ReceiptSeries, ReceiptStatus
from motcua.payments.receipts import receipt_cancel, receipt_issue, receipt_series_configure
from motcua.payments.services import fee_line_add, fee_lines_pay
from tests.dossiers.helpers import hk_receipt_series
from tests.factories import RoleAssignmentFactory, StaffFactory, UnitFactory

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    unit = UnitFactory(code="00070", name="UBND Phường Hoàn Kiếm")
    hk_receipt_series(unit=unit, now=NOW)
    return unit


def _paid(unit, *, amounts=(50_000,), dossier="H01.1-261202-0001", reference="", now=NOW):
    lines = [
        fee_line_add(
            dossier_code=dossier,
            collecting_unit=unit,
            name=f"Lệ phí {i + 1}",
            kind="charge",
            timing="before",
            unit_amount_vnd=amount,
            now=now,
        )
        for i, amount in enumerate(amounts)
    ]
    return fee_lines_pay(lines=lines, method="cash", reference=reference, now=now)


def test_a_receipt_carries_its_series_number_items_and_amount_in_words(unit) -> None:
    officer = StaffFactory()
    receipt = receipt_issue(
        payment=_paid(unit, amounts=(1_000_000, 250_000)),
        payer_name="Nguyễn Văn An",
        payer_id_number="001090000001",
        actor=officer,
        now=NOW,
    )
    assert (receipt.series.form_symbol, receipt.series.series, receipt.number_text) == (
        "01BLP",
        "HK26",
        "0000001",
    )
    assert receipt.amount_vnd == 1_250_000
    assert receipt.amount_in_words == "Một triệu hai trăm năm mươi nghìn đồng"
    assert [(i["name"], i["amount_vnd"]) for i in receipt.items] == [
        ("Lệ phí 1", 1_000_000),
        ("Lệ phí 2", 250_000),
    ]
    assert (receipt.collector_name, receipt.collector_tax_code) == (
        "UBND Phường Hoàn Kiếm",
        "0101234567",
    )
    assert receipt.issued_by == officer


def test_numbers_follow_each_other_and_one_payment_has_one_receipt(unit) -> None:
    payments = [_paid(unit, dossier=f"H-{i}") for i in range(3)]
    numbers = [receipt_issue(payment=p, payer_name="A", now=NOW).number for p in payments]
    assert numbers == [1, 2, 3]
    again = receipt_issue(payment=payments[0], payer_name="A", now=NOW)
    assert again.number == 1
    assert Receipt.objects.count() == 3


def test_a_failed_receipt_gives_its_number_back(unit) -> None:
    first = _paid(unit, dossier="H-1")
    second = _paid(unit, dossier="H-2")

    def issue_then_fail() -> None:
        with transaction.atomic():
            receipt_issue(payment=first, payer_name="A", now=NOW)
            raise RuntimeError("signing failed")  # the caller's transaction rolls back

    with pytest.raises(RuntimeError, match="signing failed"):
        issue_then_fail()
    assert receipt_issue(payment=second, payer_name="B", now=NOW).number == 1


def test_numbers_start_at_one_on_the_first_of_january(unit) -> None:
    receipt_issue(payment=_paid(unit, dossier="H-1"), payer_name="A", now=NOW)
    new_year = dt.datetime(2027, 1, 1, 0, 5, tzinfo=VN_TZ)
    receipt = receipt_issue(
        payment=_paid(unit, dossier="H-2", now=new_year), payer_name="A", now=new_year
    )
    assert (receipt.series.year, receipt.series.series, receipt.number) == (2027, "HK27", 1)
    # the local year decides: 31 December 23:30 in Hanoi is still 2026 (16:30 UTC)
    late = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    receipt = receipt_issue(payment=_paid(unit, dossier="H-3", now=late), payer_name="A", now=late)
    assert (receipt.series.year, receipt.number) == (2026, 2)


def test_cancel_and_replace_never_reuses_a_number(unit) -> None:
    officer = StaffFactory()
    RoleAssignmentFactory(user=officer, unit=unit, role=Role.OFFICER)  # collects for the unit
    receipt = receipt_issue(payment=_paid(unit), payer_name="Nguyễn Văn Anh", now=NOW)
    replacement = receipt_cancel(
        receipt=receipt,
        reason="Sai tên người nộp",
        actor=officer,
        now=NOW,
        replace_with={"payer_name": "Nguyễn Văn An"},
    )
    assert replacement is not None
    receipt.refresh_from_db()
    assert (receipt.status, receipt.cancel_reason, receipt.number) == (
        ReceiptStatus.CANCELLED,
        "Sai tên người nộp",
        1,
    )
    assert (replacement.number, replacement.payer_name, replacement.replaces) == (
        2,
        "Nguyễn Văn An",
        receipt,
    )
    assert replacement.amount_vnd == receipt.amount_vnd
    assert AuditEvent.objects.filter(action="receipt.cancel", object_id=str(receipt.pk)).exists()
    # a replacement can be replaced in turn (its payment is found through the chain)
    third = receipt_cancel(
        receipt=replacement, reason="Sai địa chỉ", actor=officer, now=NOW, replace_with={}
    )
    assert third is not None
    assert third.number == 3
    with pytest.raises(Conflict) as caught:
        receipt_cancel(receipt=receipt, reason="lần nữa", actor=officer, now=NOW)
    assert caught.value.code == "receipt_cancelled"


def test_cancelling_needs_a_reason_and_changes_nothing_without_one(unit) -> None:
    receipt = receipt_issue(payment=_paid(unit), payer_name="A", now=NOW)
    with pytest.raises(ValidationError):
        receipt_cancel(receipt=receipt, reason=" ", actor=None, now=NOW)
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.ISSUED


def test_a_unit_without_a_series_is_told_so() -> None:
    unit = UnitFactory()
    with pytest.raises(NotFound) as caught:
        receipt_issue(payment=_paid(unit), payer_name="A", now=NOW)
    assert caught.value.code == "receipt_series_missing"


def test_seven_digits_at_most(unit) -> None:
    ReceiptSeries.objects.filter(unit=unit).update(last=9_999_998)
    assert receipt_issue(payment=_paid(unit, dossier="H-1"), payer_name="A", now=NOW).number == (
        9_999_999
    )
    with pytest.raises(Conflict) as caught:
        receipt_issue(payment=_paid(unit, dossier="H-2"), payer_name="A", now=NOW)
    assert caught.value.code == "receipt_numbers_exhausted"


def test_the_series_is_checked_and_frozen_once_used(unit) -> None:
    with pytest.raises(ValidationError) as caught:
        receipt_series_configure(
            unit=unit,
            year=2026,
            form_symbol="01BLP",
            letters="h1",
            collector_name="",
            collector_tax_code="12",
            actor=None,
            now=NOW,
        )
    assert {e["field"] for e in caught.value.errors} == {
        "letters",
        "collector_name",
        "collector_tax_code",
    }
    receipt_issue(payment=_paid(unit), payer_name="A", now=NOW)
    with pytest.raises(Conflict) as frozen:
        receipt_series_configure(
            unit=unit,
            year=2026,
            form_symbol="01BLP",
            letters="HB",
            collector_name="UBND Phường Hoàn Kiếm",
            collector_tax_code="0101234567",
            actor=None,
            now=NOW,
        )
    assert frozen.value.code == "receipt_series_in_use"
