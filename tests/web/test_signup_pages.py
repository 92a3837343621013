"""The sign-up page: linked from the sign-in page, consent never pre-ticked, errors on top
and at their fields, signed in on success (to `next` or the portal), limited per address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from motcua.accounts.models import ConsentRecord, User

pytestmark = pytest.mark.django_db
PASSWORD = "hoa-sen-trang-2026"


@pytest.fixture(autouse=True)
def _no_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _post(client: Client, **overrides: str) -> object:
    data = {
        "full_name": "Trần Thị Bình",
        "contact": "0912000111",
        "password": PASSWORD,
        "consent": "on",
        "next": "",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/accounts/signup/", data)


def test_the_sign_in_page_links_to_sign_up_and_the_consent_is_not_ticked() -> None:
    client = Client()
    login = client.get("/accounts/login/?next=/profile/").content.decode()
    assert 'href="/accounts/signup/?next=/profile/"' in login
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="consent"' in page
    assert "Tôi đồng ý" in page
    consent_input = page.split('name="consent"', 1)[1].split(">", 1)[0]
    assert "checked" not in consent_input
    assert 'autocomplete="new-password"' in page


def test_signing_up_signs_in_and_lands_on_next() -> None:
    client = Client()
    answer = _post(client, next="/profile/")
    assert answer.status_code == 302  # type: ignore[attr-defined]
    assert answer["Location"] == "/profile/"  # type: ignore[index]
    user = User.objects.get()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "Trần Thị Bình" in client.get("/profile/").content.decode()


def test_signing_up_without_next_lands_on_the_portal_and_ignores_other_sites() -> None:
    answer = _post(Client(), next="https://example.com/")
    assert answer["Location"] == "/"  # type: ignore[index]


def test_without_consent_no_account_and_the_message_is_linked_to_the_box() -> None:
    answer = _post(Client(), consent=None)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    page = answer.content.decode()  # type: ignore[attr-defined]
    assert 'href="#id_consent"' in page
    assert "chưa đồng ý nên chưa tạo được tài khoản" in page
    assert User.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    # what was typed is kept (not the password)
    assert 'value="0912000111"' in page
    assert PASSWORD not in page


def test_a_taken_phone_is_said_plainly() -> None:
    _post(Client())
    answer = _post(Client(), contact="+84912000111", full_name="Người Khác")
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "đã được dùng cho một tài khoản" in answer.content.decode()  # type: ignore[attr-defined]
    assert User.objects.count() == 1


@override_settings(
    MOTCUA_RATE_LIMITS={**settings.MOTCUA_RATE_LIMITS, "signup": (1, 3600), "login": (100, 60)}
)
def test_the_page_answers_429_over_the_limit() -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    _post(client, consent=None)
    answer = _post(client)
    assert answer.status_code == 429  # type: ignore[attr-defined]
    assert int(answer["Retry-After"]) > 0  # type: ignore[index]
    assert User.objects.count() == 0


def test_the_page_speaks_english() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/signup/").content.decode()
    assert "Create an account" in page
    assert "I agree" in page


def test_a_signed_in_person_is_sent_on_and_makes_no_second_account() -> None:
    client = Client()
    _post(client)
    answer = _post(client, contact="binh@example.vn")
    assert answer.status_code == 302  # type: ignore[attr-defined]
    assert User.objects.count() == 1
