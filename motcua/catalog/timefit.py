"""Do the step allotments of a version fit its legal time? (domain.md §4, "Internal process
fits the law").

Every legal time is turned into the working hours a dossier is *sure* to have, on the working
clock (`motcua.deadlines.clock.WorkingClock` with the default office hours, Monday to Friday
07:00–11:30 and 13:30–17:00, holidays aside), and the allotments are added up against it:

- working days: N x 8 h; working hours: N h (every reception gets exactly that);
- calendar days: the deadline is the end of office hours of the N-th day after the reception
  day, moved to the next working day when that day is not one (`add_calendar_days`). The
  dossier with the least working time is the one received at the very end of a working day;
  the limit is the least, over the five weekdays, of the working hours from a reception at
  17:00 to that deadline (10 days: 48 h, the Friday-evening reception; 15 days: 88 h;
  20 days: 112 h);
- same day (`immediate`): the deadline is the end of the working day counting starts on
  (`end_of_working_day`); the internal process must fit one whole working day (8 h, counting
  from the opening), late receptions being the cut-off time's business.

The counter and the online legal time (when set) are both checked. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from motcua.core.clock import VN_TZ
from motcua.deadlines.clock import WorkingClock

from .models import HOURS_PER_WORKING_DAY, TimeUnit

# Any Monday far from the holidays the clock could know about: the clock below has none.
_REFERENCE_MONDAY = dt.date(2031, 1, 6)
_CLOSE = dt.time(17, 0)
_OPEN = dt.time(7, 0)


@functools.cache
def _clock() -> WorkingClock:
    return WorkingClock()


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=VN_TZ)


@functools.cache
def calendar_days_working_hours(days: int) -> Decimal:
    """The working hours a dossier received at the close of the least favourable weekday has
    before a deadline of `days` calendar days."""
    clock = _clock()
    least: Decimal | None = None
    for offset in range(5):
        received = _at(_REFERENCE_MONDAY + dt.timedelta(days=offset), _CLOSE)
        hours = clock.working_hours_between(received, clock.add_calendar_days(received, days))
        least = hours if least is None else min(least, hours)
    assert least is not None
    return least


@functools.cache
def same_day_working_hours() -> Decimal:
    """The working hours of one whole working day on the clock (8)."""
    clock = _clock()
    opening = _at(_REFERENCE_MONDAY, _OPEN)
    return clock.working_hours_between(opening, clock.end_of_working_day(opening))


def legal_time_working_hours(*, time_unit: str, value: Decimal) -> Decimal:
    """The working hours an internal process may take under a legal time of `value`
    `time_unit` (see the module docstring)."""
    if time_unit == TimeUnit.WORKING_DAYS:
        return value * HOURS_PER_WORKING_DAY
    if time_unit == TimeUnit.WORKING_HOURS:
        return value
    if time_unit == TimeUnit.CALENDAR_DAYS:
        whole = int(value.to_integral_value(rounding=ROUND_FLOOR))
        return calendar_days_working_hours(max(whole, 0))
    return same_day_working_hours()


@dataclass(frozen=True)
class ChannelLimit:
    channel: str  # "counter" | "online"
    legal_time: Decimal  # in the version's time unit
    limit_hours: Decimal


@dataclass(frozen=True)
class StepFit:
    order: int
    name: str
    hours: Decimal
    starts_at: Decimal  # working hours already allotted before the step
    ends_at: Decimal
    fits: bool  # ends within the tightest limit


@dataclass(frozen=True)
class TimeFit:
    time_unit: str
    limits: tuple[ChannelLimit, ...]
    steps: tuple[StepFit, ...]

    @property
    def total_hours(self) -> Decimal:
        return self.steps[-1].ends_at if self.steps else Decimal(0)

    @property
    def limit(self) -> ChannelLimit:
        """The tightest of the channels' limits (the online time when it is shorter)."""
        return min(self.limits, key=lambda c: c.limit_hours)

    @property
    def limit_hours(self) -> Decimal:
        return self.limit.limit_hours

    @property
    def fits(self) -> bool:
        return self.total_hours <= self.limit_hours

    @property
    def spare_hours(self) -> Decimal:
        return self.limit_hours - self.total_hours


def time_fit(
    *,
    time_unit: str,
    counter_time: Decimal,
    online_time: Decimal | None,
    steps: Iterable[tuple[int, str, Decimal]],
) -> TimeFit:
    """The allotments `(order, name, hours)`, in order, against the counter and online legal
    times."""
    limits = [
        ChannelLimit(
            "counter",
            counter_time,
            legal_time_working_hours(time_unit=time_unit, value=counter_time),
        )
    ]
    if online_time is not None:
        limits.append(
            ChannelLimit(
                "online",
                online_time,
                legal_time_working_hours(time_unit=time_unit, value=online_time),
            )
        )
    limit = min(c.limit_hours for c in limits)
    fitted: list[StepFit] = []
    elapsed = Decimal(0)
    for order, name, hours in sorted(steps, key=lambda s: s[0]):
        end = elapsed + hours
        fitted.append(StepFit(order, name, hours, elapsed, end, end <= limit))
        elapsed = end
    return TimeFit(time_unit=time_unit, limits=tuple(limits), steps=tuple(fitted))
