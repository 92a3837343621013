"""Setting a password: from the profile for an account without one (the phone sign-up), and
"Quên mật khẩu" by a code texted to the phone (phone -> code -> new password -> sign in)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from motcua.accounts.models import SignInCode, User
from motcua.core.models import AuditEvent
from motcua.notifications.models import SandboxSms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_fresh_limits")]

GOOD = "mua-xuan-ha-noi-2026"


@pytest.fixture
def _fresh_limits() -> None:
    from django.core.cache import cache

    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()


def _phone_only(phone: str = "0912345678") -> User:
    user = User.objects.create_user("cd", phone=phone)  # no password: the phone sign-up's kind
    assert not user.has_usable_password()
    return user


def _code(phone: str = "0912345678") -> str:
    found = re.search(r"\b(\d{6})\b", SandboxSms.objects.filter(to=phone).latest("pk").text)
    assert found
    return found[1]


# --- from the profile ------------------------------------------------------------------------


def test_a_signed_in_account_without_a_password_sets_one_from_the_profile() -> None:
    user = _phone_only()
    client = Client()
    client.force_login(user)
    profile = client.get("/profile/").content.decode()
    assert "Tài khoản chưa có mật khẩu" in profile
    assert 'href="/accounts/password/set/"' in profile

    assert client.get("/accounts/password/set/").status_code == 200
    mismatch = client.post(
        "/accounts/password/set/", {"new_password1": GOOD, "new_password2": GOOD + "x"}
    )
    assert mismatch.status_code == 400
    assert "Hai lần nhập mật khẩu không giống nhau." in mismatch.content.decode()
    for weak in ("12345678", "abc", "cd"):  # numeric, too short, like the user name
        refused = client.post(
            "/accounts/password/set/", {"new_password1": weak, "new_password2": weak}
        )
        assert refused.status_code == 400
        assert 'class="error-summary"' in refused.content.decode()
    empty = client.post("/accounts/password/set/", {})
    assert "Nhập mật khẩu mới." in empty.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()

    done = client.post("/accounts/password/set/", {"new_password1": GOOD, "new_password2": GOOD})
    assert done.status_code == 302
    assert done["Location"] == "/profile/"
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert client.session["_auth_user_id"] == str(user.pk)  # still signed in here
    assert "Tài khoản có mật khẩu" in client.get("/profile/").content.decode()
    [event] = AuditEvent.objects.filter(action="account.password_set")
    assert event.after == {"has_password": True, "how": "profile"}
    assert GOOD not in str(event.before) + str(event.after)
    # once it has one, the page is not a way to change it without the old one
    again = client.get("/accounts/password/set/")
    assert again.status_code == 302
    assert again["Location"] == "/profile/"
    assert (
        Client().post("/accounts/login/", {"username": "0912345678", "password": GOOD}).status_code
        == 302
    )


def test_setting_a_password_needs_signing_in() -> None:
    response = Client().get("/accounts/password/set/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- forgotten, by a texted code --------------------------------------------------------------


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_a_forgotten_password_is_reset_by_a_code_texted_to_the_phone() -> None:
    user = _phone_only()
    user.set_password("mat-khau-cu-2025")
    user.save()
    other_session = Client()
    other_session.force_login(user)
    client = Client()
    assert 'href="/accounts/password/forgot/"' in client.get("/accounts/login/").content.decode()

    sent = client.post("/accounts/password/forgot/", {"phone": "+84 912 345 678"})
    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password/forgot/code/"
    row = SignInCode.objects.get(phone="0912345678")
    assert row.purpose == "reset"
    code = _code()
    assert code not in row.code_hash  # only its HMAC is kept
    assert "091****678" in client.get("/accounts/password/forgot/code/").content.decode()
    # no grant yet: the new-password page sends back to the start
    assert client.get("/accounts/password/forgot/new/")["Location"] == "/accounts/password/forgot/"

    wrong = client.post(
        "/accounts/password/forgot/code/", {"code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    right = client.post("/accounts/password/forgot/code/", {"code": code})
    assert right.status_code == 302
    assert right["Location"] == "/accounts/password/forgot/new/"
    assert "_auth_user_id" not in client.session  # a reset code does not sign in

    weak = client.post(
        "/accounts/password/forgot/new/", {"new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 400
    done = client.post(
        "/accounts/password/forgot/new/", {"new_password1": GOOD, "new_password2": GOOD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password(GOOD)
    assert AuditEvent.objects.get(action="account.password_set").after["how"] == "reset_sms"
    # the grant is spent, and the other session ended with the old password
    spent = client.post(
        "/accounts/password/forgot/new/", {"new_password1": GOOD + "!", "new_password2": GOOD + "!"}
    )
    assert spent["Location"] == "/accounts/password/forgot/"
    assert other_session.get("/profile/").status_code == 302


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_the_forgot_page_does_not_reveal_whether_the_phone_is_registered() -> None:
    _phone_only()
    known = Client().post("/accounts/password/forgot/", {"phone": "0912345678"})
    unknown_client = Client()
    unknown = unknown_client.post("/accounts/password/forgot/", {"phone": "0987654321"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert SandboxSms.objects.filter(to="0987654321").count() == 1  # sent either way
    page = unknown_client.get("/accounts/password/forgot/code/").content.decode()
    assert "098****321" in page
    # only the proven holder of the number learns it has no account
    proven = unknown_client.post("/accounts/password/forgot/code/", {"code": _code("0987654321")})
    assert proven.status_code == 200
    assert "Chưa có tài khoản" in proven.content.decode()


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_the_forgot_pages_share_the_sign_in_codes_limits_and_lock() -> None:
    _phone_only()
    client = Client()
    bad = client.post("/accounts/password/forgot/", {"phone": "12345"})
    assert bad.status_code == 400
    assert "Số điện thoại di động gồm 10 chữ số" in bad.content.decode()
    assert client.post("/accounts/password/forgot/", {"phone": "0912345678"}).status_code == 302
    # a second code within the minute, by either way: refused with 429
    again = client.post("/accounts/password/forgot/", {"phone": "0912345678"})
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
    assert Client().post("/accounts/login/code/", {"phone": "0912345678"}).status_code == 429
    code = _code()
    for _ in range(5):
        client.post(
            "/accounts/password/forgot/code/", {"code": "999999" if code != "999999" else "888888"}
        )
    locked = client.post("/accounts/password/forgot/code/", {"code": code})  # even the right one
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_a_sign_in_code_is_not_a_reset_code() -> None:
    _phone_only()
    client = Client()
    assert client.post("/accounts/login/code/", {"phone": "0912345678"}).status_code == 302
    code = _code()
    session = client.session
    session["motcua_password_reset_phone"] = "0912345678"
    session.save()
    refused = client.post("/accounts/password/forgot/code/", {"code": code})
    assert refused.status_code == 400
    assert client.get("/accounts/password/forgot/new/")["Location"] == "/accounts/password/forgot/"


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_staff_cannot_reset_by_a_texted_code() -> None:
    staff = User.objects.create_user(
        "canbo", phone="0912345678", password="mat-khau-can-bo-2026", kind=User.Kind.STAFF
    )
    client = Client()
    client.post("/accounts/password/forgot/", {"phone": "0912345678"})
    refused = client.post("/accounts/password/forgot/code/", {"code": _code()})
    assert refused.status_code == 400
    assert "Tài khoản cán bộ" in refused.content.decode()
    assert client.get("/accounts/password/forgot/new/")["Location"] == "/accounts/password/forgot/"
    staff.refresh_from_db()
    assert staff.check_password("mat-khau-can-bo-2026")


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_the_texted_code_for_a_forgotten_password_says_it_resets_the_password() -> None:
    """It read "Ma dang nhap motcua: …" (the sign-in code's text): a person who asked to reset
    a password got a "sign-in code", and one who did not could not tell what was asked."""
    from motcua.notifications.models import NotificationDelivery

    user = _phone_only()
    user.set_password("mat-khau-cu-2025")
    user.save()
    Client().post("/accounts/password/forgot/", {"phone": "0912345678"})
    text = SandboxSms.objects.get(to="0912345678").text
    assert text.startswith("Ma dat lai mat khau motcua: ")
    assert "dang nhap" not in text
    assert len(text) <= 160
    delivery = NotificationDelivery.objects.get(recipient="0912345678")
    assert delivery.event == "reset_code"
    assert _code() not in delivery.body  # masked in the log like a sign-in code
    # signing in by code keeps its own text
    from django.core.cache import cache

    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()
    Client().post("/accounts/login/code/", {"phone": "0912345678"})
    assert (
        SandboxSms.objects.filter(to="0912345678")
        .latest("pk")
        .text.startswith("Ma dang nhap motcua: ")
    )
