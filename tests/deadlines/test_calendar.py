"""calendar_seed, calendar_day_set and work_schedule_set."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.core.errors import ValidationError
from motcua.deadlines.models import CalendarDay, WorkSchedule
from motcua.deadlines.services import (
    SeedSummary,
    blocks_parse,
    calendar_day_set,
    calendar_seed,
    calendar_years_missing,
    work_schedule_set,
)

from .conftest import NOW, make_unit


def _row(day: dt.date) -> CalendarDay:
    return CalendarDay.objects.get(date=day)


class TestCalendarSeed:
    def test_seeds_holidays_make_up_days_and_overrides(self, seeded_calendar: SeedSummary) -> None:
        # 2026: Tết, the August swap, National Day and the January government override
        assert not _row(dt.date(2026, 2, 17)).is_working
        assert _row(dt.date(2026, 8, 22)).is_working
        assert _row(dt.date(2026, 8, 22)).name == "Làm bù cho ngày 31/08/2026"
        assert not _row(dt.date(2026, 8, 31)).is_working
        assert not _row(dt.date(2026, 9, 1)).is_working
        assert not _row(dt.date(2026, 9, 2)).is_working
        override = _row(dt.date(2026, 1, 2))
        assert (override.is_working, override.source) == (False, "government")
        assert "25/12/2025" in override.note
        assert _row(dt.date(2026, 1, 10)).is_working
        # the package's make-up days of other years (2014, 2019) are not taken
        assert not CalendarDay.objects.filter(date__year__lt=2025).exists()
        assert seeded_calendar.workdays_added == 3  # 26/04/2025, 10/01/2026, 22/08/2026
        assert (
            seeded_calendar.holidays_added == CalendarDay.objects.filter(is_working=False).count()
        )
        assert (seeded_calendar.updated, seeded_calendar.kept) == (0, 0)

    def test_is_idempotent(self, seeded_calendar: SeedSummary) -> None:
        count = CalendarDay.objects.count()
        again = calendar_seed(years=[2025, 2026, 2027], now=NOW)
        assert (again.holidays_added, again.workdays_added, again.updated) == (0, 0, 0)
        assert again.kept == count
        assert CalendarDay.objects.count() == count

    def test_never_overwrites_an_administrator(self, seeded_calendar: SeedSummary) -> None:
        # given an administrator decided 31 Aug 2026 is worked after all
        calendar_day_set(
            date=dt.date(2026, 8, 31), is_working=True, name="Làm việc", actor=None, now=NOW
        )
        # when the calendar is seeded again
        summary = calendar_seed(years=[2026], now=NOW)
        # then the administrator's row stays
        row = _row(dt.date(2026, 8, 31))
        assert (row.is_working, row.name, row.source) == (True, "Làm việc", "admin")
        assert summary.kept_admin == 1

    def test_repairs_a_changed_package_row(self, seeded_calendar: SeedSummary) -> None:
        CalendarDay.objects.filter(date=dt.date(2026, 9, 1)).update(name="sai")
        summary = calendar_seed(years=[2026], now=NOW)
        assert summary.updated == 1
        assert _row(dt.date(2026, 9, 1)).name == "Quốc khánh"

    def test_years_missing(self, seeded_calendar: SeedSummary) -> None:
        assert calendar_years_missing([2024, 2025, 2027, 2028]) == [2024, 2028]


@pytest.mark.django_db
class TestCalendarDaySet:
    def test_creates_then_updates(self) -> None:
        day = calendar_day_set(
            date=dt.date(2026, 3, 10), is_working=False, name=" Nghỉ ", actor=None, now=NOW
        )
        assert (day.name, day.source, day.updated_at) == ("Nghỉ", "admin", NOW)
        calendar_day_set(
            date=dt.date(2026, 3, 10), is_working=True, name="Làm", actor=None, now=NOW
        )
        assert CalendarDay.objects.get().is_working

    def test_refuses_an_unknown_source_and_an_empty_name(self) -> None:
        with pytest.raises(ValidationError):
            calendar_day_set(
                date=dt.date(2026, 3, 10),
                is_working=False,
                name="x",
                source="rumour",
                actor=None,
                now=NOW,
            )
        with pytest.raises(ValidationError) as empty:
            calendar_day_set(
                date=dt.date(2026, 3, 10), is_working=False, name="  ", actor=None, now=NOW
            )
        assert empty.value.code == "required"
        assert not CalendarDay.objects.exists()


class TestBlocks:
    def test_parses_and_normalises(self) -> None:
        assert blocks_parse({"5": [["07:30", "11:30"]], 0: [("07:00", "11:30")]}) == {
            5: ((dt.time(7, 30), dt.time(11, 30)),),
            0: ((dt.time(7), dt.time(11, 30)),),
        }

    @pytest.mark.parametrize(
        ("blocks", "fragment"),
        [
            ({"0": [["07:00", "12:00"], ["11:00", "17:00"]]}, "overlap"),
            ({"0": [["13:30", "17:00"], ["07:00", "11:30"]]}, "ordered"),
            ({"0": [["17:00", "07:00"]]}, "start before it ends"),
            ({"0": [["7h", "11:30"]]}, "HH:MM"),
            ({"0": [["25:00", "26:00"]]}, "HH:MM"),
            ({"7": [["07:00", "11:30"]]}, "Unknown weekday"),
            ({"0": "07:00-11:30"}, "list of [start, end]"),
            ({}, "At least one office block"),
        ],
    )
    def test_refuses_bad_blocks(self, blocks: dict[str, Any], fragment: str) -> None:
        with pytest.raises(ValidationError) as error:
            blocks_parse(blocks)
        assert error.value.code == "invalid_schedule"
        assert fragment in error.value.render()
        assert error.value.errors


@pytest.mark.django_db
class TestWorkScheduleSet:
    def test_replaces_the_unit_schedule(self) -> None:
        unit = make_unit()
        work_schedule_set(unit=unit, blocks={"0": [["07:00", "11:00"]]}, actor=None, now=NOW)
        schedule = work_schedule_set(
            unit=unit, blocks={0: [("08:00", "11:00")]}, actor=None, now=NOW
        )
        assert WorkSchedule.objects.count() == 1
        assert schedule.blocks == {"0": [["08:00", "11:00"]]}

    def test_a_single_province_wide_row(self) -> None:
        work_schedule_set(unit=None, blocks={"0": [["07:00", "11:00"]]}, actor=None, now=NOW)
        work_schedule_set(unit=None, blocks={"1": [["07:00", "11:00"]]}, actor=None, now=NOW)
        assert WorkSchedule.objects.get().blocks == {"1": [["07:00", "11:00"]]}

    def test_overlapping_blocks_change_nothing(self) -> None:
        with pytest.raises(ValidationError):
            work_schedule_set(
                unit=None,
                blocks={"0": [["07:00", "12:00"], ["11:00", "17:00"]]},
                actor=None,
                now=NOW,
            )
        assert not WorkSchedule.objects.exists()
