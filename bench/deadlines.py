"""Deadline arithmetic throughput: `WorkingClock.add_working_hours` over random counter
starts in 2026 and durations of 0.5–30 working days. Needs no database: the clock is built
from the same data `seed_calendar` writes (holidays package + government overrides)."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from motcua.core.clock import VN_TZ
from motcua.deadlines.clock import WorkingClock
from motcua.deadlines.sources import holidays_and_workdays

TARGET_PER_SECOND = 100_000
SAMPLES = 200_000
ROUNDS = 3


def _inputs(seed: int = 2026) -> list[tuple[dt.datetime, Decimal]]:
    rng = random.Random(seed)
    first = dt.datetime(2026, 1, 1, tzinfo=VN_TZ)
    minutes_in_year = 365 * 24 * 60
    return [
        (
            first + dt.timedelta(minutes=rng.randrange(minutes_in_year)),
            Decimal(rng.randrange(1, 61)) / 2 * 8,  # 0.5 .. 30 working days, in hours
        )
        for _ in range(SAMPLES)
    ]


def run() -> list[dict[str, Any]]:
    built = time.perf_counter()
    holidays, workdays = holidays_and_workdays(range(2025, 2029))
    clock = WorkingClock(holidays=holidays, workdays=workdays)
    build_seconds = time.perf_counter() - built
    inputs = _inputs()
    add = clock.add_working_hours
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for start, hours in inputs:
            add(start, hours)
        best = min(best, time.perf_counter() - started)
    per_second = int(SAMPLES / best)
    return [
        {
            "name": "deadline computations",
            "figures": {
                "per_second": per_second,
                "microseconds_each": round(best / SAMPLES * 1e6, 2),
                "samples": SAMPLES,
                "clock_build_ms": round(build_seconds * 1000, 1),
            },
            "target": {"per_second": TARGET_PER_SECOND},
            "met": per_second >= TARGET_PER_SECOND,
        }
    ]
