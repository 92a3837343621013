from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.clock import aware, local
from motcua.core.errors import DomainError
from motcua.deadlines.clock import WorkingClock, clock_for_unit, clock_for_unit_with_package_years
from motcua.deadlines.services import calendar_years_missing, deadline_compute
from motcua.organisation.models import Unit

#: The largest duration accepted per unit: the catalog's own plausibility limits (one year of
#: working days, two calendar years).
MAXIMUM = {"working_days": 365, "working_hours": 365 * 8, "calendar_days": 730}
#: Reception years the calendar can answer for: the `holidays` package computes the lunar
#: holidays (Tết included) up to 2100, and the longest duration ends before then.
FIRST_YEAR, LAST_YEAR = 2000, 2097


def _decimal(text: str, time_unit: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise CommandError(f"không phải một số / not a number: {text[:40]!r}") from exc
    if not value.is_finite() or value < 0:
        raise CommandError(f"thời hạn phải là số không âm / must not be negative: {text[:40]!r}")
    if value > MAXIMUM[time_unit]:
        raise CommandError(
            f"thời hạn tối đa {MAXIMUM[time_unit]} / at most {MAXIMUM[time_unit]} "
            f"({time_unit}): {text[:40]!r}"
        )
    return value


def _time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"giờ không hợp lệ (HH:MM) / bad time: {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Tính ngày hẹn trả theo lịch làm việc (chỉ đọc, không ghi gì). Compute a deadline "
        "(read-only). The last line printed is the deadline alone, ISO 8601 with offset "
        "(e.g. 2026-02-25T10:00:00+07:00)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--start",
            required=True,
            help="Thời điểm tiếp nhận, ISO 8601 (không có múi giờ: giờ Việt Nam).",
        )
        duration = parser.add_mutually_exclusive_group(required=True)
        duration.add_argument("--working-days", help="Số ngày làm việc (nhận 0.5).")
        duration.add_argument("--working-hours", help="Số giờ làm việc.")
        duration.add_argument("--calendar-days", help="Số ngày (lịch), không kết thúc ngày nghỉ.")
        duration.add_argument(
            "--immediate", action="store_true", help="Giải quyết trong ngày làm việc."
        )
        parser.add_argument("--channel", choices=["counter", "online", "post"], default="counter")
        parser.add_argument("--unit", help="Mã đơn vị (lịch làm việc riêng của đơn vị).")
        parser.add_argument("--cutoff", help="Giờ chốt nhận trong ngày, vd 15:00.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            received_at = aware(dt.datetime.fromisoformat(options["start"]))
            year = local(received_at).year
        except (ValueError, OverflowError) as exc:
            raise CommandError(
                f"--start không hợp lệ (ISO 8601, vd 2026-02-13T10:00) / bad --start: "
                f"{options['start'][:40]!r}"
            ) from exc
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(
                f"--start phải trong các năm {FIRST_YEAR}–{LAST_YEAR} / must lie in "
                f"{FIRST_YEAR}–{LAST_YEAR}: {options['start'][:40]!r}"
            )
        if options["immediate"]:
            time_unit, value = "immediate", Decimal(0)
        elif options["working_days"] is not None:
            time_unit = "working_days"
            value = _decimal(options["working_days"], time_unit)
        elif options["working_hours"] is not None:
            time_unit = "working_hours"
            value = _decimal(options["working_hours"], time_unit)
        else:
            time_unit = "calendar_days"
            value = _decimal(options["calendar_days"], time_unit)
            if value != value.to_integral_value():
                raise CommandError("--calendar-days phải là số nguyên / must be a whole number")
        cutoff = _time(options["cutoff"]) if options["cutoff"] else None
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(
                    f"không có đơn vị mã {options['unit']!r} / unknown unit {options['unit']!r}"
                )
        clock = self._clock(unit, received_at, time_unit, value)
        try:
            deadline = deadline_compute(
                received_at=received_at,
                duration_value=value,
                time_unit=time_unit,
                channel=options["channel"],
                unit=unit,
                cutoff=cutoff,
                clock=clock,
            )
        except DomainError as exc:
            raise CommandError(exc.render()) from exc
        except (ValueError, OverflowError) as exc:
            raise CommandError(str(exc)) from exc
        start = clock.counting_start(received_at, channel=options["channel"], cutoff=cutoff)
        self.stdout.write(f"Tiếp nhận / received:        {local(received_at).isoformat()}")
        self.stdout.write(f"Bắt đầu tính / counting from: {start.isoformat()}")
        self.stdout.write(f"Thời hạn / duration:          {value} {time_unit}")
        self.stdout.write(deadline.isoformat())

    def _clock(
        self, unit: Unit | None, received_at: dt.datetime, time_unit: str, value: Decimal
    ) -> WorkingClock:
        """The unit's clock; years the computation may reach that the calendar has no rows
        for come from the `holidays` package, in memory (said on stderr). Nothing is written:
        `seed_calendar` stores a year."""
        first = local(received_at).year
        if time_unit == "calendar_days":
            span_years = int(value) // 365 + 1
        elif time_unit in {"working_days", "working_hours"}:
            days = value if time_unit == "working_days" else value / 8
            span_years = int(days * 7 / 5 / 365) + 1  # generous: weekends and holidays
        else:
            span_years = 1
        missing = calendar_years_missing(range(first, first + span_years + 1))
        if not missing:
            return clock_for_unit(unit)
        self.stderr.write(
            "Lịch làm việc chưa có năm "
            + ", ".join(map(str, missing))
            + ": dùng lịch của thư viện holidays, không lưu (seed_calendar để lưu). / No "
            "calendar rows for these years: using the holidays package, nothing saved."
        )
        return clock_for_unit_with_package_years(unit, years=missing)
