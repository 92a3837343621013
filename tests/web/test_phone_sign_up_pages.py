"""The phone sign-up journey: phone -> code -> name -> signed in with the phone confirmed; a
registered phone answered alike and its owner signed in; the password sign-up links to it."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from motcua.accounts.contact import contact_confirmed
from motcua.accounts.models import ContactChannel, User
from motcua.notifications.models import SandboxSms
from tests.factories import CitizenFactory, StaffFactory

pytestmark = [pytest.mark.django_db]
SANDBOX = override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    from django.core.cache import cache

    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()


def _code(phone: str) -> str:
    sms = SandboxSms.objects.filter(to=phone).order_by("-id").first()
    assert sms is not None
    match = re.search(r"\b(\d{6})\b", sms.text)
    assert match
    return match[1]


def test_the_password_sign_up_links_to_the_phone_sign_up(client: Client) -> None:
    page = client.get("/accounts/signup/").content.decode()
    assert 'href="/accounts/signup/phone/"' in page
    assert "Đăng ký bằng số điện thoại" in page


@SANDBOX
def test_a_citizen_signs_up_with_phone_code_and_name(client: Client) -> None:
    page = client.get("/accounts/signup/phone/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    # the details page needs a checked code first
    assert client.get("/accounts/signup/phone/details/")["Location"] == "/accounts/signup/phone/"
    response = client.post("/accounts/signup/phone/", {"phone": "+84 912 345 678"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/signup/phone/code/")
    code_page = client.get("/accounts/signup/phone/code/").content.decode()
    assert "091****678" in code_page
    wrong = client.post("/accounts/signup/phone/code/", {"code": "12345x"})
    assert wrong.status_code == 400
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    response = client.post("/accounts/signup/phone/code/", {"code": _code("0912345678")})
    assert (response.status_code, response["Location"]) == (302, "/accounts/signup/phone/details/")
    # every problem at once, nothing created
    refused = client.post("/accounts/signup/phone/details/", {"full_name": "", "email": "x"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Nhập họ và tên." in text
    assert "Thư điện tử không hợp lệ" in text
    assert "Bạn chưa đồng ý" in text
    assert not User.objects.filter(phone="0912345678").exists()
    response = client.post(
        "/accounts/signup/phone/details/", {"full_name": "Lê Văn Cường", "consent": "on"}
    )
    assert response.status_code == 302
    user = User.objects.get(phone="0912345678")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.kind, user.is_staff, user.has_usable_password()) == ("citizen", False, False)
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE) is True
    # the journey is over: back to the start
    again = Client()
    assert again.get("/accounts/signup/phone/code/")["Location"] == "/accounts/signup/phone/"


@SANDBOX
def test_a_registered_phone_gets_the_same_answer_and_its_owner_is_signed_in() -> None:
    owner = CitizenFactory(phone="0912345678")
    known, unknown = Client(), Client()
    a = known.post("/accounts/signup/phone/", {"phone": "0912345678"})
    b = unknown.post("/accounts/signup/phone/", {"phone": "0987654321"})
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"])
    page_a = known.get("/accounts/signup/phone/code/").content.decode()
    page_b = unknown.get("/accounts/signup/phone/code/").content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", page_a.replace("091****678", "X")) == token.sub(
        "", page_b.replace("098****321", "X")
    )
    response = known.post("/accounts/signup/phone/code/", {"code": _code("0912345678")})
    assert response.status_code == 302
    assert known.session["_auth_user_id"] == str(owner.pk)
    assert User.objects.filter(phone="0912345678").count() == 1


@SANDBOX
def test_a_staff_phone_is_refused_and_sending_is_limited_with_429(client: Client) -> None:
    StaffFactory(phone="0912345678")
    client.post("/accounts/signup/phone/", {"phone": "0912345678"})
    refused = client.post("/accounts/signup/phone/code/", {"code": _code("0912345678")})
    assert refused.status_code == 400
    assert "_auth_user_id" not in client.session
    again = client.post("/accounts/signup/phone/", {"phone": "0912345678"})
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
