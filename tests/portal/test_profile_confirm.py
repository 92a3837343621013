"""The profile's confirmation page: a changed phone leads to it, the texted code confirms
it, "Gửi lại mã" is a limited POST, the summary shows "chưa xác nhận" with a link."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from motcua.accounts.contact import contact_confirmed
from motcua.accounts.models import ContactChannel, User
from motcua.notifications.models import SandboxSms
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _setup(settings: object) -> Iterator[None]:
    from motcua.core.ratelimit import rate_limits_local_clear

    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]  # type: ignore[attr-defined]
    settings.MOTCUA_CONTACT_CONFIRMATION_SENDER = (  # type: ignore[attr-defined]
        "motcua.accounts.contact.CodeConfirmationSender"
    )
    cache.clear()
    rate_limits_local_clear()
    yield
    cache.clear()
    rate_limits_local_clear()


@pytest.fixture
def binh() -> User:
    user = CitizenFactory(full_name="Trần Thị Bình", phone="0912000111", email="")
    assert isinstance(user, User)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_changed_phone_is_confirmed_with_the_texted_code(binh: User) -> None:
    client = _client(binh)
    response = client.post("/profile/phone/", {"value": "0987 000 222"})
    assert (response.status_code, response["Location"]) == (302, "/profile/confirm/phone/")
    summary = client.get("/profile/").content.decode()
    assert "chưa xác nhận" in summary
    assert 'href="/profile/confirm/phone/"' in summary
    page = client.get("/profile/confirm/phone/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "0987000222" in text
    assert "Gửi lại mã" in text
    assert text.count('name="action" value="resend"') == 1
    wrong = client.post("/profile/confirm/phone/", {"code": "abcdef"})
    assert wrong.status_code == 400
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    sms = SandboxSms.objects.get(to="0987000222")
    code = re.search(r"\b(\d{6})\b", sms.text)
    assert code
    response = client.post("/profile/confirm/phone/", {"code": code[1]})
    assert (response.status_code, response["Location"]) == (302, "/profile/")
    binh.refresh_from_db()
    assert contact_confirmed(person=binh, channel=ContactChannel.PHONE) is True
    assert "chưa xác nhận" not in client.get("/profile/").content.decode()
    # nothing left to confirm: the page sends back to the profile
    assert client.get("/profile/confirm/phone/")["Location"] == "/profile/"


def test_resend_is_a_post_and_is_limited(binh: User) -> None:
    client = _client(binh)
    client.post("/profile/email/", {"value": "binh@example.vn"})
    assert len(mail.outbox) == 1
    assert client.get("/profile/confirm/email/?action=resend").status_code == 200
    assert len(mail.outbox) == 1  # a GET sends nothing
    limited = client.post("/profile/confirm/email/", {"action": "resend"})
    assert limited.status_code == 429
    assert "quá nhiều lần" in limited.content.decode()
    assert len(mail.outbox) == 1
    cache.clear()
    from motcua.core.ratelimit import rate_limits_local_clear

    rate_limits_local_clear()
    again = client.post("/profile/confirm/email/", {"action": "resend"})
    assert (again.status_code, again["Location"]) == (302, "/profile/confirm/email/")
    assert len(mail.outbox) == 2
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert code
    client.post("/profile/confirm/email/", {"code": code[1]})
    binh.refresh_from_db()
    assert contact_confirmed(person=binh, channel=ContactChannel.EMAIL) is True


def test_the_confirm_page_needs_a_sign_in_and_a_known_channel(binh: User) -> None:
    assert Client().get("/profile/confirm/phone/").status_code == 302
    assert _client(binh).get("/profile/confirm/fax/").status_code == 404


def test_an_older_unconfirmed_phone_is_offered_a_code_first(binh: User) -> None:
    # given an account whose phone was never sent a code (made at the counter, say)
    client = _client(binh)
    page = client.get("/profile/confirm/phone/").content.decode()
    assert "Bấm “Gửi mã”" in page
    assert "Chúng tôi đã gửi" not in page
    assert SandboxSms.objects.count() == 0
    response = client.post("/profile/confirm/phone/", {"action": "resend"})
    assert response.status_code == 302
    sms = SandboxSms.objects.get(to="0912000111")
    code = re.search(r"\b(\d{6})\b", sms.text)
    assert code
    assert "Chúng tôi đã gửi" in client.get("/profile/confirm/phone/").content.decode()
    client.post("/profile/confirm/phone/", {"code": code[1]})
    binh.refresh_from_db()
    assert contact_confirmed(person=binh, channel=ContactChannel.PHONE) is True
