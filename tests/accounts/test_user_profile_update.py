"""A person changes their own profile: each field checked (the personal identification
number against the date of birth, the address on the two-level units), a verified identity
locked, a new contact unique and pending confirmation, an audit event naming the fields."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import ContactConfirmation, User
from motcua.accounts.profile import user_profile_update, verified_fields
from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent
from tests.factories import CitizenFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


def _person(**extra: object) -> User:
    defaults: dict[str, object] = {
        "username": "binh",
        "full_name": "Trần Thị Bình",
        "personal_id": "",
        "date_of_birth": None,
        "phone": "0912000111",
        "email": "",
    }
    defaults.update(extra)
    user = CitizenFactory(**defaults)
    assert isinstance(user, User)
    return user


def _snapshot(user: User) -> tuple[object, ...]:
    user.refresh_from_db()
    return (
        user.full_name,
        user.personal_id,
        user.date_of_birth,
        user.address,
        user.address_ward_code,
        user.phone,
        user.email,
    )


def _refused(user: User, changes: dict[str, object], field: str, code: str) -> str:
    before = _snapshot(user)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        user_profile_update(user=user, changes=changes, now=NOW)
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [(field, code)]
    assert _snapshot(user) == before
    assert AuditEvent.objects.count() == events
    return str(caught.value.errors[0]["message"])


def test_an_unverified_person_fills_in_their_identity_and_address() -> None:
    user = _person()
    user_profile_update(
        user=user,
        changes={
            "full_name": "Trần Thị Bình",
            "personal_id": "001 195 000 888",
            "date_of_birth": dt.date(1995, 3, 8),
            "address": {"province": "1", "ward": "70", "street": " 12  Hàng Bạc "},
        },
        now=NOW,
    )
    user.refresh_from_db()
    assert user.personal_id == "001195000888"
    assert user.date_of_birth == dt.date(1995, 3, 8)
    assert (user.address_province_code, user.address_ward_code) == ("01", "00070")
    assert user.address_street == "12 Hàng Bạc"
    assert user.address == "12 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"
    event = AuditEvent.objects.get(action="user.profile_update")
    assert event.after == {"changed": ["address", "date_of_birth", "personal_id"]}
    assert event.actor_id == user.pk
    assert "001195000888" not in str(event.after)


def test_the_same_values_change_nothing_and_record_nothing() -> None:
    user = _person()
    user_profile_update(user=user, changes={"phone": "+84912000111"}, now=NOW)
    assert AuditEvent.objects.count() == 0
    assert ContactConfirmation.objects.count() == 0


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("00119500088", "personal_id_format"),
        ("003195000888", "personal_id_province"),
        ("001096000888", "personal_id_birth_year"),  # 1996, born 1995
        ("001295000888", "personal_id_future"),  # 2095
    ],
)
def test_a_wrong_personal_id_is_refused(number: str, code: str) -> None:
    user = _person(date_of_birth=dt.date(1995, 3, 8))
    _refused(user, {"personal_id": number}, "personal_id", code)


def test_a_personal_id_of_the_future_is_refused_without_a_date_of_birth() -> None:
    user = _person()
    message = _refused(user, {"personal_id": "001230000888"}, "personal_id", "personal_id_future")
    assert "2030" in message


def test_a_date_of_birth_that_contradicts_the_number_is_refused_on_the_date() -> None:
    user = _person(personal_id="001195000888", date_of_birth=dt.date(1995, 3, 8))
    message = _refused(
        user, {"date_of_birth": dt.date(1996, 3, 8)}, "date_of_birth", "personal_id_birth_year"
    )
    assert "08/03/1996" in message


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "date_required"),
        (dt.date(2026, 3, 2), "date_future"),
        (dt.date(1899, 12, 31), "date_too_early"),
    ],
)
def test_a_wrong_date_of_birth_is_refused(value: object, code: str) -> None:
    _refused(_person(), {"date_of_birth": value}, "date_of_birth", code)


def test_a_personal_id_another_account_has_is_refused() -> None:
    CitizenFactory(personal_id="001195000888")
    user = _person()
    _refused(user, {"personal_id": "001195000888"}, "personal_id", "personal_id_taken")


@pytest.mark.parametrize(
    ("address", "field", "code"),
    [
        ({"province": "", "ward": "00070"}, "address_province", "province_required"),
        ({"province": "03", "ward": "00070"}, "address_province", "province_unknown"),
        ({"province": "01", "ward": ""}, "address_ward", "ward_required"),
        ({"province": "01", "ward": "99999"}, "address_ward", "ward_unknown"),
        ({"province": "79", "ward": "00070"}, "address_ward", "ward_not_in_province"),
        (
            {"province": "01", "ward": "00070", "street": "x" * 201},
            "address_street",
            "street_too_long",
        ),
    ],
)
def test_a_wrong_address_is_refused(address: dict[str, str], field: str, code: str) -> None:
    _refused(_person(), {"address": address}, field, code)


def test_verified_fields_are_locked_and_the_rest_stays_editable() -> None:
    user = _person(
        personal_id="001195000888",
        date_of_birth=dt.date(1995, 3, 8),
        identity_verified_at=NOW - dt.timedelta(days=1),
        identity_source="vneid",
    )
    assert verified_fields(user) == {"full_name", "personal_id", "date_of_birth"}
    for field, value in (
        ("full_name", "Trần Bình"),
        ("personal_id", "001195000889"),
        ("date_of_birth", dt.date(1995, 3, 9)),
    ):
        message = _refused(user, {field: value}, field, "verified")
        assert "đã được xác thực qua VNeID" in message
    # a locked field among other changes refuses them all
    _refused(user, {"phone": "0987000111", "full_name": "X"}, "full_name", "verified")
    user_profile_update(
        user=user, changes={"address": {"province": "01", "ward": "00070"}}, now=NOW
    )
    assert user.address == "Phường Hoàn Kiếm, Thành phố Hà Nội"


def test_a_new_phone_and_email_go_through_the_confirmation_seam() -> None:
    user = _person()
    user_profile_update(
        user=user, changes={"phone": "098 7000 111", "email": "Binh@Example.vn"}, now=NOW
    )
    user.refresh_from_db()
    assert (user.phone, user.email) == ("0987000111", "binh@example.vn")
    pending = sorted(
        ContactConfirmation.objects.filter(person=user).values_list(
            "channel", "value", "confirmed_at"
        )
    )
    assert pending == [("email", "binh@example.vn", None), ("phone", "0987000111", None)]


def test_a_contact_another_account_has_is_refused() -> None:
    CitizenFactory(phone="0987000111", email="an@example.vn")
    user = _person()
    _refused(user, {"phone": "0987000111"}, "phone", "contact_taken")
    _refused(user, {"email": "AN@example.vn"}, "email", "contact_taken")
    assert ContactConfirmation.objects.count() == 0


def test_the_last_contact_cannot_be_removed_and_the_wrong_kind_is_refused() -> None:
    user = _person()
    _refused(user, {"phone": ""}, "phone", "contact_last")
    _refused(user, {"phone": "binh@example.vn"}, "phone", "wrong_contact_kind")
    _refused(user, {"email": "0912000111"}, "email", "wrong_contact_kind")
    user_profile_update(user=user, changes={"email": "binh@example.vn", "phone": ""}, now=NOW)
    assert (user.phone, user.email) == ("", "binh@example.vn")
