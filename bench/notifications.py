"""Notification dispatch throughput: one worker process delivers `notifications.sms`
deliveries to the console provider (the whole path: claim, resolve the applicant through the
dossiers' resolver, render, insert the delivery row, "send", mark sent, acknowledge).

What it does: creates a fresh PostgreSQL database `motcua_bench_notify_<pid>` (MOTCUA_BENCH_PG,
as the other benchmarks), migrates it, then in one subprocess seeds D dossiers and
MESSAGES `dossier.issue_result` messages with their SMS deliveries, and times
`outbox_deliver_pending` (batch 100) in that single process; always drops the database.
The same again on a temporary SQLite file. Each run also times a bare loop (render and send
the same number of messages to the console provider, no database) and reports the ratio.
Run alone: `.venv/bin/python -m bench.run notifications`. MOTCUA_BENCH_NOTIFY_MESSAGES
(default 5000), MOTCUA_BENCH_NOTIFY_ENGINES (default `postgresql,sqlite`),
MOTCUA_BENCH_NOTIFY_DOSSIERS (default `50,1000`: D, one scenario each; 50 makes chains of
100 messages, the per-dossier ordering's worst case, 1,000 makes 5 a dossier).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.api_submission import PG_SERVER, PYTHON, ROOT, _admin_sql

MESSAGES = int(os.environ.get("MOTCUA_BENCH_NOTIFY_MESSAGES", "5000"))
DOSSIERS = [
    int(n) for n in os.environ.get("MOTCUA_BENCH_NOTIFY_DOSSIERS", "50,1000").split(",") if n
]
TARGET_PER_SECOND = 1000


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=url,
        MOTCUA_SMS_PROVIDERS="console",
        CELERY_BROKER_URL="",
        LOG_LEVEL="WARNING",
    )
    return env


def measure(count: int, dossiers: int = 50) -> dict[str, Any]:
    """In the subprocess: seed, then deliver everything with one worker and time it."""
    import datetime as dt
    import logging

    import django

    django.setup()
    logging.getLogger("motcua.notifications.sms.console").setLevel(logging.WARNING)
    from django.db import connection, transaction

    from bench.api_submission import seed_reference_data
    from motcua.accounts.models import User
    from motcua.core.clock import VN_TZ
    from motcua.core.models import OutboxDelivery, OutboxMessage
    from motcua.core.outbox import outbox_deliver_pending
    from motcua.core.runtime import process_started
    from motcua.deadlines.services import calendar_seed
    from motcua.dossiers.services import dossier_submit
    from motcua.notifications.models import NotificationDelivery
    from motcua.notifications.services import templates_seed

    # loaded as a Celery worker process is once started (config.celery)
    process_started()
    now = dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    calendar_seed(years=(2026,), now=now)
    templates_seed()
    ward, version = seed_reference_data(now=now)
    codes = []
    for n in range(dossiers):
        citizen = User.objects.create_user(
            username=f"bench{n}",
            password=None,
            kind=User.Kind.CITIZEN,
            full_name=f"Nguyễn Văn Bench {n}",
            personal_id=f"0010{n:08d}",
            phone=f"09{n:08d}",
            email=f"bench{n}@example.vn",
        )
        codes.append(
            dossier_submit(
                applicant=citizen,
                procedure_version=version,
                receiving_unit=ward,
                form_data={"ten_tre": "An"},
                now=now,
            ).code
        )
    with transaction.atomic():
        messages = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                topic="dossier.issue_result",
                key=codes[n % dossiers],
                payload={"code": codes[n % dossiers], "status": 9, "action": "issue_result"},
                created_at=now,
            )
            for n in range(count)
        )
        OutboxDelivery.objects.bulk_create(
            OutboxDelivery(message=m, subscriber="notifications.sms", key=m.key, available_at=now)
            for m in messages
        )
    connection.close()
    statements = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    # The bare loop, in the same process and run: render and "send" each message to the
    # console provider with no database at all (the floor the dispatch is compared with).
    from motcua.notifications.rendering import render
    from motcua.notifications.sms.registry import sms_send

    bare_started = time.perf_counter()
    for n in range(count):
        text = render(
            event="result_ready",
            channel="sms",
            language="vi",
            values={
                "code": codes[n % dossiers],
                "procedure": "Đăng ký khai sinh",
                "lookup_url": "x",
            },
        ).body
        sms_send(to=f"09{n % dossiers:08d}", text=text, reference=f"bare:{n}")
    bare_seconds = time.perf_counter() - bare_started

    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counted):
        delivered = outbox_deliver_pending(now=None, batch=100, subscribers=["notifications.sms"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = NotificationDelivery.objects.filter(status="sent", provider="console").count()
    return {
        "delivered": delivered,
        "sent": sent,
        "seconds": seconds,
        "bare_seconds": bare_seconds,
        "cpu_seconds": cpu,
        "queries": statements[0],
        "loadavg_before": round(load, 2),
    }


def _measure_in(url: str, dossiers: int) -> dict[str, Any]:
    env = _env(url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    done = subprocess.run(
        [PYTHON, "-m", "bench.notifications", str(MESSAGES), str(dossiers)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _result(engine: str, dossiers: int, figures: dict[str, Any]) -> dict[str, Any]:
    per_second = int(figures["delivered"] / figures["seconds"]) if figures["seconds"] else 0
    bare = int(MESSAGES / figures["bare_seconds"]) if figures["bare_seconds"] else 0
    return {
        "name": (
            f"notification dispatch (console SMS, 1 worker, {engine}, "
            f"{dossiers} dossiers: chains of {MESSAGES // dossiers})"
        ),
        "figures": {
            "per_second": per_second,
            "messages": MESSAGES,
            "delivered": figures["delivered"],
            "sent_rows": figures["sent"],
            "ms_each": round(figures["seconds"] / max(figures["delivered"], 1) * 1000, 3),
            # The same messages rendered and sent with no database, in the same run.
            "bare_loop_per_second": bare,
            "ratio_to_bare_loop": round(per_second / bare, 3) if bare else 0,
            # The worker's own CPU per message (what one core spends in Python), and
            # the SQL statements per message: the machine's load is in the wall clock.
            "worker_cpu_per_second": int(figures["delivered"] / figures["cpu_seconds"])
            if figures["cpu_seconds"]
            else 0,
            "queries_per_message": round(figures["queries"] / max(figures["delivered"], 1), 2),
            "loadavg_before": figures["loadavg_before"],
        },
        "target": {"per_second": TARGET_PER_SECOND},
        "met": per_second >= TARGET_PER_SECOND and figures["sent"] == MESSAGES,
    }


def run() -> list[dict[str, Any]]:
    """Each scenario on PostgreSQL (a fresh database, always dropped) and SQLite (a temporary
    file): 50 dossiers (chains of 100, so claims of 50: the ordering's worst case) and 1,000
    dossiers (5 messages each, about a dossier's life; claims of a full batch)."""
    results = []
    engines = os.environ.get("MOTCUA_BENCH_NOTIFY_ENGINES", "postgresql,sqlite").split(",")
    for dossiers in DOSSIERS:
        if "postgresql" in engines:
            database = f"motcua_bench_notify_{os.getpid()}"
            _admin_sql(f'CREATE DATABASE "{database}"')
            try:
                figures = _measure_in(f"{PG_SERVER}/{database}", dossiers)
                results.append(_result("PostgreSQL", dossiers, figures))
            finally:
                _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if "sqlite" in engines:
            with tempfile.TemporaryDirectory() as folder:
                figures = _measure_in(f"sqlite:///{folder}/bench.sqlite3", dossiers)
                results.append(_result("SQLite", dossiers, figures))
    return results


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 50)))
