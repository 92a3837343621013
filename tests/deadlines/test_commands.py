"""The `deadline` and `seed_calendar` management commands."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

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


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@contextmanager
def _read_only_database() -> Iterator[list[str]]:
    """Every statement but a read is refused, as on a read-only connection."""
    statements: list[str] = []

    def refuse_writes(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        if not sql.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK")):
            raise AssertionError(f"the deadline command wrote: {sql}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_writes):
        yield statements


@pytest.mark.django_db
def test_deadline_on_an_empty_calendar_uses_the_package_and_writes_nothing() -> None:
    # given a fresh database, no calendar rows
    before = _row_counts()
    # when a deadline is asked on a read-only connection
    with _read_only_database() as statements:
        lines, err = run_deadline("--start", "2026-02-13T10:00", "--working-days", "3")
    # then the answer counts Tết from the package, says so, and nothing was written
    assert lines[-1] == "2026-02-25T10:00:00+07:00"
    assert "Lịch làm việc chưa có năm 2026, 2027: dùng lịch của thư viện holidays" in err
    assert statements  # it did read
    assert _row_counts() == before
    assert not CalendarDay.objects.exists()


@pytest.mark.usefixtures("seeded_calendar")
def test_deadline_on_a_seeded_calendar_writes_nothing() -> None:
    make_unit(code="01.TTHCC")
    before = _row_counts()
    with _read_only_database():
        lines, err = run_deadline(
            "--start", "2026-02-13T10:00", "--working-days", "3", "--unit", "01.TTHCC"
        )
    assert (lines[-1], err) == ("2026-02-25T10:00:00+07:00", "")
    assert _row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--start", "2026-02-13T10:00", "--working-days", "366"], "at most 365"),
        (["--start", "2026-02-13T10:00", "--working-days", "1e999999"], "at most 365"),
        (["--start", "2026-02-13T10:00", "--working-hours", "2921"], "at most 2920"),
        (["--start", "2026-02-13T10:00", "--calendar-days", "731"], "at most 730"),
        (["--start", "2026-02-13T10:00", "--calendar-days", "9" * 5000], "at most 730"),
        (["--start", "2026-02-13T10:00", "--working-days", "Infinity"], "negative"),
        (["--start", "1999-12-31T10:00", "--working-days", "3"], "must lie in 2000–2097"),
        (["--start", "2098-01-02T10:00", "--working-days", "3"], "must lie in 2000–2097"),
        (["--start", "9999-12-31T23:00:00-12:00", "--working-days", "3"], "bad --start"),
    ],
)
def test_out_of_range_input_is_a_command_error_and_writes_nothing(
    args: list[str], fragment: str
) -> None:
    before = _row_counts()
    with pytest.raises(CommandError, match=fragment):
        run_deadline(*args)
    assert _row_counts() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deadline_runs_on_a_read_only_postgresql_connection() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…): read-only sessions")
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PGOPTIONS": "-c default_transaction_read_only=on",  # every write fails
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "deadline",
            "--start",
            "2026-02-13T10:00",
            "--working-days",
            "3",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "2026-02-25T10:00:00+07:00"
    assert not CalendarDay.objects.exists()


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
