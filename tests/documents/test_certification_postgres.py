"""Certification numbers on PostgreSQL: two OS processes certifying for the same unit at once
get consecutive, unique numbers, and failed certifications leave no hole."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from motcua.documents.models import CertificationCounter, CertificationEntry
from motcua.organisation.models import Role
from tests.dossiers.test_concurrency_postgres import _database_url
from tests.factories import RoleAssignmentFactory, UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (run with DATABASE_URL=postgres://…): SQLite serialises "
            "writers with BEGIN IMMEDIATE, there is no row-level race to test"
        )


def _start(pki_dir: Path, args: list[str]) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(settings.BASE_DIR),
        "MOTCUA_SIGNING_DIR": str(pki_dir / "signers"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.documents.certify_worker", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_certifying_at_once_get_consecutive_unique_numbers(pki, tmp_path):
    unit = UnitFactory(code="00070", name="UBND Phường Hoàn Kiếm")
    officer = RoleAssignmentFactory(unit=unit, role=Role.OFFICER).user
    go = tmp_path / "go"
    # each process certifies 30 copies; every 7th fails after taking its number
    args = ["30", str(unit.pk), str(officer.pk), NOW.isoformat(), "7"]
    workers = [_start(pki.directory, [str(go), *args]) for _ in range(2)]
    time.sleep(2)  # let both import Django and wait at the barrier
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines() if line.strip()]

    failed = [r for r in results if r.get("failed")]
    numbers = sorted(r["number"] for r in results if "number" in r)
    assert len(failed) == 8  # 4 per process
    assert numbers == list(range(1, 53))  # 52 certified: no gap, no duplicate
    book = CertificationEntry.objects.filter(unit=unit, year=2026)
    assert sorted(book.values_list("number", flat=True)) == numbers
    assert sorted(book.values_list("book_number", flat=True)) == sorted(
        f"{n}/2026/SCT/BS" for n in numbers
    )
    assert CertificationCounter.objects.get(unit=unit, year=2026).last == 52
