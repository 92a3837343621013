"""Deactivating an account (`user_deactivate`, which the admin uses) cuts off its API tokens
at the next request, in this process and in every other one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import (
    API_TOKENS_GENERATION,
    api_token_authenticate,
    api_token_create,
    user_deactivate,
)
from motcua.core.models import AuditEvent
from tests.factories import CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


def _get(client: Client, raw: str) -> Any:
    return client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_deactivating_refuses_the_token_at_the_next_request_with_an_audit_event() -> None:
    client = Client()
    user = CitizenFactory(username="an")
    admin = UserFactory(username="quantri")
    _, raw = api_token_create(user=user, name="t", now=timezone.now())
    assert _get(client, raw).status_code == 200  # cached, with the user
    at = timezone.now()

    user_deactivate(user=user, actor=admin, now=at, reason="yêu cầu của chủ tài khoản")
    user_deactivate(user=user, actor=admin, now=at)  # already inactive: nothing more

    assert _get(client, raw).status_code == 401
    assert User.objects.get(pk=user.pk).is_active is False
    event = AuditEvent.objects.get(action="user.deactivate")
    assert (event.actor, event.at, event.object_id) == (admin, at, str(user.pk))
    assert event.before == {"is_active": True}
    assert event.reason == "yêu cầu của chủ tài khoản"


def test_another_process_sees_the_deactivation_through_the_shared_counter() -> None:
    """Another worker's cached entry is dropped only when the shared counter moves (Redis in
    production): here the local part of the bump is undone to see what that worker sees."""
    user = CitizenFactory(username="an")
    _, raw = api_token_create(user=user, name="t", now=timezone.now())
    assert api_token_authenticate(raw_key=raw, now=timezone.now()) is not None  # cached
    shared_before = cache.get(API_TOKENS_GENERATION.shared_key, 0)
    local_before = API_TOKENS_GENERATION.local

    user_deactivate(user=user, actor=None, now=timezone.now())  # in "the other" process
    shared_after = cache.get(API_TOKENS_GENERATION.shared_key, 0)
    API_TOKENS_GENERATION.local = local_before  # this worker never saw the local bump
    cache.set(API_TOKENS_GENERATION.shared_key, shared_before, None)
    still_cached = api_token_authenticate(raw_key=raw, now=timezone.now())
    cache.set(API_TOKENS_GENERATION.shared_key, shared_after, None)  # what the bump sent

    assert still_cached is not None  # without the shared bump the stale entry would serve
    assert shared_after > shared_before
    assert api_token_authenticate(raw_key=raw, now=timezone.now()) is None


def test_unticking_active_in_the_admin_goes_through_the_service(admin_user: User) -> None:
    user = CitizenFactory(username="an")
    _, raw = api_token_create(user=user, name="t", now=timezone.now())
    client = Client()
    assert _get(client, raw).status_code == 200
    admin_client = Client()
    admin_client.force_login(admin_user)
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        groups=[],
        last_login_0="",
        last_login_1="",
        date_joined_0=user.date_joined.strftime("%d/%m/%Y"),
        date_joined_1="00:00:00",
    )
    for key in ("is_active", "is_staff", "is_superuser", "last_login", "date_joined"):
        data.pop(key, None)

    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=user.pk).is_active is False
    assert _get(client, raw).status_code == 401
    assert AuditEvent.objects.filter(action="user.deactivate", actor=admin_user).count() == 1
