"""E-forms: the definition check (catalog import) and `eform_clean` (what the server accepts)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import override
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog.eforms import (
    Identity,
    eform_clean,
    eform_definition_check,
)
from motcua.catalog.schema import Context, check_procedure
from motcua.core.errors import ValidationError
from tests.catalog.factories import procedure_doc

TODAY = dt.date(2026, 3, 2)


def form(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"fields": list(fields)}


def field(name: str, type_: str = "text", *, required: bool = False, **options: Any) -> dict:
    label = name.replace("_", " ").capitalize()
    return {"name": name, "label": label, "type": type_, "required": required, **options}


def errors_of(eform: dict[str, Any], data: Any, identity: Identity | None = None) -> list:
    with pytest.raises(ValidationError) as err:
        eform_clean(eform=eform, data=data, identity=identity, today=TODAY)
    assert err.value.code == "form_invalid"
    return [(e["field"], e["code"]) for e in err.value.errors]


def clean(eform: dict[str, Any], data: Any, identity: Identity | None = None) -> dict:
    return eform_clean(eform=eform, data=data, identity=identity, today=TODAY)


# --- the definition ---------------------------------------------------------------------


def test_a_typed_definition_is_clean_and_kept_as_written() -> None:
    raw = form(
        field("ho_ten", required=True, prefill="profile.full_name", max_length=100),
        field("gioi_tinh", "select", required=True, choices=["Nam", "Nữ"]),
        field("loai", "choice", choices=[{"value": "1", "label": "Phiếu số 1"}]),
        field("so_ban", "number", min=1, max=10, integer=True),
        field("ngay_sinh", "date", max="today"),
        field("so_dinh_danh", "personal_id", date_of_birth_field="ngay_sinh"),
        field("noi_sinh", "address"),
        field("dong_y", "checkbox", required=True),
    )

    cleaned, issues = eform_definition_check(raw)

    assert issues == []
    assert cleaned == raw


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (field("x", "colour"), ("fields[0].type", "bad_choice")),
        (field("X y"), ("fields[0].name", "eform_field_name")),
        ({"name": "x", "type": "text"}, ("fields[0].label", "required")),
        (field("x", prefill="profile.shoe_size"), ("fields[0].prefill", "unknown_prefill")),
        (
            field("x", "number", prefill="profile.full_name"),
            ("fields[0].prefill", "eform_prefill_type"),
        ),
        (field("x", "choice"), ("fields[0].choices", "eform_choices_required")),
        (
            field("x", "choice", choices=["a", "a"]),
            ("fields[0].choices[1]", "eform_duplicate_choice"),
        ),
        (
            field("x", "choice", choices=[{"value": "a"}]),
            ("fields[0].choices[0]", "eform_bad_choice_item"),
        ),
        (field("x", choices=["a"]), ("fields[0].choices", "eform_option_not_for_type")),
        (field("x", "date", max_length=3), ("fields[0].max_length", "eform_option_not_for_type")),
        (field("x", colour="red"), ("fields[0].colour", "unknown_key")),
        (field("x", "number", min=5, max=1), ("fields[0].max", "eform_range_reversed")),
        (field("x", "number", min="five"), ("fields[0].min", "bad_number")),
        (field("x", "date", min="2026-02-30"), ("fields[0].min", "bad_date")),
        (field("x", max_length=0), ("fields[0].max_length", "out_of_range")),
        (
            field("x", "personal_id", date_of_birth_field="nope"),
            ("fields[0].date_of_birth_field", "eform_unknown_date_field"),
        ),
        (field("x", required="maybe"), ("fields[0].required", "bad_bool")),
    ],
)
def test_definition_problems_are_reported_where_they_are(item: dict, problem: tuple) -> None:
    _cleaned, issues = eform_definition_check(form(item))

    assert [(path, code) for path, code, _params in issues] == [problem]


def test_a_repeated_field_name_is_a_problem() -> None:
    _cleaned, issues = eform_definition_check(form(field("x"), field("x")))

    assert [(p, c) for p, c, _ in issues] == [("fields[1].name", "eform_field_name")]


def test_the_catalog_import_reports_eform_problems_with_their_full_path() -> None:
    doc = procedure_doc(eform={"fields": [field("so_ban", "number", min=3, max=1)]})
    problems: list = []

    context = Context(unit_ids={}, field_codes={"HO_TICH"})
    check_procedure(doc, index=0, context=context, problems=problems)

    assert [(p["field"], p["code"]) for p in problems] == [
        ("version.eform.fields[0].max", "eform_range_reversed")
    ]
    assert problems[0]["message_en"] == "The maximum (max) is below the minimum (min)."


def test_every_demo_eform_is_a_clean_definition() -> None:
    path = Path(__file__).parents[2] / "motcua" / "catalog" / "data" / "demo_catalog.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    typed = 0
    for procedure in catalog["procedures"]:
        eform = procedure["version"]["eform"]
        cleaned, issues = eform_definition_check(eform)
        assert (procedure["code"], issues) == (procedure["code"], [])
        assert cleaned == eform
        types = {f["type"] for f in eform["fields"]}
        assert "select" not in types  # the demo data uses the vocabulary's own name
        typed += "address" in types
    # birth, marriage, death, business household, allowance, judicial record, construction
    assert typed == 7


# --- submitted data: refused, one error per field ---------------------------------------

SAMPLE = form(
    field("ho_ten", required=True, max_length=20),
    field("so_dinh_danh", "personal_id", required=True),
    field("ngay_sinh", "date", max="today"),
    field("gioi_tinh", "choice", choices=["Nam", "Nữ"]),
    field("so_ban", "number", min=1, max=10, integer=True),
    field("dien_thoai", "phone"),
    field("thu_dien_tu", "email"),
)


def test_the_findings_of_issue_6_are_each_refused_with_the_fields_code() -> None:
    data = {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "abc",
        "ngay_sinh": "2026-02-30",
        "gioi_tinh": "Khác",
        "so_ban": 2.5,
        "dien_thoai": "12345",
        "thu_dien_tu": "an@",
        "ghi_chu": "không có trong tờ khai",
    }

    assert errors_of(SAMPLE, data) == [
        ("so_dinh_danh", "personal_id_format"),
        ("ngay_sinh", "invalid_date"),
        ("gioi_tinh", "invalid_choice"),
        ("so_ban", "not_an_integer"),
        ("dien_thoai", "phone_format"),
        ("thu_dien_tu", "invalid_email"),
        ("ghi_chu", "unknown_field"),
    ]


def test_the_message_names_the_fields_and_each_error_has_its_own_message() -> None:
    with pytest.raises(ValidationError) as err:
        clean(SAMPLE, {"ho_ten": "An", "so_dinh_danh": "003090012345", "so_ban": 11})

    assert err.value.render() == "Tờ khai chưa hợp lệ: So dinh danh, So ban."
    vietnamese = [str(e["message"]) for e in err.value.errors]
    with override("en"):
        english = [str(e["message"]) for e in err.value.errors]
    assert vietnamese == [
        "Ba chữ số đầu của số định danh cá nhân (003) không phải mã tỉnh, thành phố nơi đăng ký "
        "khai sinh.",
        "Không được lớn hơn 10.",
    ]
    assert english == [
        "The first three digits of the personal identification number (003) are not the code "
        "of a province of birth registration.",
        "Must not be more than 10.",
    ]
    assert [e["location"] for e in err.value.errors] == ["form_data", "form_data"]


@pytest.mark.parametrize(
    ("spec", "value", "code"),
    [
        (field("x", max_length=5), "abcdef", "too_long"),
        (field("x"), {"a": 1}, "not_text"),
        (field("x", "textarea"), "x" * 2001, "too_long"),
        (field("x", "number"), "mười", "not_a_number"),
        (field("x", "number"), True, "not_a_number"),
        (field("x", "number"), "NaN", "not_a_number"),
        (field("x", "number", min=1), 0, "below_min"),
        (field("x", "date"), "30/02/2026", "invalid_date"),
        (field("x", "date"), "2026-13-01", "invalid_date"),
        (field("x", "date"), "20260301", "invalid_date"),
        (field("x", "date"), 20260301, "invalid_date"),
        (field("x", "date", max="today"), "2026-03-03", "date_after_max"),
        (field("x", "date", min="2026-01-01"), "2025-12-31", "date_before_min"),
        (field("x", "choice", choices=[{"value": "1", "label": "Một"}]), "Một", "invalid_choice"),
        (field("x", "checkbox"), "yes", "not_a_boolean"),
        (field("x", "checkbox", required=True), False, "must_be_checked"),
        (field("x", "personal_id"), "001490012345", "personal_id_future"),
        (field("x", "tax_code"), "12345", "tax_code_format"),
        (field("x", "address"), "12 Hàng Bạc", "invalid_address"),
        (field("x", "address"), {"province": "01", "ward": "00070", "floor": 3}, "invalid_address"),
        (field("x", "address"), {"province": "02", "ward": "00070"}, "unknown_province"),
        (field("x", "address"), {"province": "01", "ward": "99999"}, "unknown_ward"),
        (field("x", "address"), {"province": "79", "ward": "00070"}, "ward_not_in_province"),
    ],
)
def test_each_type_refuses_what_does_not_fit(spec: dict, value: Any, code: str) -> None:
    assert errors_of(form(spec), {"x": value}) == [("x", code)]


def test_required_fields_are_listed_and_blank_is_missing() -> None:
    assert errors_of(SAMPLE, {"ho_ten": "  "}) == [
        ("ho_ten", "required"),
        ("so_dinh_danh", "required"),
    ]


def test_data_that_is_not_an_object_is_refused() -> None:
    assert errors_of(form(field("x")), ["x"]) == [("", "not_an_object")]


def test_a_form_without_fields_accepts_nothing_but_nothing() -> None:
    assert clean({}, {}) == {}
    assert errors_of({}, {"x": 1}) == [("x", "unknown_field")]


def test_a_personal_id_must_match_the_date_of_birth_beside_it() -> None:
    eform = form(
        field("ngay_sinh_me", "date"),
        field("so_dinh_danh_me", "personal_id", date_of_birth_field="ngay_sinh_me"),
    )

    assert errors_of(eform, {"ngay_sinh_me": "1985-04-01", "so_dinh_danh_me": "001190012345"}) == [
        ("so_dinh_danh_me", "personal_id_birth_year")
    ]
    assert clean(eform, {"ngay_sinh_me": "01/04/1990", "so_dinh_danh_me": "001190012345"}) == {
        "ngay_sinh_me": "1990-04-01",
        "so_dinh_danh_me": "001190012345",
    }


# --- submitted data: normalised ---------------------------------------------------------


def test_values_are_normalised() -> None:
    eform = form(
        field("ho_ten"),
        field("ngay", "date"),
        field("so", "number"),
        field("tien", "number", integer=True),
        field("dien_thoai", "phone"),
        field("thu", "email"),
        field("mst", "tax_code"),
        field("so_dinh_danh", "personal_id"),
        field("chon", "select", choices=["Nam", "Nữ"]),
        field("dong_y", "checkbox"),
        field("noi_o", "address"),
    )

    result = clean(
        eform,
        {
            "ho_ten": "  Nguyễn   Văn  An ",
            "ngay": "05/03/2026",
            "so": "1,5",
            "tien": "50000000",
            "dien_thoai": "+84 912 345 678",
            "thu": "An@Example.VN",
            "mst": "0109876543001",
            "so_dinh_danh": "001 090 012 345",
            "chon": "Nữ",
            "dong_y": True,
            "noi_o": {"province": "1", "ward": 70, "street": " 12  Hàng Bạc "},
        },
    )

    assert result == {
        "ho_ten": "Nguyễn Văn An",
        "ngay": "2026-03-05",
        "so": 1.5,
        "tien": 50000000,
        "dien_thoai": "0912345678",
        "thu": "An@example.vn",
        "mst": "0109876543-001",
        "so_dinh_danh": "001090012345",
        "chon": "Nữ",
        "dong_y": True,
        "noi_o": {
            "province": "01",
            "ward": "00070",
            "street": "12 Hàng Bạc",
            "text": "12 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội",
        },
    }
    assert list(result) == [f["name"] for f in eform["fields"]]


def test_empty_optional_fields_are_left_out() -> None:
    assert clean(SAMPLE, {"ho_ten": "An", "so_dinh_danh": "001090012345", "ngay_sinh": ""}) == {
        "ho_ten": "An",
        "so_dinh_danh": "001090012345",
    }


# --- prefill and the verified identity --------------------------------------------------

PROFILE_FORM = form(
    field("ho_ten", required=True, prefill="profile.full_name"),
    field("so_dinh_danh", "personal_id", required=True, prefill="profile.personal_id"),
    field("ngay_sinh", "date", required=True, prefill="profile.date_of_birth"),
    field("gioi_tinh", "choice", choices=["Nam", "Nữ"], prefill="profile.gender"),
    field("dien_thoai", "phone", prefill="profile.phone"),
    field("thu", "email", prefill="profile.email"),
    field("dia_chi", prefill="profile.address"),
    field("to_chuc", prefill="organisation.name"),
)
AN = Identity(
    full_name="Nguyễn Văn An",
    personal_id="001090012345",
    date_of_birth=dt.date(1990, 5, 12),
    phone="0912345678",
    email="an@example.vn",
    address="12 Hàng Bạc, Hoàn Kiếm",
)
AN_VERIFIED = AN.with_locks({"profile.full_name", "profile.personal_id", "profile.date_of_birth"})


def test_empty_prefilled_fields_are_filled_from_the_profile() -> None:
    assert clean(PROFILE_FORM, {}, AN) == {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "001090012345",
        "ngay_sinh": "1990-05-12",
        "gioi_tinh": "Nam",  # the fourth digit of the number
        "dien_thoai": "0912345678",
        "thu": "an@example.vn",
        "dia_chi": "12 Hàng Bạc, Hoàn Kiếm",
    }


def test_a_prefilled_field_the_profile_cannot_fill_stays_required() -> None:
    eform = form(field("to_chuc", required=True, prefill="organisation.name"))

    assert errors_of(eform, {}, AN) == [("to_chuc", "required")]


def test_contact_details_are_only_defaults() -> None:
    result = clean(PROFILE_FORM, {"dien_thoai": "0987654321", "dia_chi": "5 Lý Thái Tổ"}, AN)

    assert (result["dien_thoai"], result["dia_chi"]) == ("0987654321", "5 Lý Thái Tổ")


def test_the_verified_identity_cannot_be_changed_on_the_form() -> None:
    data = {"ho_ten": "Trần Thị Bình", "so_dinh_danh": "001190000001", "ngay_sinh": "1991-01-01"}

    assert errors_of(PROFILE_FORM, data, AN_VERIFIED) == [
        ("ho_ten", "identity_locked"),
        ("so_dinh_danh", "identity_locked"),
        ("ngay_sinh", "identity_locked"),
    ]


def test_the_verified_identity_may_be_repeated_and_the_profile_spelling_is_kept() -> None:
    data = {
        "ho_ten": "nguyễn  văn an",
        "so_dinh_danh": "001 090 012 345",
        "ngay_sinh": "12/05/1990",
    }

    result = clean(PROFILE_FORM, data, AN_VERIFIED)

    assert (result["ho_ten"], result["so_dinh_danh"], result["ngay_sinh"]) == (
        "Nguyễn Văn An",
        "001090012345",
        "1990-05-12",
    )


def test_an_unverified_profile_only_prefills() -> None:
    result = clean(PROFILE_FORM, {"ho_ten": "Nguyễn Văn Ân"}, AN)

    assert result["ho_ten"] == "Nguyễn Văn Ân"


def test_the_prefilled_number_must_agree_with_the_profiles_date_of_birth() -> None:
    wrong = Identity(full_name="An", personal_id="001090012345", date_of_birth=dt.date(1991, 1, 1))

    assert errors_of(PROFILE_FORM, {}, wrong) == [("so_dinh_danh", "personal_id_birth_year")]


def test_identity_of_a_verified_citizen_locks_the_three_identity_sources(db: None) -> None:
    from tests.factories import CitizenFactory

    user = CitizenFactory(identity_verified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    unverified = CitizenFactory()

    assert Identity.of_user(user).locked == {
        "profile.full_name",
        "profile.personal_id",
        "profile.date_of_birth",
    }
    assert Identity.of_user(unverified).locked == frozenset()
    assert Identity.of_user(user, lock=False).locked == frozenset()


def test_identity_of_a_verified_organisation_locks_its_name_and_tax_code(db: None) -> None:
    from motcua.accounts.models import User
    from tests.factories import UserFactory

    company = UserFactory(
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Sen Vàng",
        organisation_id_number="0109876543",
        identity_verified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    identity = Identity.of_user(company)
    eform = form(
        field("ten", required=True, prefill="organisation.name"),
        field("mst", "tax_code", required=True, prefill="organisation.tax_code"),
    )

    assert identity.locked == {"organisation.name", "organisation.tax_code"}
    assert clean(eform, {}, identity) == {"ten": "Công ty TNHH Sen Vàng", "mst": "0109876543"}
    assert errors_of(eform, {"mst": "0100000001"}, identity) == [("mst", "identity_locked")]


def test_fields_named_with_key_are_still_read() -> None:
    legacy = {"fields": [{"key": "ho_ten", "label": "Họ tên", "required": True}]}

    assert clean(legacy, {"ho_ten": "An"}) == {"ho_ten": "An"}
    assert errors_of(legacy, {}) == [("ho_ten", "required")]


# --- properties ---------------------------------------------------------------------------

PROPERTY_FORM = form(
    field("ho_ten", max_length=50),
    field("so", "number", min=-1000, max=1000),
    field("ngay", "date"),
    field("chon", "choice", choices=["Nam", "Nữ", {"value": "x", "label": "Khác"}]),
    field("dien_thoai", "phone"),
    field("so_dinh_danh", "personal_id"),
    field("noi_o", "address"),
)
values = {
    "ho_ten": st.text(max_size=60),
    "so": st.one_of(st.integers(-2000, 2000), st.floats(allow_nan=True), st.text(max_size=8)),
    "ngay": st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
        st.text(max_size=12),
    ),
    "chon": st.sampled_from(["Nam", "Nữ", "x", "Khác", "nam", ""]),
    "dien_thoai": st.one_of(st.from_regex(r"0[0-9]{9,10}", fullmatch=True), st.text(max_size=12)),
    "so_dinh_danh": st.from_regex(r"[0-9]{12}", fullmatch=True),
    "noi_o": st.fixed_dictionaries(
        {"province": st.sampled_from(["01", "1", "79", "02"]),
         "ward": st.sampled_from(["00070", "70", "26506", "99999"]),
         "street": st.text(max_size=30)}
    ),
}  # fmt: skip


@given(st.fixed_dictionaries({}, optional=values))
@settings(max_examples=300)
def test_accepted_data_cleaned_again_is_unchanged_and_refused_data_names_its_fields(
    data: dict[str, Any],
) -> None:
    refused: ValidationError | None = None
    try:
        once = clean(PROPERTY_FORM, data)
    except ValidationError as err:
        refused = err
    if refused is not None:
        assert refused.code == "form_invalid"
        assert refused.errors
        assert {e["field"] for e in refused.errors} <= set(data)
        return
    assert clean(PROPERTY_FORM, once) == once
    assert set(once) <= set(data)
