"""GET /api/v1/ready: database, cache and broker reported apart; 503 without a database."""

from __future__ import annotations

import socket
from unittest import mock

import pytest
from django.conf import settings
from django.db.utils import OperationalError
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

CLOSED_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6391/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def _statuses(body: dict) -> dict[str, str]:
    return {name: check["status"] for name, check in body["checks"].items()}


def test_ready_in_the_embedded_setup(client: Client) -> None:
    response = client.get("/api/v1/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert _statuses(body) == {"database": "ok", "cache": "ok", "broker": "not_configured"}
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    assert body["checks"]["cache"]["backend"] == backend  # LocMemCache, or RedisCache
    assert all(check["latency_ms"] >= 0 for check in body["checks"].values())


def test_degraded_when_the_cache_is_down(client: Client) -> None:
    with override_settings(CACHES=CLOSED_REDIS):
        response = client.get("/api/v1/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert _statuses(body) == {"database": "ok", "cache": "unavailable", "broker": "not_configured"}
    assert body["checks"]["cache"]["error"] == "ConnectionError"


def test_degraded_when_the_broker_is_down_and_fast(client: Client) -> None:
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6391/0"):
        response = client.get("/api/v1/ready")

    body = response.json()
    assert (response.status_code, body["status"]) == (200, "degraded")
    assert body["checks"]["broker"]["status"] == "unavailable"
    assert body["checks"]["broker"]["latency_ms"] < 3000


def test_a_reachable_broker_is_ok(client: Client) -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/12"):
        response = client.get("/api/v1/ready")

    assert response.json()["checks"]["broker"]["status"] == "ok"


def test_unavailable_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("motcua.core.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/api/v1/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "status": "unavailable",
        "error": "OperationalError",
        "latency_ms": body["checks"]["database"]["latency_ms"],
        "backend": None,
        "vendor": None,
    }


def test_liveness_stays_without_the_database(client: Client) -> None:
    with mock.patch("motcua.core.health.connection.cursor", side_effect=OperationalError("down")):
        assert client.get("/api/v1/health").json() == {"status": "ok"}
