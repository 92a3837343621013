from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.clock import aware, local, now
from motcua.core.errors import DomainError
from motcua.deadlines.clock import clock_for_unit
from motcua.deadlines.services import calendar_seed, calendar_years_missing, deadline_compute
from motcua.organisation.models import Unit


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise CommandError(f"không phải một số / not a number: {text!r}") from exc
    if not value.is_finite() or value < 0:
        raise CommandError(f"thời hạn phải là số không âm / must not be negative: {text!r}")
    return value


def _time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"giờ không hợp lệ (HH:MM) / bad time: {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Tính ngày hẹn trả theo lịch làm việc. Compute a deadline. The last line printed is "
        "the deadline alone, ISO 8601 with offset (e.g. 2026-02-25T10:00:00+07:00)."
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
        except ValueError as exc:
            raise CommandError(
                f"--start không hợp lệ (ISO 8601, vd 2026-02-13T10:00) / bad --start: "
                f"{options['start']!r}"
            ) from exc
        if options["immediate"]:
            time_unit, value = "immediate", Decimal(0)
        elif options["working_days"] is not None:
            time_unit, value = "working_days", _decimal(options["working_days"])
        elif options["working_hours"] is not None:
            time_unit, value = "working_hours", _decimal(options["working_hours"])
        else:
            time_unit, value = "calendar_days", _decimal(options["calendar_days"])
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
        self._ensure_calendar(received_at, time_unit, value)
        try:
            deadline = deadline_compute(
                received_at=received_at,
                duration_value=value,
                time_unit=time_unit,
                channel=options["channel"],
                unit=unit,
                cutoff=cutoff,
            )
        except DomainError as exc:
            raise CommandError(exc.render()) from exc
        except (ValueError, OverflowError) as exc:
            raise CommandError(str(exc)) from exc
        start = clock_for_unit(unit).counting_start(
            received_at, channel=options["channel"], cutoff=cutoff
        )
        self.stdout.write(f"Tiếp nhận / received:        {local(received_at).isoformat()}")
        self.stdout.write(f"Bắt đầu tính / counting from: {start.isoformat()}")
        self.stdout.write(f"Thời hạn / duration:          {value} {time_unit}")
        self.stdout.write(deadline.isoformat())

    def _ensure_calendar(self, received_at: dt.datetime, time_unit: str, value: Decimal) -> None:
        """Seed the years the computation may reach when they have no calendar rows yet."""
        first = local(received_at).year
        if time_unit == "calendar_days":
            span_years = int(value) // 365 + 1
        elif time_unit in {"working_days", "working_hours"}:
            days = value if time_unit == "working_days" else value / 8
            span_years = int(days * 7 / 5 / 365) + 1  # generous: weekends and holidays
        else:
            span_years = 1
        years = list(range(first, first + span_years + 1))
        if len(years) > 50:  # an absurd duration: seed what is reasonable, compute anyway
            years = years[:50]
        missing = calendar_years_missing(years)
        if missing:
            self.stderr.write(
                "Lịch làm việc chưa có năm "
                + ", ".join(map(str, missing))
                + ": nạp từ thư viện holidays. / Seeding the calendar for these years."
            )
            calendar_seed(years=missing, now=now())
