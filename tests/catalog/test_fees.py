"""Fee rules: `motcua.catalog.fees.fees_assess` (pure: unsaved rules, no database)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.fees import fee_exemptions_clean, fees_assess
from motcua.catalog.models import Fee
from motcua.core.errors import ValidationError


def rule(**kw: Any) -> Fee:
    kw.setdefault("name", "Lệ phí")
    kw.setdefault("amount_vnd", 50_000)
    return Fee(**kw)


def test_a_fixed_fee_is_one_line_whatever_the_copies():
    (line,) = fees_assess(fees=[rule()], copies=5, pages=9)
    assert (line.quantity, line.unit_amount_vnd, line.gross_vnd, line.net_vnd) == (
        1,
        50_000,
        50_000,
        50_000,
    )
    assert line.exemption_reason == ""


def test_per_copy_counts_the_copies():
    (line,) = fees_assess(fees=[rule(amount_vnd=8_000, counting="per_copy")], copies=3)
    assert (line.quantity, line.gross_vnd) == (3, 24_000)


def test_per_page_with_a_second_rate_from_page_three_gives_two_lines():
    certify = rule(
        name="Phí chứng thực",
        amount_vnd=2_000,
        counting="per_page",
        tier_from=3,
        tier_amount_vnd=1_000,
        cap_vnd=200_000,
    )
    lines = fees_assess(fees=[certify], pages=7)
    assert [(x.quantity, x.unit_amount_vnd, x.gross_vnd) for x in lines] == [
        (2, 2_000, 4_000),
        (5, 1_000, 5_000),
    ]
    assert sum(x.net_vnd for x in lines) == 9_000
    (two,) = fees_assess(fees=[certify], pages=2)
    assert (two.quantity, two.gross_vnd) == (2, 4_000)


def test_the_cap_limits_the_amount():
    certify = rule(
        amount_vnd=2_000, counting="per_page", tier_from=3, tier_amount_vnd=1_000, cap_vnd=200_000
    )
    (line,) = fees_assess(fees=[certify], pages=500)  # 4,000 + 498,000 > 200,000
    assert (line.quantity, line.unit_amount_vnd, line.net_vnd) == (1, 200_000, 200_000)


def test_a_rule_for_one_applicant_kind_only_applies_to_it():
    rules = [
        rule(name="Cá nhân", amount_vnd=10_000, applicant_kind="citizen"),
        rule(name="Tổ chức", amount_vnd=50_000, applicant_kind="organisation", order=2),
        rule(name="Mọi người", amount_vnd=1_000, order=3),
    ]
    citizen = fees_assess(fees=rules, applicant_kind="citizen")
    company = fees_assess(fees=rules, applicant_kind="organisation")
    assert [(x.name, x.net_vnd) for x in citizen] == [("Cá nhân", 10_000), ("Mọi người", 1_000)]
    assert [(x.name, x.net_vnd) for x in company] == [("Tổ chức", 50_000), ("Mọi người", 1_000)]


def test_an_exemption_applies_only_when_claimed_and_names_its_reason():
    poor = rule(
        exemptions=[{"category": "poor", "percent": 100, "basis": "Thông tư 244/2016/TT-BTC"}]
    )
    (plain,) = fees_assess(fees=[poor])
    (claimed,) = fees_assess(fees=[poor], exemption_claims=["poor"])
    assert (plain.exempt_vnd, plain.net_vnd) == (0, 50_000)
    assert (claimed.exempt_vnd, claimed.net_vnd) == (50_000, 0)
    assert claimed.exemption_reason == "Hộ nghèo (100%): Thông tư 244/2016/TT-BTC"


def test_the_reason_is_kept_in_vietnamese_whatever_the_applicants_language():
    poor = rule(exemptions=[{"category": "poor", "percent": 100, "basis": "TT 244/2016"}])
    with translation.override("en"):
        (line,) = fees_assess(fees=[poor], exemption_claims=["poor"])
    assert line.exemption_reason == "Hộ nghèo (100%): TT 244/2016"


def test_the_online_discount_applies_by_itself_online_only():
    business = rule(exemptions=[{"category": "online", "percent": 100, "basis": "TT 47/2019"}])
    (online,) = fees_assess(fees=[business], online=True)
    (counter,) = fees_assess(fees=[business], online=False)
    assert online.net_vnd == 0
    assert "Nộp hồ sơ trực tuyến" in online.exemption_reason
    assert counter.net_vnd == 50_000


def test_the_largest_exemption_wins_and_a_fixed_amount_never_exceeds_the_gross():
    fee = rule(
        amount_vnd=200_000,
        exemptions=[
            {"category": "merit", "amount_vnd": 100_000, "basis": "giảm 50%"},
            {"category": "near_poor", "percent": 30, "basis": "giảm 30%"},
            {"category": "other", "amount_vnd": 900_000, "label": "Sinh viên", "basis": "x"},
        ],
    )
    (both,) = fees_assess(fees=[fee], exemption_claims=["merit", "near_poor"])
    assert (both.exempt_vnd, both.net_vnd) == (100_000, 100_000)
    (student,) = fees_assess(fees=[fee], exemption_claims=["other"])
    assert (student.exempt_vnd, student.net_vnd) == (200_000, 0)
    assert student.exemption_reason.startswith("Sinh viên")


def test_a_percent_is_rounded_half_up_to_whole_dong():
    fee = rule(amount_vnd=3_333, exemptions=[{"category": "near_poor", "percent": 50}])
    (line,) = fees_assess(fees=[fee], exemption_claims=["near_poor"])
    assert (line.exempt_vnd, line.net_vnd) == (1_667, 1_666)  # 1,666.5 rounds up


def test_free_exempt_and_varying_rules_charge_nothing():
    rules = [
        rule(name="Miễn", amount_vnd=0, timing="exempt"),
        rule(name="Theo HĐND", amount_vnd=None, order=2),
    ]
    free, varying = fees_assess(fees=rules)
    assert (free.chargeable, free.amount_known, free.net_vnd) == (False, True, 0)
    assert (varying.chargeable, varying.amount_known) == (False, False)


def test_timing_filters_the_rules():
    rules = [rule(name="Trước"), rule(name="Sau", timing="after", order=2)]
    assert [x.name for x in fees_assess(fees=rules, timing="after")] == ["Sau"]


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"copies": -1}, "invalid_quantity"),
        ({"pages": 0}, "invalid_quantity"),
        ({"copies": True}, "invalid_quantity"),
        ({"exemption_claims": ["rich"]}, "unknown_exemption"),
        ({"exemption_claims": ["online"]}, "unknown_exemption"),
        ({"applicant_kind": "staff"}, "invalid_applicant_kind"),
    ],
)
def test_bad_input_is_refused_with_a_code(kw, code):
    with pytest.raises(ValidationError) as caught:
        fees_assess(fees=[rule()], **kw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "items",
    [
        "poor",
        [{"category": "rich", "percent": 10}],
        [{"category": "poor"}],
        [{"category": "poor", "percent": 10, "amount_vnd": 5}],
        [{"category": "poor", "percent": 101}],
        [{"category": "poor", "amount_vnd": 0}],
    ],
)
def test_configured_exemptions_are_checked(items):
    with pytest.raises(ValidationError) as caught:
        fee_exemptions_clean(items)
    assert caught.value.code == "invalid_exemption"


exemption = st.fixed_dictionaries(
    {"category": st.sampled_from(["poor", "near_poor", "disability", "online", "other"])},
).flatmap(
    lambda base: st.one_of(
        st.integers(1, 100).map(lambda p: {**base, "percent": p}),
        st.integers(1, 10**7).map(lambda a: {**base, "amount_vnd": a}),
    )
)


@given(
    amount=st.integers(1, 10**7),
    counting=st.sampled_from(["fixed", "per_copy", "per_page"]),
    tier=st.one_of(st.none(), st.tuples(st.integers(2, 20), st.integers(0, 10**6))),
    cap=st.one_of(st.none(), st.integers(1, 10**8)),
    exemptions=st.lists(exemption, max_size=3),
    copies=st.integers(1, 50),
    pages=st.integers(1, 500),
    online=st.booleans(),
    claims=st.sets(st.sampled_from(["poor", "near_poor", "disability", "other"])),
)
def test_property_net_is_gross_minus_exempt_and_exempt_has_a_reason(
    amount, counting, tier, cap, exemptions, copies, pages, online, claims
):
    fee = rule(
        amount_vnd=amount,
        counting=counting,
        tier_from=tier[0] if tier else None,
        tier_amount_vnd=tier[1] if tier else None,
        cap_vnd=cap,
        exemptions=exemptions,
    )
    lines = fees_assess(
        fees=[fee], copies=copies, pages=pages, online=online, exemption_claims=claims
    )
    assert lines
    units = {"per_copy": copies, "per_page": pages}.get(counting, 1)
    assert sum(x.quantity for x in lines) in (units, 1)
    for line in lines:
        assert all(isinstance(v, int) for v in (line.gross_vnd, line.exempt_vnd, line.net_vnd))
        assert line.gross_vnd == line.quantity * line.unit_amount_vnd
        assert line.net_vnd == line.gross_vnd - line.exempt_vnd >= 0
        assert line.exempt_vnd >= 0
        assert bool(line.exempt_vnd) == bool(line.exemption_reason)
    total = sum(x.gross_vnd for x in lines)
    if cap is not None:
        assert total <= cap
    if not exemptions:
        assert sum(x.exempt_vnd for x in lines) == 0


def _demo_fees(code: str) -> list[Fee]:
    import json

    from motcua.catalog.services import DEMO_CATALOG

    procedures = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))["procedures"]
    (procedure,) = [p for p in procedures if p["code"] == code]
    return [Fee(**f) for f in procedure["version"]["fees"]]


def test_the_demo_rules():
    # birth registration on time: free; the late charge varies (the officer gives it); copies
    # of the certificate are 8,000 đ each
    free, late, copies = fees_assess(fees=_demo_fees("HN.DEMO.001"), copies=2)
    assert (free.chargeable, free.net_vnd, late.amount_known) == (False, 0, False)
    assert (copies.quantity, copies.net_vnd) == (2, 16_000)
    # copy certification: 2,000 đ a page, from page 3 1,000 đ
    lines = fees_assess(fees=_demo_fees("HN.DEMO.012"), pages=4)
    assert [(x.quantity, x.unit_amount_vnd) for x in lines] == [(2, 2_000), (2, 1_000)]
    # company registration: the registration charge is exempt online
    online = fees_assess(fees=_demo_fees("HN.DEMO.019"), online=True, applicant_kind="organisation")
    counter = fees_assess(fees=_demo_fees("HN.DEMO.019"), applicant_kind="organisation")
    assert [x.net_vnd for x in online] == [100_000, 0]
    assert [x.net_vnd for x in counter] == [100_000, 50_000]
    # the land procedure's certificate charge is collected after processing
    assert [x.timing for x in fees_assess(fees=_demo_fees("HN.DEMO.024"))] == ["before", "after"]
