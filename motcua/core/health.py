"""Readiness: can this process serve? The database, the shared cache and the Celery broker,
each checked on its own with a short timeout (`GET /api/v1/ready`; `/health` is liveness and
touches nothing).

`readiness_check()` returns `{"status", "checks"}`: `unavailable` when the database does not
answer (nothing works without it), `degraded` when the cache or the broker does not (the
service still works: rate limits count per process, reference-data caches read the
database, outbox rows wait in the database for the beat job), else `ready`. A broker is
`not_configured` in the embedded setup (tasks run in-process), which is ready.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

TIMEOUT_SECONDS = 1.0


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # whatever the driver raises: reported, never raised
        result = {"status": "unavailable", "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> dict[str, Any]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL statement_timeout = {int(TIMEOUT_SECONDS * 1000)}")
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def _cache() -> dict[str, Any]:
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key = f"motcua.ready.{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=5)
    found = cache.get(key)
    cache.delete(key)
    if found != 1:
        return {"status": "unavailable", "backend": backend, "error": "read_back_failed"}
    return {"status": "ok", "backend": backend}


def _broker() -> dict[str, Any]:
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return {"status": "not_configured"}
    from kombu import Connection

    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
    return {"status": "ok"}


def readiness_check() -> dict[str, Any]:
    checks = {
        "database": _timed(_database),
        "cache": _timed(_cache),
        "broker": _timed(_broker),
    }
    if checks["database"]["status"] != "ok":
        status = "unavailable"
    elif checks["cache"]["status"] != "ok" or checks["broker"]["status"] not in (
        "ok",
        "not_configured",
    ):
        status = "degraded"
    else:
        status = "ready"
    return {"status": status, "checks": checks}
