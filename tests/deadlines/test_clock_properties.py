"""Properties of the working-hours arithmetic (hypothesis), on the 2025–2027 calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.clock import VN_TZ
from motcua.deadlines.clock import WorkingClock
from motcua.deadlines.sources import holidays_and_workdays

_holidays, _workdays = holidays_and_workdays((2025, 2026, 2027))
CLOCK = WorkingClock(holidays=_holidays, workdays=_workdays)

starts = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 31, 23, 59)
).map(lambda moment: moment.replace(second=0, microsecond=0, tzinfo=VN_TZ))
# 0 to 30 working days in quarter hours
hours = st.integers(min_value=0, max_value=30 * 8 * 4).map(lambda q: Decimal(q) / 4)
positive_hours = st.integers(min_value=1, max_value=30 * 8 * 4).map(lambda q: Decimal(q) / 4)

SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(start=starts, first=hours, second=hours)
def test_monotonic_in_hours(start: dt.datetime, first: Decimal, second: Decimal) -> None:
    low, high = sorted((first, second))
    assert CLOCK.add_working_hours(start, low) <= CLOCK.add_working_hours(start, high)


@SETTINGS
@given(first=starts, second=starts, amount=hours)
def test_monotonic_in_start(first: dt.datetime, second: dt.datetime, amount: Decimal) -> None:
    early, late = sorted((first, second))
    assert CLOCK.add_working_hours(early, amount) <= CLOCK.add_working_hours(late, amount)


@SETTINGS
@given(start=starts, first=hours, second=positive_hours)
def test_additive(start: dt.datetime, first: Decimal, second: Decimal) -> None:
    # a deadline ending on 11:30 / 17:00 resumes at the next block start: for second > 0 the
    # two-step sum is the same as the one-step one
    two_steps = CLOCK.add_working_hours(CLOCK.add_working_hours(start, first), second)
    assert two_steps == CLOCK.add_working_hours(start, first + second)


@SETTINGS
@given(start=starts, amount=positive_hours)
def test_never_ends_outside_office_hours(start: dt.datetime, amount: Decimal) -> None:
    deadline = CLOCK.add_working_hours(start, amount)
    assert deadline.tzinfo is VN_TZ
    moment = deadline.timetz().replace(tzinfo=None)
    blocks = CLOCK.office_blocks(deadline.date())
    assert any(begin < moment <= end for begin, end in blocks), (deadline, blocks)


@SETTINGS
@given(start=starts, amount=hours)
def test_between_inverts_add(start: dt.datetime, amount: Decimal) -> None:
    normalised = CLOCK.counting_start(start, channel="counter")
    assert CLOCK.working_hours_between(normalised, CLOCK.add_working_hours(start, amount)) == (
        amount
    )
