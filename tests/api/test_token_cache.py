"""API tokens are cached per process (`api_token_authenticate`): revocation, deactivation and
expiry must still take effect on the next request, whichever process made the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone
from freezegun import freeze_time

import config.urls  # noqa: F401  (builds the API schemas before time is frozen)
from motcua.accounts.admin import ApiTokenAdmin, UserAdmin
from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import (
    API_TOKENS_GENERATION,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from motcua.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _get(client: Client, raw: str) -> Any:
    return client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {raw}")


def _admin_request(user: User) -> Any:
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def _token(user: User, **kwargs: Any) -> tuple[ApiToken, str]:
    return api_token_create(user=user, name="t", now=timezone.now(), **kwargs)


def test_a_cached_token_costs_no_query(
    client: Client, citizen: User, django_assert_num_queries: Any
) -> None:
    _, raw = _token(citizen)
    assert _get(client, raw).status_code == 200  # loads, and records the use
    now = timezone.now()
    with django_assert_num_queries(0):
        assert api_token_authenticate(raw_key=raw, now=now) == citizen


def test_each_request_gets_its_own_copy_of_the_user(citizen: User) -> None:
    _, raw = _token(citizen)
    first = api_token_authenticate(raw_key=raw, now=timezone.now())
    assert first is not None
    first.full_name = "changed by a request"
    second = api_token_authenticate(raw_key=raw, now=timezone.now())
    assert second is not None
    assert second is not first
    assert second.full_name == "Nguyễn Văn An"


def test_a_revoked_token_is_refused_at_the_next_request(client: Client, citizen: User) -> None:
    token, raw = _token(citizen)
    assert _get(client, raw).status_code == 200  # cached
    api_token_revoke(token=token, actor=None, now=timezone.now())

    assert _get(client, raw).status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_revocation_announced_by_another_process_is_seen(client: Client, citizen: User) -> None:
    """Another worker revoked it: here only the shared counter moves (Redis in production)."""
    token, raw = _token(citizen)
    assert _get(client, raw).status_code == 200  # cached
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert _get(client, raw).status_code == 200  # nobody told this process yet
    cache.set(API_TOKENS_GENERATION.shared_key, 12345, None)  # what its bump does

    assert _get(client, raw).status_code == 401


def test_revoking_leaves_an_audit_event() -> None:
    actor = UserFactory(username="quantri")
    token, raw = _token(UserFactory(username="tichhop"))
    at = timezone.now()
    api_token_revoke(token=token, actor=actor, now=at)
    api_token_revoke(token=token, actor=actor, now=at + dt.timedelta(hours=1))  # no-op

    event = AuditEvent.objects.get(action="api_token.revoke")
    assert (event.actor, event.at, event.object_id) == (actor, at, str(token.pk))
    assert event.after["user"] == "tichhop"
    assert raw not in str(event.after)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == at


def test_revoking_in_the_admin_goes_through_the_service(
    client: Client, citizen: User, admin_user: User
) -> None:
    token, raw = _token(citizen)
    assert _get(client, raw).status_code == 200
    admin_client = Client()
    admin_client.force_login(admin_user)
    response = admin_client.post(
        f"/admin/accounts/apitoken/{token.pk}/change/",
        {
            "user": citizen.pk,
            "name": "renamed",
            "expires_at_0": "",
            "expires_at_1": "",
            "revoked_at_0": "01/01/2030",
            "revoked_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    assert _get(client, raw).status_code == 401
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.name == "renamed"
    assert stored.revoked_at is not None
    assert stored.revoked_at.year < 2030
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=admin_user).count() == 1


@pytest.mark.parametrize("how", ["save", "delete"])
def test_a_token_edited_or_deleted_in_the_admin_is_seen_at_once(
    client: Client, citizen: User, admin_user: User, how: str
) -> None:
    token, raw = _token(citizen)
    assert _get(client, raw).status_code == 200
    token_admin = ApiTokenAdmin(ApiToken, admin.site)
    if how == "save":
        token.expires_at = timezone.now() - dt.timedelta(seconds=1)
        token_admin.save_model(_admin_request(admin_user), token, _unchanged_form(), True)
    else:
        token_admin.delete_model(_admin_request(admin_user), token)

    assert _get(client, raw).status_code == 401


def _unchanged_form() -> Any:
    class Form:
        changed_data: list[str] = []
        initial: dict[str, Any] = {}

    return Form()


@pytest.mark.parametrize("how", ["save", "delete"])
def test_a_user_deactivated_or_deleted_in_the_admin_loses_its_tokens_at_once(
    client: Client, citizen: User, admin_user: User, how: str
) -> None:
    _, raw = _token(citizen)
    assert _get(client, raw).status_code == 200  # cached, with the user
    user_admin = UserAdmin(User, admin.site)
    if how == "save":
        citizen.is_active = False
        user_admin.save_model(_admin_request(admin_user), citizen, None, True)
    else:
        user_admin.delete_queryset(_admin_request(admin_user), User.objects.filter(pk=citizen.pk))

    assert _get(client, raw).status_code == 401


def test_a_user_deactivated_through_the_admin_page_loses_its_tokens(
    client: Client, citizen: User, admin_user: User
) -> None:
    _, raw = _token(citizen)
    assert _get(client, raw).status_code == 200
    admin_client = Client()
    admin_client.force_login(admin_user)
    page = admin_client.get(f"/admin/accounts/user/{citizen.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        groups=[],
        last_login_0="",
        last_login_1="",
        date_joined_0=citizen.date_joined.strftime("%d/%m/%Y"),
        date_joined_1="00:00:00",
    )
    data.pop("is_active")  # an unticked box is absent
    data.pop("last_login", None)
    data.pop("date_joined", None)
    for key in ("is_staff", "is_superuser"):
        if not data.get(key):
            data.pop(key, None)
    response = admin_client.post(f"/admin/accounts/user/{citizen.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert User.objects.get(pk=citizen.pk).is_active is False
    assert _get(client, raw).status_code == 401


def test_an_expired_token_is_refused_even_when_cached(client: Client, citizen: User) -> None:
    expires = timezone.now() + dt.timedelta(hours=1)
    _, raw = _token(citizen, expires_at=expires)
    assert _get(client, raw).status_code == 200  # cached, with its expiry
    with freeze_time(expires - dt.timedelta(seconds=1)):
        assert api_token_authenticate(raw_key=raw, now=timezone.now()) == citizen
    with freeze_time(expires):
        assert _get(client, raw).status_code == 401


def test_the_last_use_is_written_at_most_every_five_minutes(citizen: User) -> None:
    token, raw = _token(citizen)
    start = timezone.now()
    for minutes in (0, 1, 4, 6, 7, 12):
        api_token_authenticate(raw_key=raw, now=start + dt.timedelta(minutes=minutes))
        token.refresh_from_db()
        written = (token.last_used_at - start).total_seconds() / 60
        assert written == {0: 0, 1: 0, 4: 0, 6: 6, 7: 6, 12: 12}[minutes]


def test_another_process_writing_the_last_use_is_not_overwritten(citizen: User) -> None:
    """The UPDATE is conditional: a process whose memory is stale does not write it again."""
    token, raw = _token(citizen)
    start = timezone.now()
    api_token_authenticate(raw_key=raw, now=start)  # cached with last_used_at = None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=start + dt.timedelta(minutes=5))
    api_token_authenticate(raw_key=raw, now=start + dt.timedelta(minutes=6))
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(minutes=5)
