"""Signing up with a phone number or an e-mail address and a password: consent asked and
recorded, every field checked with a clear message, contacts unique, attempts limited per
address, the contact left unconfirmed (pending), nothing created when anything is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from motcua.accounts.contact import contact_confirmed
from motcua.accounts.models import (
    ConsentPurpose,
    ConsentRecord,
    ContactChannel,
    ContactConfirmation,
    User,
)
from motcua.accounts.selectors import consent_current
from motcua.accounts.signup import CONSENT_VERSION, SignUpLimited, citizen_sign_up
from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent
from tests.factories import CitizenFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
PASSWORD = "hoa-sen-trang-2026"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _sign_up(**overrides: object) -> User:
    values: dict[str, object] = {
        "full_name": "  Trần   Thị Bình ",
        "contact": "+84 912 000 111",
        "password": PASSWORD,
        "consent": True,
        "consent_text_version": CONSENT_VERSION,
        "client_address": "192.0.2.10",
        "now": NOW,
    }
    values.update(overrides)
    return citizen_sign_up(**values)  # type: ignore[arg-type]


def _nothing_created() -> None:
    assert User.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert ContactConfirmation.objects.count() == 0
    assert AuditEvent.objects.filter(action="user.sign_up").count() == 0


def test_a_phone_sign_up_creates_a_citizen_with_consent_and_a_pending_confirmation() -> None:
    user = _sign_up()

    user.refresh_from_db()
    assert user.kind == User.Kind.CITIZEN
    assert user.full_name == "Trần Thị Bình"
    assert user.phone == "0912000111"  # +84 912 000 111, normalised
    assert user.email == ""
    assert user.check_password(PASSWORD)
    assert user.username.startswith("cd.")
    assert "0912000111" not in user.username
    assert user.identity_verified_at is None
    consent = consent_current(person=user, purpose=ConsentPurpose.ACCOUNT)
    assert consent is not None
    assert (consent.text_version, consent.at) == (CONSENT_VERSION, NOW)
    pending = ContactConfirmation.objects.get(person=user)
    # the code sender (the default) texts a code through the outbox; still unconfirmed
    assert (pending.channel, pending.value, pending.sender) == ("phone", "0912000111", "code")
    assert pending.confirmed_at is None
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is False
    event = AuditEvent.objects.get(action="user.sign_up")
    assert event.after == {"kind": "citizen", "contact": "phone", "confirmed": False}
    assert "0912000111" not in str(event.after)


def test_an_email_sign_up_is_normalised_to_lower_case() -> None:
    user = _sign_up(contact="  Binh.Tran@Example.VN ")
    assert (user.email, user.phone) == ("binh.tran@example.vn", "")
    assert ContactConfirmation.objects.get(person=user).channel == "email"


def test_refusing_consent_creates_nothing_and_says_why() -> None:
    with pytest.raises(ValidationError) as caught:
        _sign_up(consent=False)
    errors = {e["field"]: e for e in caught.value.errors}
    assert list(errors) == ["consent"]
    assert errors["consent"]["code"] == "consent_required"
    assert "chưa đồng ý nên chưa tạo được tài khoản" in errors["consent"]["message"]
    _nothing_created()


@pytest.mark.parametrize(
    ("contact", "code"),
    [
        ("", "required"),
        ("0123", "phone_invalid"),
        ("0112345678", "phone_invalid"),
        ("02431234567", "phone_landline"),
        ("binh@", "email_invalid"),
    ],
)
def test_a_bad_contact_is_refused_with_its_code(contact: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _sign_up(contact=contact)
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [("contact", code)]
    _nothing_created()


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        _sign_up(full_name=" ", contact="abc", password="12345678", consent=False)
    fields = [e["field"] for e in caught.value.errors]
    assert fields[:2] == ["full_name", "contact"]
    assert "password" in fields
    assert fields[-1] == "consent"
    _nothing_created()


def test_a_weak_password_is_refused_by_the_django_validators() -> None:
    with pytest.raises(ValidationError) as caught:
        _sign_up(password="12345678")
    codes = {(e["field"], e["code"]) for e in caught.value.errors}
    assert codes == {("password", "password_weak")}
    assert len(caught.value.errors) >= 2  # too common, entirely numeric
    _nothing_created()


@pytest.mark.parametrize("written", ["0912000111", "+84912000111", "84 912 000 111"])
def test_a_phone_another_account_has_is_refused_in_any_form(written: str) -> None:
    CitizenFactory(phone="0912000111")
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        _sign_up(contact=written)
    assert caught.value.code == "contact_taken"
    message = caught.value.errors[0]["message"]
    assert "đã được dùng cho một tài khoản" in message
    # nothing about whose account it is
    assert "Nguyễn" not in message
    assert "@" not in message
    assert User.objects.count() == before
    assert ConsentRecord.objects.count() == 0


def test_an_email_another_account_has_is_refused_in_any_letter_case() -> None:
    CitizenFactory(email="binh@example.vn")
    with pytest.raises(ValidationError) as caught:
        _sign_up(contact="BINH@example.VN")
    assert caught.value.code == "contact_taken"


@override_settings(MOTCUA_RATE_LIMITS={**settings.MOTCUA_RATE_LIMITS, "signup": (2, 3600)})
def test_sign_ups_are_limited_per_address_and_every_attempt_counts() -> None:
    # given two attempts from one address (one refused, one successful)
    with pytest.raises(ValidationError):
        _sign_up(consent=False, client_address="198.51.100.7")
    _sign_up(client_address="198.51.100.7")

    # when a third comes from it
    with pytest.raises(SignUpLimited) as caught:
        _sign_up(contact="binh@example.vn", client_address="198.51.100.7")

    # then it is refused before anything is checked or created, with a wait
    assert caught.value.status == 429
    assert caught.value.retry_after > 0
    assert User.objects.count() == 1
    # another address is not limited
    assert _sign_up(contact="binh@example.vn", client_address="198.51.100.8").pk


def test_the_new_account_signs_in_with_its_phone_in_any_form() -> None:
    user = _sign_up()
    from django.contrib.auth import authenticate

    for written in ("0912000111", "+84912000111"):
        assert authenticate(None, username=written, password=PASSWORD) == user
