"""The database restarting under a running worker: PostgreSQL ends every connection of the
worker (as a restart or a failover does) twice in the middle of a 1,000-message batch. The
worker (`manage.py deliver_outbox --loop`) does not die: it reconnects and goes on, and
every message reaches the sandbox SMS provider exactly once.

PostgreSQL only: an embedded SQLite file has no server to restart."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.db import connection

from tests.notifications.test_kill_worker import (
    BATCH,
    LEASE_S,
    _run,
    _sandbox_count,
    _worker,
    database,
)

__all__ = ["database"]

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL=postgres://…): a server to restart",
    ),
    pytest.mark.django_db(transaction=True),  # the worker commits in its own connections
]


def _end_other_connections() -> int:
    """What a restart does to the worker: every other backend of this database is ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def test_a_database_restart_mid_batch_loses_nothing_and_sends_nothing_twice(
    database: dict[str, str],
) -> None:
    url = database["url"]
    messages = _run(url, "seed", str(BATCH))["messages"]

    # A delivery whose failure was recorded at the restart waits for its backoff: short here
    # (0.5-2 s) so that the worker, which ends when idle, outlives it and the broken leases.
    retries = {"MOTCUA_OUTBOX_RETRY_BASE_S": "0.5", "MOTCUA_OUTBOX_RETRY_MAX_S": "2"}
    worker = _worker(url, exit_when_idle=LEASE_S * 2 + 4, env=retries)
    ended = []
    for threshold in (150, 500):
        deadline = time.monotonic() + 120
        while _sandbox_count(database) < threshold and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker ended before the restart"
            time.sleep(0.02)
        ended.append(_end_other_connections())
        assert _sandbox_count(database) < BATCH, "the batch was over before the restart"
    assert all(n >= 1 for n in ended)  # the worker's connection was there, and was ended

    worker.wait(timeout=300)
    assert worker.returncode == 0  # it went on after both restarts, and ended when idle

    result = _run(url, "report")
    assert result["deliveries"] == {"delivered": BATCH}, result["stuck"]  # none pending or dead
    per_message = Counter(int(ref.split(":")[0]) for ref in result["references"])
    assert sorted(per_message) == sorted(messages)  # every message reached the provider
    assert set(per_message.values()) == {1}  # ... exactly once
    # A send in flight at each restart may be asked again; the provider's key absorbs it.
    assert result["hits"] - BATCH in (0, 1, 2)
