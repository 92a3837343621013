"""The time-fit limits are what every dossier really gets on the working clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog.timefit import legal_time_working_hours
from motcua.core.clock import VN_TZ
from motcua.deadlines.clock import WorkingClock

CLOCK = WorkingClock()
OFFICE_MINUTES = [m for m in range(7 * 60, 17 * 60) if not 11 * 60 + 30 <= m < 13 * 60 + 30]


@settings(max_examples=300, deadline=None)
@given(
    days=st.integers(min_value=1, max_value=90),
    monday=st.dates(min_value=dt.date(2030, 1, 7), max_value=dt.date(2035, 12, 31)).map(
        lambda d: d - dt.timedelta(days=d.weekday())
    ),
    weekday=st.integers(min_value=0, max_value=4),
    minute=st.sampled_from(OFFICE_MINUTES),
)
def test_every_reception_has_at_least_the_calendar_day_limit(days, monday, weekday, minute):
    day = monday + dt.timedelta(days=weekday)
    received = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=VN_TZ)
    deadline = CLOCK.add_calendar_days(received, days)
    available = CLOCK.working_hours_between(received, deadline)
    limit = legal_time_working_hours(time_unit="calendar_days", value=Decimal(days))
    assert available >= limit


def test_the_calendar_day_limit_is_reached_by_some_reception():
    """Not over-cautious: a Friday reception at 17:00 has exactly the 10-day limit."""
    friday = dt.datetime(2031, 1, 10, 17, 0, tzinfo=VN_TZ)
    deadline = CLOCK.add_calendar_days(friday, 10)
    assert deadline == dt.datetime(2031, 1, 20, 17, 0, tzinfo=VN_TZ)
    assert CLOCK.working_hours_between(friday, deadline) == 48
    assert legal_time_working_hours(time_unit="calendar_days", value=Decimal(10)) == 48
