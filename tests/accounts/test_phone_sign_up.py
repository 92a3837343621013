"""Signing up with a phone number and a texted code, no password: the code through the
sandbox SMS provider, hashed at rest, counted and locked, expiring; a registered phone not
revealed; the phone confirmed by the code check; staff never created or signed in this way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from motcua.accounts.contact import contact_confirmed
from motcua.accounts.models import (
    ConsentPurpose,
    ContactChannel,
    ContactConfirmation,
    SignInCode,
    SignInCodePurpose,
    User,
)
from motcua.accounts.phone_signup import (
    PROOF_MINUTES,
    ProofExpired,
    citizen_sign_up_by_phone,
    phone_sign_up_code_request,
    phone_sign_up_code_verify,
)
from motcua.accounts.selectors import consent_current
from motcua.accounts.signup import CONSENT_VERSION
from motcua.accounts.sms_codes import SignInCodeLimited, sign_in_code_verify
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent
from motcua.notifications.models import SandboxSms
from tests.factories import CitizenFactory, StaffFactory

pytestmark = [pytest.mark.django_db]
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PHONE = "0912345678"
ADDRESS = "203.0.113.9"
SANDBOX = override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])


def _clear_limits() -> None:
    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    _clear_limits()


def _texted(phone: str = PHONE) -> str:
    sms = SandboxSms.objects.filter(to=phone).order_by("-id").first()
    assert sms is not None
    match = re.search(r"\b(\d{6})\b", sms.text)
    assert match
    return match[1]


def _complete(proof: int, **changes: object) -> User:
    values: dict[str, object] = {
        "proof": proof,
        "full_name": "  Lê   Văn Cường ",
        "email": "",
        "consent": True,
        "consent_text_version": CONSENT_VERSION,
        "now": NOW + dt.timedelta(minutes=2),
    }
    values.update(changes)
    return citizen_sign_up_by_phone(**values)  # type: ignore[arg-type]


@SANDBOX
def test_the_happy_path_creates_a_citizen_with_the_phone_confirmed_and_no_password() -> None:
    # given a phone with no account, a code texted to it
    row = phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    assert row.purpose == SignInCodePurpose.SIGN_UP
    code = _texted()
    # then the database holds no digit string of the code, only a 64-hex HMAC
    assert len(row.code_hash) == 64
    assert code not in row.code_hash
    stored = SignInCode.objects.get(pk=row.pk)
    assert code not in " ".join(str(v) for v in stored.__dict__.values())
    # when the code is checked and the name given
    check = phone_sign_up_code_verify(
        phone=PHONE, code=code, address=ADDRESS, now=NOW + dt.timedelta(minutes=1)
    )
    assert (check.proof, check.user) == (row.pk, None)
    user = _complete(check.proof)
    # then a citizen account, signed-in-able by code only, its phone confirmed at the check
    user.refresh_from_db()
    assert (user.kind, user.full_name, user.phone, user.email) == (
        User.Kind.CITIZEN,
        "Lê Văn Cường",
        PHONE,
        "",
    )
    assert (user.is_staff, user.is_superuser, user.has_usable_password()) == (False, False, False)
    assert user.username.startswith("cd.")
    confirmation = ContactConfirmation.objects.get(person=user)
    assert (confirmation.channel, confirmation.value, confirmation.sender) == (
        "phone",
        PHONE,
        "sms_sign_up",
    )
    assert confirmation.confirmed_at == NOW + dt.timedelta(minutes=1)
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is True
    consent = consent_current(person=user, purpose=ConsentPurpose.ACCOUNT)
    assert consent is not None
    assert consent.text_version == CONSENT_VERSION
    event = AuditEvent.objects.get(action="user.sign_up")
    assert event.after["method"] == "sms_code"
    assert PHONE not in str(event.after)
    # and the proof cannot make a second account
    with pytest.raises(ProofExpired):
        _complete(check.proof, full_name="Người Khác")
    assert User.objects.count() == 1
    # and the new account signs in with a texted code later (the sending limit's window over)
    _clear_limits()
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW + dt.timedelta(hours=2))
    assert (
        sign_in_code_verify(
            phone=PHONE, code=_texted(), address=ADDRESS, now=NOW + dt.timedelta(hours=2)
        )
        == user
    )


@SANDBOX
@override_settings(
    MOTCUA_CONTACT_CONFIRMATION_SENDER="motcua.accounts.contact.CodeConfirmationSender"
)
def test_an_optional_email_is_kept_unconfirmed_and_sent_a_code() -> None:
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    check = phone_sign_up_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert check.proof is not None
    user = _complete(check.proof, email=" An@Example.VN ")
    assert user.email == "an@example.vn"
    pending = ContactConfirmation.objects.get(person=user, channel="email")
    assert (pending.sender, pending.confirmed_at) == ("code", None)
    assert len(pending.code_hash) == 64
    assert contact_confirmed(person=user, channel=ContactChannel.EMAIL) is False


@SANDBOX
def test_every_problem_of_the_details_page_is_reported_and_nothing_is_created() -> None:
    CitizenFactory(email="taken@example.vn")
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    check = phone_sign_up_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert check.proof is not None
    with pytest.raises(ValidationError) as error:
        _complete(check.proof, full_name=" ", email="taken@example.vn", consent=False)
    assert [(p["field"], p["code"]) for p in error.value.errors] == [
        ("full_name", "required"),
        ("email", "contact_taken"),
        ("consent", "consent_required"),
    ]
    with pytest.raises(ValidationError) as error:
        _complete(check.proof, email="not-an-address")
    assert [(p["field"], p["code"]) for p in error.value.errors] == [("email", "email_invalid")]
    assert User.objects.filter(phone=PHONE).count() == 0
    # the proof is still good for the corrected page
    assert _complete(check.proof).phone == PHONE


@SANDBOX
def test_a_proof_older_than_its_window_is_refused() -> None:
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    check = phone_sign_up_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert check.proof is not None
    with pytest.raises(ProofExpired):
        _complete(check.proof, now=NOW + dt.timedelta(minutes=PROOF_MINUTES))
    row = phone_sign_up_code_request(
        phone="0987654321", address=ADDRESS, now=NOW + dt.timedelta(minutes=1)
    )
    with pytest.raises(ProofExpired):  # an unchecked code is no proof
        _complete(row.pk)
    assert User.objects.count() == 0


@SANDBOX
def test_a_wrong_code_is_counted_and_five_lock_the_phone_even_for_the_right_code() -> None:
    row = phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    code = _texted()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(5):
        with pytest.raises(ValidationError) as error:
            phone_sign_up_code_verify(phone=PHONE, code=wrong, address=ADDRESS, now=NOW)
        assert error.value.code == "code_invalid"
    assert SignInCode.objects.get(pk=row.pk).attempts == 5
    with pytest.raises(SignInCodeLimited) as locked:
        phone_sign_up_code_verify(phone=PHONE, code=code, address=ADDRESS, now=NOW)
    assert locked.value.code == "sign_in_code_locked"
    assert locked.value.retry_after > 0
    assert SignInCode.objects.get(pk=row.pk).used_at is None
    assert User.objects.count() == 0


@SANDBOX
def test_an_expired_code_is_refused() -> None:
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    with pytest.raises(ValidationError) as error:
        phone_sign_up_code_verify(
            phone=PHONE, code=_texted(), address=ADDRESS, now=NOW + dt.timedelta(minutes=5)
        )
    assert error.value.code == "code_invalid"


@SANDBOX
def test_sending_is_limited_per_phone() -> None:
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    with pytest.raises(SignInCodeLimited) as limited:
        phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    assert limited.value.code == "sign_in_code_limited"
    assert SandboxSms.objects.filter(to=PHONE).count() == 1
    assert SignInCode.objects.filter(phone=PHONE).count() == 1


@SANDBOX
def test_a_registered_phone_is_not_revealed_and_its_owner_signs_in_instead() -> None:
    # given one phone with an account and one without
    owner = CitizenFactory(phone=PHONE)
    registered = phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    fresh = phone_sign_up_code_request(phone="0987654321", address=ADDRESS, now=NOW)
    # then both were answered alike and texted the same words (only the code differs)
    assert registered.purpose == SignInCodePurpose.SIGN_IN
    assert fresh.purpose == SignInCodePurpose.SIGN_UP
    texts = [
        re.sub(r"\d{6}", "N", sms.text) for sms in SandboxSms.objects.order_by("to", "id").all()
    ]
    assert len(texts) == 2
    assert texts[0] == texts[1]
    # when the owner types the code, they get their account, and no second one is made
    check = phone_sign_up_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert (check.user, check.proof) == (owner, None)
    assert User.objects.filter(phone=PHONE).count() == 1


@SANDBOX
def test_staff_accounts_are_never_signed_in_or_created_this_way() -> None:
    StaffFactory(phone=PHONE)
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    with pytest.raises(ValidationError) as error:
        phone_sign_up_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert error.value.code == "staff_refused"
    assert User.objects.filter(phone=PHONE).count() == 1  # the staff account only


@SANDBOX
def test_the_phone_taken_between_the_check_and_the_details_is_refused() -> None:
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    check = phone_sign_up_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert check.proof is not None
    CitizenFactory(phone=PHONE)
    with pytest.raises(ValidationError) as error:
        _complete(check.proof)
    assert error.value.code == "contact_taken"
    assert User.objects.filter(phone=PHONE).count() == 1


@SANDBOX
def test_a_sign_up_code_does_not_sign_in_on_the_sign_in_pages() -> None:
    phone_sign_up_code_request(phone=PHONE, address=ADDRESS, now=NOW)
    with pytest.raises(ValidationError) as error:
        sign_in_code_verify(phone=PHONE, code=_texted(), address=ADDRESS, now=NOW)
    assert error.value.code == "code_invalid"
