"""Sign-in for everyone at /accounts/login/: user name, phone or e-mail; limits; logout."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db
PASSWORD = "matkhau-demo-2026"


@pytest.fixture
def staff():
    return StaffFactory(username="motcua.test", phone="0912345678", email="Can.Bo@example.vn")


@pytest.mark.parametrize("identifier", ["motcua.test", "0912345678", "can.bo@example.vn"])
def test_staff_signs_in_by_user_name_phone_or_email_and_lands_on_the_workspace(
    client: Client, staff, identifier: str
) -> None:
    response = client.post("/accounts/login/", {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_citizen_lands_on_the_portal(client: Client) -> None:
    CitizenFactory(username="congdan.test")
    response = client.post("/accounts/login/", {"username": "congdan.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_is_followed_only_on_this_site(client: Client, staff) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": "motcua.test", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/workspace/"
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"username": "motcua.test", "password": PASSWORD, "next": "/workspace/inbox/"},
    )
    assert response["Location"] == "/workspace/inbox/"


def test_wrong_password_is_refused_logged_without_the_password_and_limited(
    client: Client, staff, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MOTCUA_RATE_LIMITS = {**settings.MOTCUA_RATE_LIMITS, "login_account": (3, 900)}
    with caplog.at_level(logging.WARNING, logger="motcua.accounts.signin"):
        for _ in range(3):
            response = client.post(
                "/accounts/login/", {"username": "motcua.test", "password": "sai-mat-khau-x"}
            )
            assert response.status_code == 200
            assert "mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refusals = [r.getMessage() for r in caplog.records if "sign-in refused" in r.getMessage()]
    assert len(refusals) == 3
    assert all("bad_credentials" in m for m in refusals)
    assert not any("sai-mat-khau-x" in m or "motcua.test" in m for m in refusals)
    # the limit is reached: even the right password is refused now
    response = client.post("/accounts/login/", {"username": "motcua.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_sign_in_form_is_vietnamese_with_its_labels(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="vi"' in page
    assert "Tên đăng nhập, số điện thoại hoặc thư điện tử" in page
    assert 'for="id_username"' in page


def test_logout_is_a_post_with_csrf(staff) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 403  # no CSRF token
    assert "_auth_user_id" in client.session
    client.get("/")  # the page header holds the sign-out form: sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_citizen_cannot_open_the_workspace(client: Client) -> None:
    client.force_login(CitizenFactory(username="congdan.x"))
    response = client.get("/workspace/")
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/workspace/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/workspace/inbox/"
