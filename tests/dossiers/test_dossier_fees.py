"""A dossier's fee lines from its version's fee rules: "before" fees at submission and at
counter reception (once), "after" fees at request_payment, exemptions with their reason."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import Fee
from motcua.core.errors import ValidationError
from motcua.dossiers.models import Dossier, Suspension
from motcua.dossiers.services import dossier_request_payment
from motcua.dossiers.services.fees import dossier_fees_charge_before
from motcua.dossiers.services.payments import dossier_payment_at_counter
from motcua.payments.models import FeeLine, LedgerEntry
from motcua.payments.services import fee_line_cancel

from .helpers import MON, processing, received, state, submitted, vn


def _rules(world, *rules: dict) -> None:
    for order, kw in enumerate(rules, start=1):
        kw.setdefault("name", f"Khoản {order}")
        Fee.objects.create(version=world.version, order=order, **kw)


def _lines(dossier: Dossier) -> list[tuple]:
    return [
        (x.name, x.timing, x.quantity, x.gross_vnd, x.exempt_vnd, x.net_vnd, x.state)
        for x in FeeLine.objects.filter(dossier_code=dossier.code).order_by("pk")
    ]


def _balanced(code: str) -> None:
    entries = LedgerEntry.objects.filter(transaction__dossier_code=code)
    assert sum(e.amount_vnd for e in entries) == 0
    receivable = sum(e.amount_vnd for e in entries if e.account == "receivable")
    owed = sum(
        x.net_vnd
        for x in FeeLine.objects.filter(dossier_code=code, state__in=["unpaid", "pending"])
    )
    assert receivable == owed


def test_online_submission_charges_the_before_fees_once_with_the_online_discount(world):
    _rules(
        world,
        {"amount_vnd": 100_000, "kind": "fee"},
        {
            "name": "Lệ phí đăng ký",
            "amount_vnd": 50_000,
            "exemptions": [{"category": "online", "percent": 100, "basis": "TT 47/2019"}],
        },
        {"name": "Sau", "amount_vnd": 30_000, "timing": "after"},
        {"name": "Miễn", "amount_vnd": 0, "timing": "exempt"},
    )
    dossier = submitted(world)
    assert _lines(dossier) == [
        ("Khoản 1", "before", 1, 100_000, 0, 100_000, "unpaid"),
        ("Lệ phí đăng ký", "before", 1, 50_000, 50_000, 0, "exempt"),
    ]
    exempt = FeeLine.objects.get(dossier_code=dossier.code, name="Lệ phí đăng ký")
    assert exempt.exemption_reason == "Nộp hồ sơ trực tuyến (100%): TT 47/2019"
    assert FeeLine.objects.get(dossier_code=dossier.code, name="Khoản 1").collecting_unit == (
        world.ward
    )
    # Never twice for the same dossier.
    again = dossier_fees_charge_before(dossier=dossier, now=MON, copies=4)
    assert [x.name for x in again] == ["Khoản 1", "Lệ phí đăng ký"]
    assert len(_lines(dossier)) == 2
    _balanced(dossier.code)


def test_counter_reception_charges_per_page_with_the_claimed_exemption(world):
    _rules(
        world,
        {
            "name": "Chứng thực",
            "amount_vnd": 2_000,
            "counting": "per_page",
            "tier_from": 3,
            "tier_amount_vnd": 1_000,
        },
        {
            "name": "Lệ phí",
            "amount_vnd": 10_000,
            "exemptions": [
                {"category": "poor", "percent": 100, "basis": "NQ HĐND"},
                {"category": "online", "percent": 50},
            ],
        },
    )
    dossier = received(world, pages=5, fee_claims=["poor"])
    assert dossier.fee_claims == ["poor"]
    assert _lines(dossier) == [
        ("Chứng thực (trang 1–2)", "before", 2, 4_000, 0, 4_000, "unpaid"),
        ("Chứng thực (từ trang 3)", "before", 3, 3_000, 0, 3_000, "unpaid"),
        ("Lệ phí", "before", 1, 10_000, 10_000, 0, "exempt"),
    ]
    assert FeeLine.objects.get(name="Lệ phí").exemption_reason == "Hộ nghèo (100%): NQ HĐND"
    _balanced(dossier.code)


def test_an_organisation_pays_its_own_rate(world):
    _rules(
        world,
        {"name": "Cá nhân", "amount_vnd": 10_000, "applicant_kind": "citizen"},
        {"name": "Tổ chức", "amount_vnd": 50_000, "applicant_kind": "organisation"},
    )
    world.citizen.kind = User.Kind.ORGANISATION
    world.citizen.save()
    dossier = received(world)
    assert [x[0] for x in _lines(dossier)] == ["Tổ chức"]


@pytest.mark.parametrize(
    ("kw", "code"),
    [({"fee_claims": ["rich"]}, "unknown_exemption"), ({"copies": -1}, "invalid_quantity")],
)
def test_bad_fee_input_refuses_the_reception_and_writes_nothing(world, kw, code):
    _rules(world, {"amount_vnd": 10_000, "counting": "per_copy"})
    with pytest.raises(ValidationError) as caught:
        received(world, **kw)
    assert caught.value.code == code
    assert not Dossier.objects.exists()
    assert not FeeLine.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_request_payment_charges_the_after_rules_by_the_handling_unit(world):
    _rules(
        world,
        {"name": "Trước", "amount_vnd": 5_000},
        {"name": "Lệ phí cấp giấy", "amount_vnd": 25_000, "timing": "after"},
        {"name": "Phí thẩm định", "amount_vnd": 40_000, "timing": "after", "kind": "fee"},
    )
    dossier = processing(world)
    dossier = dossier_request_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 3, 9))
    after = FeeLine.objects.filter(dossier_code=dossier.code, timing="after").order_by("pk")
    assert [(x.name, x.net_vnd, x.collecting_unit) for x in after] == [
        ("Lệ phí cấp giấy", 25_000, world.ward),
        ("Phí thẩm định", 40_000, world.ward),
    ]
    pause = Suspension.objects.get(dossier=dossier)
    assert [i["fee_line"] for i in pause.items] == [x.pk for x in after]
    event = dossier.events.get(action="request_payment")
    assert event.after["amount_vnd"] == 65_000
    assert event.after["fee_lines"] == [x.pk for x in after]
    _balanced(dossier.code)


def test_request_payment_with_an_officer_amount_names_the_varying_rule(world):
    _rules(world, {"name": "Lệ phí trước bạ", "amount_vnd": None, "timing": "after"})
    dossier = processing(world)
    dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=1_250_000, now=vn(2026, 3, 3, 9)
    )
    assert _lines(dossier) == [("Lệ phí trước bạ", "after", 1, 1_250_000, 0, 1_250_000, "unpaid")]
    line = FeeLine.objects.get(dossier_code=dossier.code)
    fee_line_cancel(line=line, reason="Nhầm số tiền", now=vn(2026, 3, 3, 10), actor=world.officer)
    _balanced(dossier.code)


def test_request_payment_without_an_amount_or_an_after_rule_is_refused(world):
    _rules(world, {"name": "Theo trường hợp", "amount_vnd": None, "timing": "after"})
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as caught:
        dossier_request_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 3, 9))
    assert caught.value.code == "amount_required"
    assert state(dossier) == before
    assert not FeeLine.objects.filter(timing="after").exists()


def test_request_payment_when_everything_is_exempt_is_refused(world):
    _rules(
        world,
        {
            "name": "Sau",
            "amount_vnd": 20_000,
            "timing": "after",
            "exemptions": [{"category": "disability", "percent": 100}],
        },
    )
    dossier = processing(world)
    Dossier.objects.filter(pk=dossier.pk).update(fee_claims=["disability"])
    dossier.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        dossier_request_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 3, 9))
    assert caught.value.code == "nothing_to_pay"
    assert not FeeLine.objects.filter(timing="after").exists()


def test_a_second_payment_request_never_charges_the_after_rules_twice(world):
    _rules(world, {"name": "Lệ phí cấp giấy", "amount_vnd": 25_000, "timing": "after"})
    dossier = processing(world)
    dossier = dossier_request_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 3, 9))
    dossier_payment_at_counter(
        dossier=dossier, officer=world.officer, method="cash", slip_number="PT-1",
        now=vn(2026, 3, 3, 10),
    )  # fmt: skip
    dossier.refresh_from_db()  # resumed by the payment (6 -> 4)
    with pytest.raises(ValidationError) as caught:
        dossier_request_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 9))
    assert caught.value.code == "already_charged"
    dossier.refresh_from_db()
    dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=7_000, now=vn(2026, 3, 4, 9)
    )
    assert [(x[0], x[5]) for x in _lines(dossier)] == [
        ("Lệ phí cấp giấy", 25_000),
        ("Phí, lệ phí", 7_000),
    ]
    _balanced(dossier.code)
