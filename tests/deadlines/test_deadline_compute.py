"""deadline_compute and clock_for_unit against the seeded calendar (domain.md §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.core.errors import ValidationError
from motcua.deadlines.clock import clock_for_unit
from motcua.deadlines.models import CalendarDay
from motcua.deadlines.services import calendar_day_set, deadline_compute, work_schedule_set

from .conftest import NOW, make_unit, vn

pytestmark = pytest.mark.usefixtures("seeded_calendar")


def compute(received: dt.datetime, value: str, time_unit: str, **kwargs: object) -> dt.datetime:
    return deadline_compute(
        received_at=received,
        duration_value=Decimal(value),
        time_unit=time_unit,
        channel=kwargs.pop("channel", "counter"),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_domain_example() -> None:
    # given a counter dossier received Fri 13 Feb 2026 10:00, Tết 16–20 Feb
    # when the deadline for 3 working days is computed
    deadline = compute(vn(2026, 2, 13, 10), "3", "working_days")
    # then it is Wed 25 Feb 2026 10:00+07:00
    assert deadline.isoformat() == "2026-02-25T10:00:00+07:00"


def test_half_a_working_day_is_four_hours() -> None:
    assert compute(vn(2026, 3, 10, 8), "0.5", "working_days") == vn(2026, 3, 10, 14)
    assert compute(vn(2026, 3, 10, 8), "4", "working_hours") == vn(2026, 3, 10, 14)


def test_online_at_16_30_versus_counter_at_16_30() -> None:
    received = vn(2026, 3, 10, 16, 30)
    assert compute(received, "1", "working_days", channel="counter") == vn(2026, 3, 11, 16, 30)
    assert compute(received, "1", "working_days", channel="online") == vn(2026, 3, 11, 17)


def test_the_august_2026_swap_and_national_day() -> None:
    # Saturday 22 Aug is worked, Monday 31 Aug and 1–2 Sep are off
    assert compute(vn(2026, 8, 21, 13, 30), "2", "working_days") == vn(2026, 8, 24, 11, 30)
    assert compute(vn(2026, 8, 28, 10), "1", "working_days") == vn(2026, 9, 3, 10)


def test_the_january_2026_override_and_its_make_up_saturday() -> None:
    assert compute(vn(2025, 12, 31, 14), "1", "working_days") == vn(2026, 1, 5, 14)
    assert compute(vn(2026, 1, 9, 16, 30), "0.5", "working_days") == vn(2026, 1, 10, 10, 30)


def test_cutoff_with_a_same_day_procedure() -> None:
    cutoff = dt.time(15)
    assert compute(vn(2026, 3, 10, 14), "0", "immediate", cutoff=cutoff) == vn(2026, 3, 10, 17)
    assert compute(vn(2026, 3, 10, 15, 30), "0", "immediate", cutoff=cutoff) == vn(2026, 3, 11, 17)
    assert compute(vn(2026, 3, 10, 15), "1", "working_days", cutoff=cutoff) == vn(2026, 3, 11, 17)


def test_calendar_days_ending_on_a_holiday_roll_forward() -> None:
    # Mon 9 Feb + 7 days = Mon 16 Feb (Tết) -> Mon 23 Feb at the end of office hours
    assert compute(vn(2026, 2, 9, 9), "7", "calendar_days") == vn(2026, 2, 23, 17)
    # received after hours: counting starts the next working day
    assert compute(vn(2026, 2, 6, 18), "7", "calendar_days") == vn(2026, 2, 16 + 7, 17)


def test_refuses_bad_input() -> None:
    with pytest.raises(ValidationError) as unit_error:
        compute(vn(2026, 3, 10, 9), "1", "fortnights")
    assert unit_error.value.code == "invalid_time_unit"
    with pytest.raises(ValidationError) as channel_error:
        compute(vn(2026, 3, 10, 9), "1", "working_days", channel="fax")
    assert channel_error.value.code == "invalid_channel"
    with pytest.raises(ValidationError) as negative:
        compute(vn(2026, 3, 10, 9), "-1", "working_days")
    assert negative.value.code == "invalid_duration"
    with pytest.raises(ValidationError):
        compute(vn(2026, 3, 10, 9), "1.5", "calendar_days")
    with pytest.raises(ValueError, match="naive"):
        compute(dt.datetime(2026, 3, 10, 9), "1", "working_days")


def test_a_unit_with_saturday_mornings() -> None:
    # given a unit open on Saturday 07:30–11:30 and another one with the default hours
    saturday_unit = make_unit()
    other_unit = make_unit()
    weekdays = [["07:00", "11:30"], ["13:30", "17:00"]]
    work_schedule_set(
        unit=saturday_unit,
        blocks={**{str(d): weekdays for d in range(5)}, "5": [["07:30", "11:30"]]},
        actor=None,
        now=NOW,
    )
    # when a dossier of 4 working hours arrives on Friday at 16:00
    received = vn(2026, 3, 6, 16)
    # then the Saturday morning counts for that unit only
    assert compute(received, "4", "working_hours", unit=saturday_unit) == vn(2026, 3, 7, 10, 30)
    assert compute(received, "4", "working_hours", unit=other_unit) == vn(2026, 3, 9, 10)
    # and Saturday 22 Aug 2026 (worked back) is a full day for it
    assert compute(vn(2026, 8, 22, 13, 30), "3.5", "working_hours", unit=saturday_unit) == vn(
        2026, 8, 22, 17
    )


def test_the_province_wide_schedule_applies_to_units_without_their_own() -> None:
    unit = make_unit()
    work_schedule_set(
        unit=None,
        blocks={str(d): [["08:00", "12:00"], ["13:00", "17:00"]] for d in range(5)},
        online_late_from=dt.time(16, 30),
        actor=None,
        now=NOW,
    )
    assert compute(vn(2026, 3, 10, 7, 30), "4", "working_hours", unit=unit) == vn(2026, 3, 10, 12)
    assert compute(
        vn(2026, 3, 10, 16, 15), "0.75", "working_hours", unit=unit, channel="online"
    ) == (vn(2026, 3, 10, 17))


def test_calendar_changes_reach_the_cached_clock() -> None:
    # given a cached clock for which Tue 10 Mar 2026 is a working day
    clock = clock_for_unit(None)
    assert clock.is_working_day(dt.date(2026, 3, 10))
    assert clock_for_unit(None) is clock
    # when an administrator declares it a day off
    calendar_day_set(
        date=dt.date(2026, 3, 10), is_working=False, name="Nghỉ đột xuất", actor=None, now=NOW
    )
    # then the next clock knows it, and a deadline moves past it
    assert not clock_for_unit(None).is_working_day(dt.date(2026, 3, 10))
    assert compute(vn(2026, 3, 9, 17, 30), "1", "working_days") == vn(2026, 3, 11, 17)
    assert CalendarDay.objects.get(date=dt.date(2026, 3, 10)).source == "admin"


def test_units_without_a_schedule_share_the_default_clock() -> None:
    assert clock_for_unit(make_unit()) is clock_for_unit(make_unit())
