"""Deadline tests: a fresh clock cache per test, the 2025–2027 calendar seeded on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest

from motcua.core.clock import VN_TZ
from motcua.deadlines.clock import WorkingClock, clock_cache_clear
from motcua.deadlines.services import SeedSummary, calendar_seed
from motcua.deadlines.sources import holidays_and_workdays
from motcua.organisation.models import Unit
from tests.factories import UnitFactory

NOW = dt.datetime(2025, 12, 1, 9, 0, tzinfo=VN_TZ)
SEEDED_YEARS = (2025, 2026, 2027)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant in Vietnamese local time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def make_unit(**fields: Any) -> Unit:
    """A saved unit (typed: factory_boy's stubs type the factory call as the factory)."""
    return cast(Unit, UnitFactory(**fields))


@pytest.fixture(autouse=True)
def _fresh_clock_cache() -> Iterator[None]:
    clock_cache_clear()
    yield
    clock_cache_clear()


@pytest.fixture
def seeded_calendar(db: None) -> SeedSummary:
    """The calendar of 2025–2027 from the package and the government overrides."""
    return calendar_seed(years=SEEDED_YEARS, now=NOW)


@pytest.fixture(scope="session")
def package_clock() -> WorkingClock:
    """The default office hours with the 2025–2027 calendar, built without the database."""
    holidays, workdays = holidays_and_workdays(SEEDED_YEARS)
    return WorkingClock(holidays=holidays, workdays=workdays)
