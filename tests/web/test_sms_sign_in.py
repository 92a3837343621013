"""The portal's sign-in by SMS code: phone page -> code page -> signed in."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.notifications.models import SandboxSms

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    from django.core.cache import cache

    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_a_citizen_signs_in_with_phone_and_the_texted_code(client: Client) -> None:
    citizen = User.objects.create_user("cd", phone="0912345678")
    assert "Đăng nhập bằng mã gửi qua tin nhắn" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/login/code/", {"phone": "+84 912 345 678"})
    assert response.status_code == 302
    assert response["Location"].endswith("/login/code/verify/")
    page = client.get("/accounts/login/code/verify/").content.decode()
    assert "091****678" in page
    code = re.search(r"\b(\d{6})\b", SandboxSms.objects.get(to="0912345678").text)
    assert code
    wrong = client.post("/accounts/login/code/verify/", {"code": "12345x"})
    assert wrong.status_code == 400
    response = client.post("/accounts/login/code/verify/", {"code": code[1]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


@override_settings(MOTCUA_SMS_PROVIDERS=["sandbox"])
def test_the_phone_page_answers_the_same_without_an_account_and_limits_with_429(
    client: Client,
) -> None:
    User.objects.create_user("cd", phone="0912345678")
    known = client.post("/accounts/login/code/", {"phone": "0912345678"})
    unknown = Client().post("/accounts/login/code/", {"phone": "0987654321"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    again = client.post("/accounts/login/code/", {"phone": "0912345678"})
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
