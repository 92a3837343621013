"""Personal API tokens without the admin: POST /auth/token, GET /auth/tokens,
DELETE /auth/tokens/{id}."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import api_token_create
from motcua.core.models import AuditEvent
from tests.api.conftest import bearer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "matkhau-demo-2026"


def _create(client: Client, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(
        "/api/v1/auth/token", json.dumps(body), content_type="application/json", **extra
    )


def test_a_password_buys_a_token_shown_once(client: Client, citizen: User) -> None:
    before = timezone.now()
    response = _create(client, {"username": "an", "password": PASSWORD, "name": "điện thoại"})

    assert response.status_code == 201, response.content
    body = response.json()
    token = ApiToken.objects.get()
    assert set(body) == {
        "id",
        "key",
        "prefix",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    }
    assert (body["id"], body["prefix"], body["name"]) == (token.pk, token.prefix, "điện thoại")
    assert body["key"].startswith(body["prefix"])
    assert ApiToken.hash_key(body["key"]) == token.key_hash
    assert token.expires_at is not None
    assert dt.timedelta(days=89) < token.expires_at - before <= dt.timedelta(days=90, minutes=1)
    assert body["created_at"].endswith("+07:00")
    # The key works, and is never shown again.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {body['key']}"}
    assert client.get("/api/v1/dossiers", **auth).status_code == 200
    listed = client.get("/api/v1/auth/tokens", **auth).json()
    assert listed["count"] == 1
    assert "key" not in listed["items"][0]
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor, event.object_id) == (citizen, str(token.pk))
    assert body["key"] not in json.dumps(event.after)


def test_a_phone_number_works_as_the_user_name(client: Client, citizen: User) -> None:
    response = _create(client, {"username": "0912345678", "password": PASSWORD})

    assert response.status_code == 201
    assert ApiToken.objects.get().user == citizen


def test_a_wrong_password_is_401_logged_without_it(
    client: Client, citizen: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="motcua.accounts.signin")

    response = _create(client, {"username": "an", "password": "doan-bua"})

    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Tên đăng nhập hoặc mật khẩu không đúng.",
    }
    assert ApiToken.objects.count() == 0
    messages = [r.getMessage() for r in caplog.records if r.name == "motcua.accounts.signin"]
    assert len(messages) == 1
    assert "reason=bad_credentials channel=api" in messages[0]
    assert "address=127.0.0.1" in messages[0]
    assert "doan-bua" not in caplog.text


@override_settings(
    MOTCUA_RATE_LIMITS={
        "login": (100, 60),
        "login_account": (3, 900),
        "auth_token": (100, 60),
        "lookup": (100, 60),
    }
)
def test_after_the_account_limit_even_the_right_password_waits(
    client: Client, citizen: User
) -> None:
    wrong = [
        _create(client, {"username": "an", "password": "x"}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    right = _create(client, {"username": "an", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")

    assert wrong == [401, 401, 401]
    assert right.status_code == 429
    assert right.json()["code"] == "sign_in_limited"
    assert 1 <= int(right["Retry-After"]) <= 901
    assert ApiToken.objects.count() == 0


@override_settings(
    MOTCUA_RATE_LIMITS={
        "login": (100, 60),
        "login_account": (100, 900),
        "auth_token": (2, 60),
        "lookup": (100, 60),
    }
)
def test_attempts_are_limited_per_address(client: Client, citizen: User) -> None:
    statuses = [
        _create(client, {"username": "an", "password": PASSWORD}).status_code for _ in range(3)
    ]

    assert statuses == [201, 201, 429]


def test_an_integrator_gets_its_tokens_from_an_administrator(
    client: Client, integrator: User
) -> None:
    response = _create(client, {"username": "dvcqg", "password": PASSWORD})

    assert response.status_code == 403
    assert response.json()["code"] == "integrator_tokens_by_admin"
    assert ApiToken.objects.count() == 0


def test_an_inactive_account_gets_no_token(client: Client, citizen: User) -> None:
    User.objects.filter(pk=citizen.pk).update(is_active=False)

    assert _create(client, {"username": "an", "password": PASSWORD}).status_code == 401


@override_settings(MOTCUA_PERSONAL_TOKENS={"days": 30, "max_active": 2})
def test_at_most_so_many_active_tokens(client: Client, citizen: User) -> None:
    created = [_create(client, {"username": "an", "password": PASSWORD}) for _ in range(2)]
    refused = _create(client, {"username": "an", "password": PASSWORD})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {created[0].json()['key']}"}
    client.delete(f"/api/v1/auth/tokens/{created[1].json()['id']}", **auth)
    again = _create(client, {"username": "an", "password": PASSWORD})

    assert refused.status_code == 409
    assert refused.json()["code"] == "too_many_tokens"
    assert again.status_code == 201


def test_the_list_shows_only_the_holders_tokens(
    client: Client, citizen: User, other_citizen: User
) -> None:
    mine, _ = api_token_create(user=citizen, name="a", now=timezone.now())
    api_token_create(user=other_citizen, name="b", now=timezone.now())
    auth = bearer(citizen)  # a second token of the citizen

    listed = client.get("/api/v1/auth/tokens", **auth).json()

    assert listed["count"] == 2
    assert {item["name"] for item in listed["items"]} == {"a", "test"}
    assert mine.pk in {item["id"] for item in listed["items"]}


def test_revoking_ones_token_takes_effect_at_once(client: Client, citizen: User) -> None:
    token, raw = api_token_create(user=citizen, name="a", now=timezone.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/dossiers", **auth).status_code == 200

    response = client.delete(f"/api/v1/auth/tokens/{token.pk}", **auth)

    assert response.status_code == 204
    assert client.get("/api/v1/dossiers", **auth).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert (event.actor, event.object_id) == (citizen, str(token.pk))


def test_someone_elses_token_is_404_and_stays(client: Client, citizen: User) -> None:
    theirs, _raw = api_token_create(user=UserFactory(username="khac"), name="x", now=timezone.now())

    response = client.delete(f"/api/v1/auth/tokens/{theirs.pk}", **bearer(citizen))

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy khoá API."}
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_a_session_revokes_with_its_csrf_token(client: Client, citizen: User) -> None:
    token, _ = api_token_create(user=citizen, name="a", now=timezone.now())
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    browser.get("/admin/login/")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value

    refused = browser.delete(f"/api/v1/auth/tokens/{token.pk}")
    done = browser.delete(f"/api/v1/auth/tokens/{token.pk}", HTTP_X_CSRFTOKEN=csrf)

    assert refused.status_code == 403
    assert done.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
