"""A serving process freezes what it loaded out of the collector's passes (ADR 0034)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings.base import env_bool
from motcua.core.runtime import process_started

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process itself keeps collecting everything


def test_what_is_loaded_is_frozen_and_what_comes_after_is_collected(settings: Any) -> None:
    settings.MOTCUA_GC_FREEZE = True
    frozen = process_started()
    assert frozen > 10_000  # Django and the apps
    # nothing is added to the frozen generation afterwards; a frozen object whose last
    # reference goes is still freed by reference counting, so the count may only shrink
    assert 0 <= frozen - gc.get_freeze_count() < 1_000
    before = gc.get_count()[0]
    assert before < 700  # the young generation starts afresh
    # a cycle made afterwards is still garbage the collector finds
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


@pytest.mark.parametrize("value", ["false", "0", "off", "No"])
def test_it_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, settings: Any, value: str) -> None:
    monkeypatch.setenv("MOTCUA_GC_FREEZE", value)
    settings.MOTCUA_GC_FREEZE = env_bool("MOTCUA_GC_FREEZE", True)  # as the settings read it
    assert process_started() == 0
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize(
    "started",
    [
        "import config.wsgi",
        "import django; django.setup(); import config.celery; "
        "from celery.signals import worker_process_init; "
        "worker_process_init.send(sender=None)",
    ],
    ids=["web", "worker"],
)
def test_the_web_and_worker_processes_freeze_once_loaded(started: str) -> None:
    """Each in a process of its own, as gunicorn and Celery start them."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("MOTCUA_GC_FREEZE", None)
    done = subprocess.run(
        [sys.executable, "-c", f"{started}; import gc; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000
