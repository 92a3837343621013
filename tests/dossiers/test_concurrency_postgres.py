"""Concurrency on PostgreSQL: separate OS processes against the same test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from motcua.dossiers.models import Dossier, DossierCodeCounter, DossierEvent

from .drafts_world import apply_world
from .helpers import MON, submitted

__all__ = ["apply_world"]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (run with DATABASE_URL=postgres://…): SQLite serialises "
            "writers with BEGIN IMMEDIATE, there is no row-level race to test"
        )


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def _start(args: list[str]) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.dossiers.concurrent_worker", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_together(tmp_path: Path, commands: list[list[str]]) -> list[list[dict]]:
    go = tmp_path / "go"
    workers = [_start([cmd[0], str(go), *cmd[1:]]) for cmd in commands]
    time.sleep(2)  # let both import Django and wait at the barrier
    go.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results.append([json.loads(line) for line in out.splitlines() if line.strip()])
    return results


def test_two_processes_submitting_1000_dossiers_get_consecutive_unique_codes(world, tmp_path):
    args = [str(world.version.pk), str(world.ward.pk), str(world.citizen.pk), MON.isoformat()]

    results = _run_together(tmp_path, [["submit", "500", *args], ["submit", "500", *args]])

    codes = [r["code"] for batch in results for r in batch]
    assert len(codes) == 1000
    assert sorted(codes) == [f"00070-260302-{n:04d}" for n in range(1, 1001)]
    assert Dossier.objects.count() == 1000
    assert DossierCodeCounter.objects.get(unit=world.ward).last == 1000
    # Each process saw its own numbers increase: they interleaved under the row lock.
    for batch in results:
        numbers = [int(r["code"].rsplit("-", 1)[1]) for r in batch]
        assert numbers == sorted(numbers)


def test_two_processes_receiving_the_same_dossier_exactly_one_wins(world, tmp_path):
    dossier = submitted(world)
    args = [str(dossier.pk), str(world.officer.pk), "1", MON.isoformat()]

    results = _run_together(tmp_path, [["receive", *args], ["receive", *args]])

    outcomes = sorted(json.dumps(batch[0], sort_keys=True) for batch in results)
    assert outcomes == ['{"error": "conflict"}', '{"ok": true}']
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == (2, 2)
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1


def test_two_requests_submitting_the_same_draft_make_one_dossier(apply_world, tmp_path):
    """A double click reaching two server processes at once: the draft row's lock makes the
    second wait, then return the dossier the first one made."""
    from motcua.dossiers.models import ApplicationDraft

    from .test_drafts import _complete

    draft = _complete(apply_world)
    args = [str(draft.pk), str(apply_world.citizen.pk), MON.isoformat()]

    results = _run_together(tmp_path, [["draft_submit", *args], ["draft_submit", *args]])

    codes = {r["code"] for batch in results for r in batch}
    assert len(codes) == 1
    assert Dossier.objects.count() == 1
    assert ApplicationDraft.objects.get(pk=draft.pk).dossier.code in codes
