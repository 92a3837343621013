"""Receipt numbers on PostgreSQL: two OS processes issuing receipts for the same unit at once
get unique, consecutive numbers, and receipts whose transaction failed leave no hole."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from motcua.payments.models import Receipt, ReceiptSeries
from tests.dossiers.helpers import hk_receipt_series
from tests.dossiers.test_concurrency_postgres import _database_url
from tests.factories import UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (run with DATABASE_URL=postgres://…): SQLite serialises "
            "writers with BEGIN IMMEDIATE, there is no row-level race to test"
        )


def _start(args: list[str]) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.payments.receipt_worker", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_issuing_at_once_get_unique_gap_free_numbers(tmp_path) -> None:
    unit = UnitFactory(code="00070", name="UBND Phường Hoàn Kiếm")
    hk_receipt_series(unit=unit, now=NOW)
    go = tmp_path / "go"
    # each process issues 60 receipts; every 7th fails after taking its number
    workers = [
        _start([str(go), "60", str(unit.pk), NOW.isoformat(), "7", tag]) for tag in ("A", "B")
    ]
    time.sleep(2)  # let both import Django and wait at the barrier
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines() if line.strip()]

    failed = [r for r in results if r.get("failed")]
    numbers = sorted(r["number"] for r in results if "number" in r)
    assert len(failed) == 16  # 8 per process
    assert numbers == list(range(1, 105))  # 104 issued: no gap, no duplicate
    stored = Receipt.objects.filter(series__unit=unit)
    assert sorted(stored.values_list("number", flat=True)) == numbers
    assert ReceiptSeries.objects.get(unit=unit, year=2026).last == 104
