"""With the shared cache (Redis) unreachable the API still serves: rate limits count in the
process, the per-process caches read the database, and one warning is logged per retry
period — not one per request."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create, user_deactivate
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.organisation.models import Unit

pytestmark = pytest.mark.django_db

CLOSED_PORT = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6391/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down() -> Iterator[None]:
    with override_settings(CACHES=CLOSED_PORT, MOTCUA_CACHE_RETRY_SECONDS=3600):
        yield


def _outage_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "motcua.cache"]


def test_the_api_serves_with_redis_down_and_warns_once(
    client: Client,
    procedure: Procedure,
    ward: Unit,
    citizen: User,
    redis_down: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, raw = api_token_create(user=citizen, name="t", now=timezone.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    caplog.set_level(logging.WARNING, logger="motcua.cache")

    looked_up = [client.get("/api/v1/procedures").status_code for _ in range(3)]
    units = client.get("/api/v1/units")
    submitted = client.post(
        "/api/v1/dossiers",
        json.dumps(
            {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}
        ),
        content_type="application/json",
        **auth,
    )
    mine = client.get("/api/v1/dossiers", **auth)

    assert looked_up == [200, 200, 200]
    assert units.status_code == 200
    assert submitted.status_code == 201, submitted.content
    assert mine.json()["count"] == 1
    assert Dossier.objects.count() == 1
    warnings = _outage_warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith("shared cache unavailable (ConnectionError")


@override_settings(MOTCUA_RATE_LIMITS={"login": (10, 60), "lookup": (2, 60)})
def test_rate_limits_still_hold_in_the_process(
    client: Client, procedure: Procedure, redis_down: None
) -> None:
    statuses = [client.get("/api/v1/procedures").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_deactivated_user_is_refused_at_once_during_the_outage(
    client: Client, citizen: User, redis_down: None
) -> None:
    _, raw = api_token_create(user=citizen, name="t", now=timezone.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/dossiers", **auth).status_code == 200

    user_deactivate(user=citizen, actor=None, now=timezone.now())

    assert client.get("/api/v1/dossiers", **auth).status_code == 401


def test_a_warning_again_only_after_the_retry_period(
    client: Client, procedure: Procedure, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="motcua.cache")
    with override_settings(CACHES=CLOSED_PORT, MOTCUA_CACHE_RETRY_SECONDS=0):
        client.get("/api/v1/procedures")
        client.get("/api/v1/procedures")

    # Retrying at every call (period 0), each failed attempt is a new period: one per attempt,
    # whereas with a period (above) many requests share one warning.
    assert len(_outage_warnings(caplog)) >= 2
    assert cache.get("anything") is None  # back on the test cache
