"""The `deadline` and `seed_calendar` management commands."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from motcua.deadlines.models import CalendarDay
from motcua.deadlines.services import SeedSummary

from .conftest import make_unit


def run_deadline(*args: str) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("deadline", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


@pytest.mark.usefixtures("seeded_calendar")
class TestDeadline:
    def test_the_domain_example_last_line(self) -> None:
        lines, err = run_deadline("--start", "2026-02-13T10:00", "--working-days", "3")
        assert lines[-1] == "2026-02-25T10:00:00+07:00"
        assert err == ""

    def test_half_days_hours_channels_cutoff(self) -> None:
        assert run_deadline("--start", "2026-03-10T08:00", "--working-days", "0.5")[0][-1] == (
            "2026-03-10T14:00:00+07:00"
        )
        assert run_deadline("--start", "2026-03-10T08:00", "--working-hours", "4")[0][-1] == (
            "2026-03-10T14:00:00+07:00"
        )
        assert (
            run_deadline(
                "--start", "2026-03-10T16:30", "--working-days", "1", "--channel", "online"
            )[0][-1]
            == "2026-03-11T17:00:00+07:00"
        )
        assert (
            run_deadline("--start", "2026-03-10T15:00", "--working-days", "1", "--cutoff", "15:00")[
                0
            ][-1]
            == "2026-03-11T17:00:00+07:00"
        )
        assert run_deadline("--start", "2026-02-09T09:00", "--calendar-days", "7")[0][-1] == (
            "2026-02-23T17:00:00+07:00"
        )
        assert run_deadline("--start", "2026-03-10T09:00", "--immediate")[0][-1] == (
            "2026-03-10T17:00:00+07:00"
        )

    def test_an_aware_start_is_converted(self) -> None:
        lines, _err = run_deadline("--start", "2026-02-13T03:00:00+00:00", "--working-days", "3")
        assert lines[-1] == "2026-02-25T10:00:00+07:00"

    def test_a_unit_by_code(self) -> None:
        make_unit(code="01.TTHCC")
        lines, _err = run_deadline(
            "--start", "2026-02-13T10:00", "--working-days", "3", "--unit", "01.TTHCC"
        )
        assert lines[-1] == "2026-02-25T10:00:00+07:00"

    @pytest.mark.parametrize(
        ("args", "fragment"),
        [
            (
                ["--start", "2026-02-13T10:00", "--working-days", "3", "--unit", "NOPE"],
                "unknown unit",
            ),
            (["--start", "13/02/2026", "--working-days", "3"], "bad --start"),
            (["--start", "2026-02-13T10:00", "--working-days", "ba"], "not a number"),
            (["--start", "2026-02-13T10:00", "--working-days", "-1"], "negative"),
            (["--start", "2026-02-13T10:00", "--calendar-days", "1.5"], "whole number"),
            (["--start", "2026-02-13T10:00", "--working-days", "1", "--cutoff", "3pm"], "bad time"),
        ],
    )
    def test_bad_input_is_a_command_error(self, args: list[str], fragment: str) -> None:
        with pytest.raises(CommandError, match=fragment):
            run_deadline(*args)

    def test_a_missing_duration_is_refused(self) -> None:
        with pytest.raises(CommandError):
            run_deadline("--start", "2026-02-13T10:00")


@pytest.mark.django_db
def test_deadline_seeds_an_empty_calendar_first() -> None:
    # given a fresh database
    assert not CalendarDay.objects.exists()
    # when a deadline is asked
    lines, err = run_deadline("--start", "2026-02-13T10:00", "--working-days", "3")
    # then the calendar is seeded (and said so on stderr), and the answer is right
    assert lines[-1] == "2026-02-25T10:00:00+07:00"
    assert "2026" in err
    assert CalendarDay.objects.filter(date__year=2026).exists()
    assert CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.django_db
def test_seed_calendar_prints_a_summary() -> None:
    out = io.StringIO()
    call_command("seed_calendar", "--years", "2026", "2025", stdout=out)
    text = out.getvalue()
    assert "2025:" in text
    assert "2026:" in text
    assert "Tổng cộng" in text
    assert CalendarDay.objects.filter(date__year=2025).exists()
    again = io.StringIO()
    call_command("seed_calendar", "--years", "2026", stdout=again)
    assert "0 ngày nghỉ và 0 ngày làm bù được thêm" in again.getvalue()


def test_seed_summary_text() -> None:
    summary = SeedSummary(years=[2026], holidays_added=14, workdays_added=2, kept=1)
    assert str(summary) == (
        "2026: 14 ngày nghỉ và 2 ngày làm bù được thêm, 0 được cập nhật, 1 giữ nguyên, "
        "0 do quản trị viên đặt được giữ nguyên"
    )
