"""Sign-in codes by SMS: sending through the sandbox provider, hashing, expiry, single use,
lockout, limits, staff refused, normalisation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from motcua.accounts.models import SignInCode, User
from motcua.accounts.sms_codes import (
    SignInCodeLimited,
    sign_in_code_request,
    sign_in_code_verify,
    sign_in_phone_clean,
)
from motcua.core.errors import ValidationError
from motcua.notifications.models import SandboxSms

pytestmark = [pytest.mark.django_db]
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PHONE = "0912345678"
SANDBOX = override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    from django.core.cache import cache

    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()


def _code(phone: str = PHONE) -> str:
    text = SandboxSms.objects.filter(to=phone).order_by("-id").first()
    assert text is not None
    match = re.search(r"\b(\d{6})\b", text.text)
    assert match
    return match[1]


@SANDBOX
def test_a_code_reaches_the_sandbox_provider_and_signs_the_citizen_in_once() -> None:
    citizen = User.objects.create_user("cd", phone=PHONE)
    row = sign_in_code_request(phone=PHONE, address="1.1.1.1", now=NOW)
    code = _code()
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert not SignInCode.objects.filter(code_hash__contains=code).exists()
    from motcua.notifications.models import NotificationDelivery

    delivery = NotificationDelivery.objects.get(event="sign_in_code")
    assert code not in str(delivery.__dict__)  # the delivery log keeps the body masked
    assert sign_in_code_verify(phone=PHONE, code=code, address="1.1.1.1", now=NOW) == citizen
    with pytest.raises(ValidationError) as error:  # single use
        sign_in_code_verify(phone=PHONE, code=code, address="1.1.1.1", now=NOW)
    assert error.value.code == "code_invalid"


@SANDBOX
def test_an_expired_code_is_refused() -> None:
    User.objects.create_user("cd", phone=PHONE)
    sign_in_code_request(phone=PHONE, address="1.1.1.1", now=NOW)
    with pytest.raises(ValidationError):
        sign_in_code_verify(
            phone=PHONE, code=_code(), address="1.1.1.1", now=NOW + dt.timedelta(minutes=6)
        )


@SANDBOX
def test_a_new_code_ends_the_older_one_and_sending_is_limited_per_phone() -> None:
    sign_in_code_request(phone=PHONE, address="1.1.1.1", now=NOW)
    first = _code()
    with pytest.raises(SignInCodeLimited) as limited:
        sign_in_code_request(phone=PHONE, address="1.1.1.2", now=NOW)
    assert limited.value.status == 429
    assert 0 < limited.value.retry_after <= 60
    SignInCode.objects.update(superseded_at=None)
    from motcua.core.ratelimit import rate_limits_local_clear

    rate_limits_local_clear()
    from django.core.cache import cache

    cache.clear()
    sign_in_code_request(phone=PHONE, address="1.1.1.1", now=NOW)
    second = _code()
    if first != second:
        with pytest.raises(ValidationError):
            sign_in_code_verify(phone=PHONE, code=first, address="1.1.1.1", now=NOW)
    assert SignInCode.objects.filter(superseded_at__isnull=False).count() == 1


@SANDBOX
def test_five_wrong_codes_lock_the_phone_even_for_the_right_code() -> None:
    User.objects.create_user("cd", phone=PHONE)
    sign_in_code_request(phone=PHONE, address="1.1.1.1", now=NOW)
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(5):
        with pytest.raises(ValidationError):
            sign_in_code_verify(phone=PHONE, code=wrong, address="1.1.1.1", now=NOW)
    with pytest.raises(SignInCodeLimited) as locked:
        sign_in_code_verify(phone=PHONE, code=code, address="1.1.1.9", now=NOW)
    assert locked.value.code == "sign_in_code_locked"
    assert "phút" in str(locked.value.render())


@SANDBOX
def test_no_enumeration_a_code_is_sent_whether_or_not_the_phone_has_an_account() -> None:
    sign_in_code_request(phone="0987654321", address="1.1.1.1", now=NOW)
    assert SandboxSms.objects.filter(to="0987654321").count() == 1
    assert (
        sign_in_code_verify(
            phone="0987654321", code=_code("0987654321"), address="1.1.1.1", now=NOW
        )
        is None
    )


@SANDBOX
def test_staff_cannot_sign_in_by_sms_code_alone() -> None:
    User.objects.create_user("cb", phone=PHONE, kind=User.Kind.STAFF)
    sign_in_code_request(phone=PHONE, address="1.1.1.1", now=NOW)
    with pytest.raises(ValidationError) as error:
        sign_in_code_verify(phone=PHONE, code=_code(), address="1.1.1.1", now=NOW)
    assert error.value.code == "staff_refused"


@given(st.sampled_from(["0", "+84", "84", "+84 "]), st.from_regex(r"9[0-9]{8}", fullmatch=True))
def test_vietnamese_phone_formats_normalise_to_the_leading_zero(prefix: str, rest: str) -> None:
    assert sign_in_phone_clean(prefix + rest) == "0" + rest


def test_a_landline_or_junk_is_not_a_mobile() -> None:
    for bad in ("02438123456", "12345", "abc", ""):
        with pytest.raises(ValidationError):
            sign_in_phone_clean(bad)
