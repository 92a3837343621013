"""WorkingClock arithmetic (domain.md §4), on the 2025–2027 calendar without the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.core.clock import VN_TZ
from motcua.deadlines.clock import WorkingClock

from .conftest import vn

SATURDAY_MORNING = {
    **{day: ((dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17))) for day in range(5)},
    5: ((dt.time(7, 30), dt.time(11, 30)),),
}


class TestCountingStart:
    @pytest.mark.parametrize(
        ("received", "expected"),
        [
            pytest.param(vn(2026, 3, 10, 9, 15), vn(2026, 3, 10, 9, 15), id="inside a block"),
            pytest.param(vn(2026, 3, 10, 6, 15), vn(2026, 3, 10, 7, 0), id="before 07:00"),
            pytest.param(vn(2026, 3, 10, 12, 0), vn(2026, 3, 10, 13, 30), id="lunch"),
            pytest.param(vn(2026, 3, 10, 11, 30), vn(2026, 3, 10, 13, 30), id="at 11:30"),
            pytest.param(vn(2026, 3, 10, 17, 0), vn(2026, 3, 11, 7, 0), id="at 17:00"),
            pytest.param(vn(2026, 3, 10, 18, 0), vn(2026, 3, 11, 7, 0), id="after hours"),
            pytest.param(vn(2026, 3, 8, 9, 0), vn(2026, 3, 9, 7, 0), id="sunday"),
            pytest.param(vn(2026, 3, 6, 20, 0), vn(2026, 3, 9, 7, 0), id="friday evening"),
            pytest.param(vn(2026, 2, 13, 17, 30), vn(2026, 2, 23, 7, 0), id="before Tết"),
            pytest.param(vn(2026, 8, 22, 9, 0), vn(2026, 8, 22, 9, 0), id="worked saturday"),
            pytest.param(vn(2026, 1, 2, 9, 0), vn(2026, 1, 5, 7, 0), id="2 Jan 2026 off"),
        ],
    )
    def test_counter(
        self, package_clock: WorkingClock, received: dt.datetime, expected: dt.datetime
    ) -> None:
        # given a counter dossier received at `received`
        # when counting starts
        start = package_clock.counting_start(received, channel="counter")
        # then it starts at the expected instant, in Vietnamese time
        assert start == expected
        assert start.tzinfo is VN_TZ

    def test_online_in_the_last_office_hour_counts_from_the_next_working_day(
        self, package_clock: WorkingClock
    ) -> None:
        received = vn(2026, 3, 10, 16, 30)
        assert package_clock.counting_start(received, channel="online") == vn(2026, 3, 11, 7)
        assert package_clock.counting_start(received, channel="counter") == received
        assert package_clock.counting_start(received, channel="post") == received

    def test_online_from_16_00_exactly_but_not_before(self, package_clock: WorkingClock) -> None:
        assert package_clock.counting_start(vn(2026, 3, 10, 16, 0), channel="online") == vn(
            2026, 3, 11, 7
        )
        assert package_clock.counting_start(vn(2026, 3, 10, 15, 59), channel="online") == vn(
            2026, 3, 10, 15, 59
        )

    def test_cutoff_at_or_after_15_00_counts_from_the_next_working_day(
        self, package_clock: WorkingClock
    ) -> None:
        cutoff = dt.time(15, 0)
        assert package_clock.counting_start(
            vn(2026, 3, 10, 15, 0), channel="counter", cutoff=cutoff
        ) == vn(2026, 3, 11, 7)
        assert package_clock.counting_start(
            vn(2026, 3, 10, 14, 59), channel="counter", cutoff=cutoff
        ) == vn(2026, 3, 10, 14, 59)
        # a friday after the cutoff starts on monday
        assert package_clock.counting_start(
            vn(2026, 3, 13, 15, 10), channel="counter", cutoff=cutoff
        ) == vn(2026, 3, 16, 7)

    def test_other_time_zones_are_converted(self, package_clock: WorkingClock) -> None:
        received = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hanoi
        start = package_clock.counting_start(received, channel="counter")
        assert start == vn(2026, 3, 10, 9)
        assert start.utcoffset() == dt.timedelta(hours=7)

    def test_unknown_channel(self, package_clock: WorkingClock) -> None:
        with pytest.raises(ValueError, match="unknown channel"):
            package_clock.counting_start(vn(2026, 3, 10, 9), channel="fax")


class TestAddWorkingHours:
    def test_the_domain_example_across_tet(self, package_clock: WorkingClock) -> None:
        # given Fri 13 Feb 2026 10:00 and Tết from 16 to 20 Feb
        # when 3 working days are added
        deadline = package_clock.add_working_hours(vn(2026, 2, 13, 10), 24)
        # then the deadline is Wed 25 Feb 2026 10:00+07:00
        assert deadline.isoformat() == "2026-02-25T10:00:00+07:00"

    @pytest.mark.parametrize(
        ("start", "hours", "expected"),
        [
            pytest.param(vn(2026, 3, 10, 7), 4.5, vn(2026, 3, 10, 11, 30), id="lands on 11:30"),
            pytest.param(vn(2026, 3, 10, 6, 15), 4.5, vn(2026, 3, 10, 11, 30), id="06:15+4.5"),
            pytest.param(vn(2026, 3, 10, 18), 8, vn(2026, 3, 11, 17), id="lands on 17:00"),
            pytest.param(vn(2026, 3, 10, 13, 30), 3.5, vn(2026, 3, 10, 17), id="13:30+3.5"),
            pytest.param(vn(2026, 3, 10, 8), 4, vn(2026, 3, 10, 14), id="half day over lunch"),
            pytest.param(vn(2026, 3, 10, 12), 4, vn(2026, 3, 11, 7, 30), id="from lunch"),
            pytest.param(vn(2026, 3, 10, 16, 30), 8, vn(2026, 3, 11, 16, 30), id="16:30+1d"),
            pytest.param(vn(2026, 3, 6, 16), 4, vn(2026, 3, 9, 10), id="over a weekend"),
            pytest.param(vn(2026, 8, 21, 13, 30), 16, vn(2026, 8, 24, 11, 30), id="sat 22 aug"),
            pytest.param(vn(2026, 8, 28, 10), 8, vn(2026, 9, 3, 10), id="31 aug and 2/9"),
            pytest.param(vn(2025, 12, 31, 14), 8, vn(2026, 1, 5, 14), id="1-2 jan 2026 off"),
            pytest.param(vn(2026, 1, 9, 16, 30), 4, vn(2026, 1, 10, 10, 30), id="sat 10 jan"),
        ],
    )
    def test_exact_values(
        self,
        package_clock: WorkingClock,
        start: dt.datetime,
        hours: float,
        expected: dt.datetime,
    ) -> None:
        assert package_clock.add_working_hours(start, hours) == expected

    def test_zero_hours_is_the_counting_position(self, package_clock: WorkingClock) -> None:
        assert package_clock.add_working_hours(vn(2026, 3, 10, 12), 0) == vn(2026, 3, 10, 13, 30)
        assert package_clock.add_working_hours(vn(2026, 3, 10, 9), Decimal(0)) == vn(2026, 3, 10, 9)

    def test_decimal_and_float_hours_agree(self, package_clock: WorkingClock) -> None:
        start = vn(2026, 3, 10, 9)
        assert package_clock.add_working_hours(start, Decimal("0.1")) == vn(2026, 3, 10, 9, 6)
        assert package_clock.add_working_hours(start, 0.1) == vn(2026, 3, 10, 9, 6)

    def test_negative_hours_and_naive_datetimes_are_refused(
        self, package_clock: WorkingClock
    ) -> None:
        with pytest.raises(ValueError, match="negative"):
            package_clock.add_working_hours(vn(2026, 3, 10, 9), -1)
        with pytest.raises(ValueError, match="naive"):
            package_clock.add_working_hours(dt.datetime(2026, 3, 10, 9), 8)
        with pytest.raises(ValueError, match="naive"):
            package_clock.counting_start(dt.datetime(2026, 3, 10, 9), channel="counter")
        with pytest.raises(ValueError, match="naive"):
            package_clock.working_hours_between(dt.datetime(2026, 3, 10, 9), vn(2026, 3, 11))

    def test_outside_the_precomputed_window(self, package_clock: WorkingClock) -> None:
        # Mon 2 Jan 2045 (no calendar rows: weekly pattern only) and a 3-year duration
        assert package_clock.add_working_hours(vn(2045, 1, 2, 7), 8) == vn(2045, 1, 2, 17)
        assert package_clock.add_working_hours(vn(2014, 12, 31, 9), 8) == vn(2015, 1, 1, 9)
        far = package_clock.add_working_hours(vn(2040, 12, 31, 7), 8 * 261 * 3)
        assert package_clock.working_hours_between(vn(2040, 12, 31, 7), far) == 8 * 261 * 3


class TestWorkingHoursBetween:
    def test_across_a_weekend(self, package_clock: WorkingClock) -> None:
        assert package_clock.working_hours_between(vn(2026, 3, 6, 15), vn(2026, 3, 9, 9)) == 4

    def test_across_tet(self, package_clock: WorkingClock) -> None:
        hours = package_clock.working_hours_between(vn(2026, 2, 13, 10), vn(2026, 2, 23, 10))
        assert hours == Decimal(8)
        assert package_clock.working_hours_between(
            vn(2026, 2, 23, 10), vn(2026, 2, 13, 10)
        ) == Decimal(-8)

    def test_outside_office_hours_counts_nothing(self, package_clock: WorkingClock) -> None:
        assert (
            package_clock.working_hours_between(vn(2026, 3, 10, 11, 30), vn(2026, 3, 10, 13, 30))
            == 0
        )
        assert (
            package_clock.working_hours_between(vn(2026, 3, 10, 11), vn(2026, 3, 10, 13, 50))
            == Decimal("0.5") + Decimal(20) / 60
        )


class TestCalendarDays:
    @pytest.mark.parametrize(
        ("start", "days", "expected"),
        [
            pytest.param(vn(2026, 3, 2, 9), 3, vn(2026, 3, 5, 17), id="a thursday"),
            pytest.param(vn(2026, 3, 2, 9), 5, vn(2026, 3, 9, 17), id="saturday rolls"),
            pytest.param(vn(2026, 2, 9, 9), 7, vn(2026, 2, 23, 17), id="Tết rolls"),
            pytest.param(vn(2026, 8, 15, 9), 7, vn(2026, 8, 22, 17), id="worked saturday"),
            pytest.param(vn(2026, 8, 24, 9), 7, vn(2026, 9, 3, 17), id="31/8 and 1-2/9"),
            pytest.param(vn(2026, 3, 10, 9), 0, vn(2026, 3, 10, 17), id="zero days"),
        ],
    )
    def test_end_of_office_hours_on_a_working_day(
        self, package_clock: WorkingClock, start: dt.datetime, days: int, expected: dt.datetime
    ) -> None:
        assert package_clock.add_calendar_days(start, days) == expected


class TestDays:
    def test_is_working_day(self, package_clock: WorkingClock) -> None:
        assert package_clock.is_working_day(dt.date(2026, 8, 22))  # Saturday worked back
        assert not package_clock.is_working_day(dt.date(2026, 8, 31))
        assert not package_clock.is_working_day(dt.date(2026, 9, 1))
        assert not package_clock.is_working_day(dt.date(2026, 9, 2))
        assert not package_clock.is_working_day(dt.date(2026, 1, 2))
        assert package_clock.is_working_day(dt.date(2026, 1, 10))
        assert not package_clock.is_working_day(dt.date(2026, 3, 7))
        assert package_clock.is_working_day(dt.date(2026, 3, 9))

    def test_next_working_day_is_strictly_after(self, package_clock: WorkingClock) -> None:
        assert package_clock.next_working_day(dt.date(2026, 2, 13)) == dt.date(2026, 2, 23)
        assert package_clock.next_working_day(dt.date(2026, 8, 28)) == dt.date(2026, 9, 3)
        assert package_clock.next_working_day(dt.date(2026, 3, 10)) == dt.date(2026, 3, 11)

    def test_end_of_working_day(self, package_clock: WorkingClock) -> None:
        assert package_clock.end_of_working_day(vn(2026, 3, 10, 9)) == vn(2026, 3, 10, 17)
        assert package_clock.end_of_working_day(vn(2026, 3, 10, 17, 5)) == vn(2026, 3, 11, 17)
        assert package_clock.end_of_working_day(vn(2026, 2, 14, 9)) == vn(2026, 2, 23, 17)


class TestSaturdayMorningUnit:
    @pytest.fixture
    def clock(self) -> WorkingClock:
        return WorkingClock(
            holidays={dt.date(2025, 2, 1), dt.date(2026, 2, 16), dt.date(2026, 2, 20)},
            workdays={dt.date(2026, 8, 22)},
            weekly=SATURDAY_MORNING,
        )

    def test_saturday_morning_counts(self, clock: WorkingClock) -> None:
        # Fri 16:00 + 4 h: 1 h on friday, 3 h on saturday from 07:30
        assert clock.add_working_hours(vn(2026, 3, 6, 16), 4) == vn(2026, 3, 7, 10, 30)
        assert clock.counting_start(vn(2026, 3, 7, 12), channel="counter") == vn(2026, 3, 9, 7)
        assert clock.add_calendar_days(vn(2026, 3, 2, 9), 5) == vn(2026, 3, 7, 11, 30)

    def test_a_holiday_on_saturday_closes_it(self, clock: WorkingClock) -> None:
        assert not clock.is_working_day(dt.date(2025, 2, 1))
        assert clock.is_working_day(dt.date(2025, 2, 8))

    def test_a_make_up_saturday_is_a_full_weekday(self, clock: WorkingClock) -> None:
        assert clock.office_blocks(dt.date(2026, 8, 22)) == (
            (dt.time(7), dt.time(11, 30)),
            (dt.time(13, 30), dt.time(17)),
        )
        assert clock.office_blocks(dt.date(2026, 8, 29)) == ((dt.time(7, 30), dt.time(11, 30)),)


class TestConstruction:
    def test_overlapping_blocks_are_refused(self) -> None:
        with pytest.raises(ValueError, match="non-overlapping"):
            WorkingClock(weekly={0: ((dt.time(7), dt.time(12)), (dt.time(11), dt.time(17)))})

    def test_a_week_without_office_hours_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least one block"):
            WorkingClock(weekly={})

    def test_a_date_cannot_be_both(self) -> None:
        with pytest.raises(ValueError, match="both"):
            WorkingClock(holidays={dt.date(2026, 1, 1)}, workdays={dt.date(2026, 1, 1)})

    def test_the_clock_is_immutable(self, package_clock: WorkingClock) -> None:
        with pytest.raises(AttributeError):
            package_clock._holidays = frozenset()
