"""A worker killed with SIGKILL in the middle of a 1,000-message batch: another worker takes
over when the dead one's leases expire, and every message reaches the sandbox SMS provider
exactly once (one row per message, none missing, none twice).

Real processes (`manage.py deliver_outbox --loop`) on a real database: the test database on
PostgreSQL (DATABASE_URL=postgres://…), a migrated SQLite file otherwise."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("kill_worker_script.py")
BATCH = 1000
CHAINS = 100  # dossiers in the console test: claims of 100 chain heads
LEASE_S = 4


# Transactional: the worker processes commit in their own connections, so only a flush (not
# a rolled-back test transaction) leaves the next test a clean database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
        return {"url": url, "sqlite": ""}
    path = tmp_path / "worker.sqlite3"
    url = f"sqlite:///{path}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=_env(url), check=True
    )
    return {"url": url, "sqlite": str(path)}


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=url,
        MOTCUA_SMS_PROVIDERS="sandbox",
        MOTCUA_OUTBOX_LEASE_S=str(LEASE_S),
        CELERY_BROKER_URL="",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(url: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=_env(url),
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        pytest.fail(f"kill_worker_script {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _sandbox_count(database: dict[str, str]) -> int:
    if database["sqlite"]:
        with sqlite3.connect(database["sqlite"], timeout=30) as db:
            return int(db.execute("SELECT COUNT(*) FROM notifications_sandboxsms").fetchone()[0])
    from motcua.notifications.models import SandboxSms

    return SandboxSms.objects.count()


def _worker(
    url: str, *, exit_when_idle: float, env: dict[str, str] | None = None, log: Any = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_outbox", "--loop", "--batch=100",
         "--interval=0.2", f"--exit-when-idle={exit_when_idle}"],
        cwd=ROOT, env={**_env(url), **(env or {})}, stdout=subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )  # fmt: skip


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    database: dict[str, str],
) -> None:
    url = database["url"]
    messages = _run(url, "seed", str(BATCH))["messages"]
    assert len(messages) == BATCH

    first = _worker(url, exit_when_idle=60)
    deadline = time.monotonic() + 120
    while _sandbox_count(database) < 150 and time.monotonic() < deadline:
        assert first.poll() is None, "the first worker ended before it was killed"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    at_kill = _sandbox_count(database)
    assert first.returncode == -signal.SIGKILL
    assert 150 <= at_kill < BATCH  # killed in the middle

    second = _worker(url, exit_when_idle=LEASE_S * 2 + 2)  # outlives the dead one's leases
    second.wait(timeout=300)
    assert second.returncode == 0

    result = _run(url, "report")
    per_message = Counter(int(ref.split(":")[0]) for ref in result["references"])
    assert sorted(per_message) == sorted(messages)  # every message reached the provider
    assert set(per_message.values()) == {1}  # ... exactly once
    assert sorted(result["sent"]) == sorted(result["references"])
    assert result["deliveries"] == {"delivered": BATCH}
    # What the provider's deduplication absorbed (a send in flight at the kill): at most the
    # one message the worker was handling.
    assert result["hits"] - BATCH in (0, 1)


#: What the console provider logs for each text it "sends" (its reference is the delivery key,
#: `<outbox idempotency key>:sms:<hash>`).
CONSOLE_SENT = re.compile(r"motcua\.notifications\.sms\.console sms to \S+ \(\d+ chars\) ref (\S+)")


def _console_sends(*logs: Path) -> list[str]:
    return [m.group(1) for log in logs for m in CONSOLE_SENT.finditer(log.read_text())]


def test_a_worker_killed_mid_batch_with_a_provider_that_does_not_deduplicate(
    database: dict[str, str], tmp_path: Path
) -> None:
    """The console provider keeps no record and deduplicates nothing, and touches no database
    (so on PostgreSQL every "sent" mark goes out pipelined, not waited for): each text it
    logs is a text sent. Killed in the middle of a batch's sends, the worker leaves at most
    the one message it was handling unmarked: at most one message is sent twice, none lost.
    (100 dossiers, so that every claim is a full batch of 100 chain heads.)"""
    url = database["url"]
    messages = _run(url, "seed", str(BATCH), str(CHAINS))["messages"]
    console = {"MOTCUA_SMS_PROVIDERS": "console", "LOG_LEVEL": "INFO"}
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with first_log.open("wb") as log:
        first = _worker(url, exit_when_idle=60, env=console, log=log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # no sleep: to kill it while it sends a batch
            assert first.poll() is None, "the first worker ended before it was killed"
            sent = len(_console_sends(first_log))
            # well inside a batch (not near its end), so the kill lands in the middle of it
            if sent >= 150 and 0 < sent % CHAINS < CHAINS // 2:
                break
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    at_kill = len(_console_sends(first_log))
    assert 150 <= at_kill < BATCH
    assert at_kill % CHAINS  # in the middle of a batch: some of its texts sent, not all

    with second_log.open("wb") as log:
        second = _worker(url, exit_when_idle=LEASE_S * 2 + 2, env=console, log=log)
        second.wait(timeout=300)
    assert second.returncode == 0

    sends = Counter(_console_sends(first_log, second_log))
    per_message = Counter(int(reference.split(":")[0]) for reference in sends)
    assert sorted(per_message) == sorted(messages)  # every message was sent
    assert set(per_message.values()) == {1}  # one delivery key each
    assert sum(sends.values()) - BATCH in (0, 1)  # at most the one in flight sent twice
    result = _run(url, "report")
    assert sorted(result["sent"]) == sorted(sends)  # and each row says so
    assert result["deliveries"] == {"delivered": BATCH}
