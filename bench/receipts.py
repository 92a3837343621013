"""Signed electronic receipts per second on one core: the whole of
`motcua.dossiers.services.receipts.dossier_receipt_issue` for a payment already recorded —
take the gap-free number, write the receipt, lay out its PDF with the verification code and
QR code, sign it (PAdES, visible stamp, the demo PKI's RSA key), store it, register it for
/verify/, and write its outbox message (`dossier.issue_receipt`, the payer's notification).
Delivering that message is the worker's (`bench.run notifications` measures it): here, as in
production with a broker, the commit only hands it off, so the hand-off is switched off
rather than delivering inline as the brokerless embedded setup does. The bare operation in
the same run is `receipt_issue` alone (number and row, no PDF), so the ratio says what the
signed document costs. The machine's own speed is measured beside them: the bare view
(`GET /api/v1/health` through Django's whole stack in the same process, BARE_VIEWS requests
a round), so a figure from a slower or busier core can be read against one from another
(`signed_per_second_in_bare_views`: receipts a second per thousand bare views a second).

What it does: a fresh PostgreSQL database `motcua_bench_receipts_<pid>` (MOTCUA_BENCH_PG, as
the other benchmarks), migrated; a subprocess builds the demo PKI in a temporary directory,
seeds one ward and the payments, then times both in that single process (CPU time of the
process, one core's work, and wall clock) in ROUNDS rounds of RECEIPTS receipts each, bare
and signed alternating; always drops the database. A round takes about a second, so one
round alone said as much of the machine's moment as of the code: the figures are the median
round's, with the slowest and fastest beside it. Run alone:
`.venv/bin/python -m bench.run receipts`. MOTCUA_BENCH_RECEIPTS (default 200),
MOTCUA_BENCH_RECEIPT_ROUNDS (default 5).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.api_submission import PG_SERVER, PYTHON, ROOT, _admin_sql

RECEIPTS = int(os.environ.get("MOTCUA_BENCH_RECEIPTS", "200"))
ROUNDS = max(1, int(os.environ.get("MOTCUA_BENCH_RECEIPT_ROUNDS", "5")))
BARE_VIEWS = int(os.environ.get("MOTCUA_BENCH_RECEIPT_BARE_VIEWS", "1000"))
GOAL_PER_SECOND = 200


def measure(count: int, rounds: int = 1, bare_views: int = BARE_VIEWS) -> dict[str, Any]:
    import datetime as dt
    import tempfile
    from pathlib import Path

    import django

    django.setup()
    from django.conf import settings

    from motcua.core import outbox
    from motcua.core.runtime import process_started

    # the worker delivers the receipts' messages (see the module's docstring)
    outbox._schedule_delivery = lambda: None  # type: ignore[assignment]

    from bench.api_submission import seed_reference_data
    from motcua.core.clock import VN_TZ
    from motcua.deadlines.services import calendar_seed
    from motcua.demo.pki import demo_pki_build
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import dossier_submit
    from motcua.dossiers.services.receipts import dossier_receipt_issue
    from motcua.payments.receipts import receipt_issue, receipt_series_configure
    from motcua.payments.services import fee_line_add, fee_lines_pay

    # loaded as a web or worker process is once started (config.wsgi, config.celery)
    process_started()
    now = dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    directory = tempfile.mkdtemp()
    pki = demo_pki_build(directory=Path(directory), now=dt.datetime.now(tz=dt.UTC))
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = pki.directory / "signers"
    calendar_seed(years=(2026,), now=now)
    ward, version = seed_reference_data(now=now)
    receipt_series_configure(
        unit=ward,
        year=2026,
        form_symbol="01BLP",
        letters="HK",
        collector_name="UBND Phường Hoàn Kiếm",
        collector_tax_code="0101234567",
        actor=None,
        now=now,
    )
    from motcua.accounts.models import User

    citizen = User.objects.create_user(
        username="bench", password=None, kind=User.Kind.CITIZEN, full_name="Nguyễn Văn Bench"
    )
    dossier: Dossier = dossier_submit(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=ward,
        form_data={"ten_tre": "An"},
        now=now,
    )

    def payment(n: int) -> Any:
        line = fee_line_add(
            dossier_code=dossier.code,
            collecting_unit=ward,
            name="Lệ phí cấp bản sao trích lục hộ tịch",
            kind="charge",
            timing="before",
            unit_amount_vnd=1_000 * (n % 97 + 1),
            quantity=n % 3 + 1,
            now=now,
        )
        return fee_lines_pay(lines=[line], method="cash", reference=f"PT-{n}", now=now)

    bare = [[payment(2 * r * count + n) for n in range(count)] for r in range(rounds)]
    signed = [[payment((2 * r + 1) * count + n) for n in range(count)] for r in range(rounds)]
    dossier_receipt_issue(payment=payment(10 * rounds * count), now=now)  # warm: font, key
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if client.get("/api/v1/health").status_code != 200:  # warm, and the view answers
        raise RuntimeError("the bare view does not answer 200")

    load = os.getloadavg()[0]
    measured: list[dict[str, float]] = []
    for r in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        for p in bare[r]:
            receipt_issue(payment=p, payer_name="Nguyễn Văn Bench", now=now)
        bare_seconds, bare_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        for p in signed[r]:
            dossier_receipt_issue(payment=p, now=now)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        cpu = time.process_time()
        for _ in range(bare_views):
            client.get("/api/v1/health")
        view_cpu = time.process_time() - cpu
        measured.append(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "bare_seconds": bare_seconds,
                "bare_cpu_seconds": bare_cpu,
                "bare_view_cpu_seconds": view_cpu,
            }
        )
    return {
        "count": count,
        "bare_views": bare_views,
        "rounds": measured,
        "loadavg_before": round(load, 2),
    }


def run() -> list[dict[str, Any]]:
    database = f"motcua_bench_receipts_{os.getpid()}"
    url = f"{PG_SERVER}/{database}"
    _admin_sql(f'CREATE DATABASE "{database}"')
    try:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=url,
            CELERY_BROKER_URL="",
            LOG_LEVEL="WARNING",
        )
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        done = subprocess.run(
            [PYTHON, "-m", "bench.receipts", str(RECEIPTS), str(ROUNDS)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    count = figures["count"]
    rounds = figures["rounds"]
    per_round = sorted(count / r["cpu_seconds"] for r in rounds)
    median = sorted(rounds, key=lambda r: r["cpu_seconds"])[len(rounds) // 2]
    per_core = round(count / median["cpu_seconds"], 1)
    bare_per_core = round(statistics.median(count / r["bare_cpu_seconds"] for r in rounds), 1)
    views = figures["bare_views"]
    view_per_core = round(statistics.median(views / r["bare_view_cpu_seconds"] for r in rounds))
    return [
        {
            "name": "signed receipts per core",
            "figures": {
                "per_second_cpu": per_core,
                "per_second_cpu_slowest": round(per_round[0], 1),
                "per_second_cpu_fastest": round(per_round[-1], 1),
                "per_second_wall": round(count / median["seconds"], 1),
                "ms_each_cpu": round(median["cpu_seconds"] / count * 1000, 2),
                "bare_receipt_per_second_cpu": bare_per_core,
                "signed_to_bare_ratio": round(per_core / bare_per_core, 3),
                "bare_view_per_second_cpu": view_per_core,
                "signed_per_second_in_bare_views": round(per_core / view_per_core * 1000, 2),
                "receipts": count,
                "rounds": len(rounds),
                "loadavg_before": figures["loadavg_before"],
            },
            "target": {"per_second_cpu": GOAL_PER_SECOND},
            "met": per_core >= GOAL_PER_SECOND,
        }
    ]


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)))
