"""Deadline arithmetic on a working calendar (domain.md section 4, "The arithmetic, exactly").

`WorkingClock` is a pure calculator: it knows the weekly office hours, the holidays and the
make-up working days, and nothing about the database. Every instant is placed on a *working
timeline*: the number of working microseconds counted from the start of an internal window
(2015–2040, extended on demand) up to that instant. Adding working hours is then a lookup
(`bisect`) in the per-day cumulative totals instead of a walk over days, which keeps a
computation in the order of microseconds.

Office blocks are half-open: 11:30 and 17:00 themselves are outside the office (a dossier
received at 17:00:00 counts from the next working morning), but a deadline that lands exactly
on a block end *is* that block end (domain.md: never the next block's start).

`clock_for_unit(unit)` returns the cached clock of a unit; the services that write
`CalendarDay` / `WorkSchedule` call `clock_cache_invalidate()` (no signals).
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any

from motcua.core.clock import VN_TZ
from motcua.core.generation_cache import Generation, GenerationCache

if TYPE_CHECKING:
    from motcua.organisation.models import Unit

    from .models import WorkSchedule

CHANNELS = ("counter", "online", "post")
HOURS_PER_WORKING_DAY = 8

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
_US_PER_HOUR_DECIMAL = Decimal(US_PER_HOUR)

Block = tuple[dt.time, dt.time]
WeeklyBlocks = Mapping[int, Sequence[Block]]

DEFAULT_BLOCKS: tuple[Block, ...] = (
    (dt.time(7, 0), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
# Monday to Friday, 07:00–11:30 and 13:30–17:00 (domain.md §4, practice default).
DEFAULT_WEEKLY: dict[int, tuple[Block, ...]] = dict.fromkeys(range(5), DEFAULT_BLOCKS)
DEFAULT_ONLINE_LATE_FROM = dt.time(16, 0)

# The window precomputed when a clock is built; instants outside it extend it lazily.
WINDOW_FIRST = dt.date(2015, 1, 1)
WINDOW_LAST = dt.date(2040, 12, 31)
_EXTEND_DAYS = 5 * 366
_MIN_ORDINAL = dt.date(1, 1, 2).toordinal()  # keep a day of margin for local conversions
_MAX_ORDINAL = dt.date(9999, 12, 30).toordinal()

_DayBlocks = tuple[tuple[int, int], ...]  # (start, end) in microseconds since local midnight


def _time_us(value: dt.time) -> int:
    return (
        (value.hour * 60 + value.minute) * 60 + value.second
    ) * US_PER_SECOND + value.microsecond


def _local(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime: the working clock needs aware datetimes")
    if value.tzinfo is VN_TZ:
        return value
    return value.astimezone(VN_TZ)


def _hours_us(hours: Decimal | int | float) -> int:
    """Working hours as whole microseconds, rounded up (the *earliest* instant at which at
    least that much time has been counted)."""
    if isinstance(hours, bool):
        raise TypeError("hours must be a number, not a bool")
    if isinstance(hours, int):
        amount = hours * US_PER_HOUR
    else:
        number = hours if isinstance(hours, Decimal) else Decimal(repr(float(hours)))
        if not number.is_finite():
            raise ValueError(f"hours must be finite, not {hours!r}")
        amount = int((number * _US_PER_HOUR_DECIMAL).to_integral_value(ROUND_CEILING))
    if amount < 0:
        raise ValueError(f"hours must not be negative ({hours!r})")
    return amount


@dataclass(frozen=True, slots=True)
class _Window:
    """Per-day data for the ordinals [base, base + len(blocks))."""

    base: int
    blocks: tuple[_DayBlocks, ...]
    cumulative: tuple[int, ...]  # working µs before each day; one more entry than days
    midnights: tuple[dt.datetime, ...]  # 00:00 local of each day, aware

    @property
    def last(self) -> int:
        return self.base + len(self.blocks) - 1


class WorkingClock:
    """An immutable working calendar: weekly office hours + holidays + make-up working days.

    - `holidays`: dates with no office hours at all (public holidays, days given off).
    - `workdays`: make-up working days; a weekend make-up day uses the Monday–Friday blocks
      (the first weekday among them that has blocks), a weekday keeps its own.
    - `weekly`: weekday (0 Monday … 6 Sunday) -> ordered, non-overlapping (start, end) times;
      missing weekdays are closed. Defaults to 07:00–11:30, 13:30–17:00 Monday to Friday.
    - `online_late_from`: online dossiers arriving from this time count from the next
      working day (domain.md: the last office hour).

    Inputs must be aware datetimes (ValueError otherwise); outputs are aware, in
    Asia/Ho_Chi_Minh.
    """

    __slots__ = (
        "_holidays",
        "_lock",
        "_makeup",
        "_online_late_from",
        "_online_late_us",
        "_weekly",
        "_window",
        "_workdays",
    )

    _holidays: frozenset[dt.date]
    _workdays: frozenset[dt.date]
    _weekly: tuple[_DayBlocks, ...]
    _makeup: _DayBlocks
    _online_late_from: dt.time
    _online_late_us: int
    _lock: threading.Lock
    _window: _Window

    def __init__(
        self,
        *,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        weekly: WeeklyBlocks | None = None,
        online_late_from: dt.time = DEFAULT_ONLINE_LATE_FROM,
        window: tuple[dt.date, dt.date] = (WINDOW_FIRST, WINDOW_LAST),
    ) -> None:
        holiday_set = frozenset(holidays)
        workday_set = frozenset(workdays)
        both = holiday_set & workday_set
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(both)}")
        weekly_us = self._weekly_us(DEFAULT_WEEKLY if weekly is None else weekly)
        makeup = next((b for b in weekly_us[:5] if b), None) or next(b for b in weekly_us if b)
        set_ = object.__setattr__
        set_(self, "_holidays", holiday_set)
        set_(self, "_workdays", workday_set)
        set_(self, "_weekly", weekly_us)
        set_(self, "_makeup", makeup)
        set_(self, "_online_late_from", online_late_from)
        set_(self, "_online_late_us", _time_us(online_late_from))
        set_(self, "_lock", threading.Lock())
        set_(self, "_window", self._build(window[0].toordinal(), window[1].toordinal()))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("WorkingClock is immutable")

    @staticmethod
    def _weekly_us(weekly: WeeklyBlocks) -> tuple[_DayBlocks, ...]:
        days: list[_DayBlocks] = []
        for weekday in range(7):
            pairs = tuple((_time_us(s), _time_us(e)) for s, e in weekly.get(weekday, ()))
            previous_end = -1
            for start, end in pairs:
                if start >= end or start < previous_end:
                    raise ValueError(
                        f"office blocks of weekday {weekday} must be ordered and non-overlapping"
                    )
                previous_end = end
            days.append(pairs)
        unknown = set(weekly) - set(range(7))
        if unknown:
            raise ValueError(f"unknown weekdays {sorted(unknown)} (0 = Monday … 6 = Sunday)")
        if not any(days):
            raise ValueError("office hours need at least one block in the week")
        return tuple(days)

    # -- the window ------------------------------------------------------------------------

    def _day_blocks_us(self, day: dt.date) -> _DayBlocks:
        if day in self._holidays:
            return ()
        weekly = self._weekly[day.weekday()]
        if day in self._workdays:
            return weekly if day.weekday() < 5 and weekly else self._makeup
        return weekly

    def _build(self, first: int, last: int) -> _Window:
        first = max(first, _MIN_ORDINAL)
        last = min(last, _MAX_ORDINAL)
        blocks: list[_DayBlocks] = []
        cumulative = [0]
        midnights: list[dt.datetime] = []
        total = 0
        for ordinal in range(first, last + 1):
            day = dt.date.fromordinal(ordinal)
            day_blocks = self._day_blocks_us(day)
            blocks.append(day_blocks)
            total += sum(end - start for start, end in day_blocks)
            cumulative.append(total)
            midnights.append(dt.datetime(day.year, day.month, day.day, tzinfo=VN_TZ))
        return _Window(first, tuple(blocks), tuple(cumulative), tuple(midnights))

    def _covering(self, first: int, last: int) -> _Window:
        """A window containing the ordinals [first, last] (extending the current one)."""
        window = self._window
        if window.base <= first and last <= window.last:
            return window
        if first < _MIN_ORDINAL or last > _MAX_ORDINAL:
            raise OverflowError("date out of the range the working clock handles")
        with self._lock:
            window = self._window
            if not (window.base <= first and last <= window.last):
                new_first = window.base if first >= window.base else first - _EXTEND_DAYS
                new_last = window.last if last <= window.last else last + _EXTEND_DAYS
                window = self._build(new_first, new_last)
                object.__setattr__(self, "_window", window)
        return window

    def _position(self, local: dt.datetime) -> tuple[_Window, int, int]:
        """(window, day index, microseconds since local midnight) of a local instant."""
        ordinal = local.toordinal()
        window = self._window
        index = ordinal - window.base
        if index < 0 or index >= len(window.blocks):
            window = self._covering(ordinal, ordinal + 1)
            index = ordinal - window.base
        tod = (
            (local.hour * 60 + local.minute) * 60 + local.second
        ) * US_PER_SECOND + local.microsecond
        return window, index, tod

    def _next_working_index(self, window: _Window, index: int) -> tuple[_Window, int]:
        """The first day index after `index` that has office hours."""
        while True:
            index += 1
            if index >= len(window.blocks):
                ordinal = window.base + index
                window = self._covering(ordinal, ordinal + 1)
                index = ordinal - window.base
            if window.blocks[index]:
                return window, index

    # -- the public arithmetic ---------------------------------------------------------------

    @property
    def online_late_from(self) -> dt.time:
        return self._online_late_from

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._day_blocks_us(day))

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        candidate = day + dt.timedelta(days=1)
        while not self._day_blocks_us(candidate):
            candidate += dt.timedelta(days=1)
        return candidate

    def office_blocks(self, day: dt.date) -> tuple[Block, ...]:
        """The office blocks of a date (empty on a non-working day)."""
        return tuple((_us_time(start), _us_time(end)) for start, end in self._day_blocks_us(day))

    def counting_start(
        self, received_at: dt.datetime, *, channel: str, cutoff: dt.time | None = None
    ) -> dt.datetime:
        """Where the clock starts for a dossier received at `received_at` (domain.md §4).

        Inside an office block: the instant itself. Before the first block or between blocks:
        the next block's start. After the last block, on a non-working day, for an online
        dossier received from `online_late_from`, or at/after `cutoff`: the first block of
        the next working day. `channel` is "counter", "online" or "post" (like the counter).
        """
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r} (expected one of {CHANNELS})")
        local = _local(received_at, "received_at")
        window, index, tod = self._position(local)
        day_blocks = window.blocks[index]
        late = (cutoff is not None and tod >= _time_us(cutoff)) or (
            channel == "online" and tod >= self._online_late_us
        )
        if day_blocks and not late:
            for start, end in day_blocks:
                if tod < start:
                    return window.midnights[index] + dt.timedelta(microseconds=start)
                if tod < end:
                    return local
        window, index = self._next_working_index(window, index)
        return window.midnights[index] + dt.timedelta(microseconds=window.blocks[index][0][0])

    def add_working_hours(self, start: dt.datetime, hours: Decimal | int | float) -> dt.datetime:
        """The earliest instant at which `hours` working hours have been counted from `start`.

        `start` is first moved to its counting position (as a counter dossier: the next block
        start when outside office hours); `hours == 0` returns that position. A result that
        falls exactly on a block end is the block end (11:30, 17:00).
        """
        amount = _hours_us(hours)
        local = _local(start, "start")
        window, index, tod = self._position(local)
        cumulative = window.cumulative
        counted = cumulative[index]
        moment: dt.datetime | None = None
        for block_start, block_end in window.blocks[index]:
            if tod < block_start:
                moment = window.midnights[index] + dt.timedelta(microseconds=block_start)
                break
            if tod < block_end:
                counted += tod - block_start
                moment = local
                break
            counted += block_end - block_start
        else:  # after the last block, or no office at all that day
            window, index = self._next_working_index(window, index)
            cumulative = window.cumulative
            counted = cumulative[index]
            moment = window.midnights[index] + dt.timedelta(microseconds=window.blocks[index][0][0])
        if amount == 0:
            return moment
        target = counted + amount
        if target > cumulative[-1]:
            window, target = self._covering_amount(window, target)
            cumulative = window.cumulative
        day = bisect.bisect_left(cumulative, target) - 1
        remaining = target - cumulative[day]
        for block_start, block_end in window.blocks[day]:
            length = block_end - block_start
            if remaining <= length:
                return window.midnights[day] + dt.timedelta(microseconds=block_start + remaining)
            remaining -= length
        raise AssertionError(
            "cumulative table inconsistent with the day blocks"
        )  # pragma: no cover

    def _covering_amount(self, window: _Window, target: int) -> tuple[_Window, int]:
        """A window holding `target` working µs (relative to `window.base`), with the target
        re-expressed relative to the returned window's base."""
        while target > window.cumulative[-1]:
            wider = self._covering(window.base, window.last + _EXTEND_DAYS)
            target += wider.cumulative[window.base - wider.base]
            window = wider
        return window, target

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Working hours elapsed from `start` to `end` (negative when `end` is earlier)."""
        first = _local(start, "start")
        second = _local(end, "end")
        low, high = (first, second) if first <= second else (second, first)
        window = self._covering(low.toordinal(), high.toordinal() + 1)
        elapsed = self._counted(window, high) - self._counted(window, low)
        hours = Decimal(elapsed) / _US_PER_HOUR_DECIMAL
        return hours if first <= second else -hours

    @staticmethod
    def _counted(window: _Window, local: dt.datetime) -> int:
        index = local.toordinal() - window.base
        tod = (
            (local.hour * 60 + local.minute) * 60 + local.second
        ) * US_PER_SECOND + local.microsecond
        counted = window.cumulative[index]
        for start, end in window.blocks[index]:
            if tod <= start:
                break
            counted += min(tod, end) - start
        return counted

    def add_calendar_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """A calendar-day deadline: the end of office hours (end of the last block) of the
        local date `start.date() + days`, or of the next working day when that date is not a
        working day (Civil Code: a period never ends on a non-working day)."""
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError("days must be an int")
        if days < 0:
            raise ValueError(f"days must not be negative ({days})")
        day = _local(start, "start").date() + dt.timedelta(days=days)
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return self._end_of(day)

    def end_of_working_day(self, moment: dt.datetime) -> dt.datetime:
        """The end of the last office block of the working day on which counting from
        `moment` starts (the same day inside office hours, else the next working day)."""
        start = self.counting_start(moment, channel="counter")
        return self._end_of(start.date())

    def end_of_session(self, moment: dt.datetime) -> dt.datetime:
        """The end of the office block (the morning or afternoon session) in which counting
        from `moment` starts: where a procedure settled within the session ("no appointment
        day", domain.md section 9) gives its result."""
        start = _local(self.counting_start(moment, channel="counter"), "moment")
        window, index, tod = self._position(start)
        for block_start, block_end in window.blocks[index]:
            if block_start <= tod < block_end:
                return window.midnights[index] + dt.timedelta(microseconds=block_end)
        raise AssertionError("a counting start lies inside an office block")  # pragma: no cover

    def _end_of(self, day: dt.date) -> dt.datetime:
        last_end = self._day_blocks_us(day)[-1][1]
        return dt.datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + dt.timedelta(
            microseconds=last_end
        )


def _us_time(value: int) -> dt.time:
    seconds, micro = divmod(value, US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


# -- the per-unit cache -------------------------------------------------------------------

#: Bumped by every calendar or office-hours write (now and at commit, see services), shared
#: across processes through the Django cache.
CALENDAR_GENERATION = Generation("deadlines.calendar")
_clocks_by_unit: GenerationCache[WorkingClock] = GenerationCache(CALENDAR_GENERATION)
_clocks_by_schedule: GenerationCache[WorkingClock] = GenerationCache(CALENDAR_GENERATION)


def clock_cache_invalidate() -> None:
    """Calendar or office hours changed (now, and again when the current transaction commits):
    every process forgets its cached clocks. Called by the services that write them."""
    _clocks_by_unit.invalidate_on_write()


def clock_cache_clear() -> None:
    """Drop this process's cached clocks (tests call it between cases)."""
    _clocks_by_unit.clear()
    _clocks_by_schedule.clear()


def clock_for_unit(unit: Unit | None) -> WorkingClock:
    """The working clock of a unit: its own `WorkSchedule`, else the province-wide one (the
    row without a unit), else the default office hours; always with the calendar exceptions.
    Cached per unit until the calendar or a schedule changes."""
    clock = _clocks_by_unit.get(
        unit.pk if unit is not None else None, lambda: _build_clock_for(unit)
    )
    assert clock is not None  # the loader always builds one
    return clock


def _schedule_of(unit: Unit | None) -> WorkSchedule | None:
    from .models import WorkSchedule

    schedule = None
    if unit is not None:
        schedule = WorkSchedule.objects.filter(unit=unit).first()
    if schedule is None:
        schedule = WorkSchedule.objects.filter(unit__isnull=True).first()
    return schedule


def _build_clock_for(unit: Unit | None) -> WorkingClock:
    schedule = _schedule_of(unit)
    # Units sharing a schedule (most of them: the province-wide one) share one clock.
    clock = _clocks_by_schedule.get(
        schedule.pk if schedule is not None else None, lambda: _clock_from(schedule)
    )
    assert clock is not None
    return clock


def clock_for_unit_with_package_years(unit: Unit | None, *, years: Iterable[int]) -> WorkingClock:
    """The unit's clock as `clock_for_unit` builds it, plus the holidays and make-up days of
    `years` (years the calendar has no rows for) from the `holidays` package and the
    government overrides, in memory: read-only, nothing cached, nothing written (the
    `deadline` command; `seed_calendar` stores them)."""
    from .sources import holidays_and_workdays

    return _clock_from(_schedule_of(unit), extra=holidays_and_workdays(years))


def _clock_from(
    schedule: WorkSchedule | None,
    extra: tuple[set[dt.date], set[dt.date]] | None = None,
) -> WorkingClock:
    from .models import CalendarDay

    holidays: list[dt.date] = []
    workdays: list[dt.date] = []
    stored = dict(CalendarDay.objects.values_list("date", "is_working"))
    if extra is not None:  # the stored rows win (an administrator's decision)
        stored = {**dict.fromkeys(extra[0], False), **dict.fromkeys(extra[1], True), **stored}
    for day, is_working in stored.items():
        (workdays if is_working else holidays).append(day)
    if schedule is None:
        return WorkingClock(holidays=holidays, workdays=workdays)
    from .services import blocks_parse

    return WorkingClock(
        holidays=holidays,
        workdays=workdays,
        weekly=blocks_parse(schedule.blocks),
        online_late_from=schedule.online_late_from,
    )
