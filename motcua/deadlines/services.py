"""Writes to the working calendar and the deadline computation (domain.md section 4).

Every write invalidates the cached working clocks (`clock.clock_cache_invalidate`) explicitly,
both at once (the writer's own later computations in the same transaction) and after commit
(so no other process caches a clock built from the data before the commit).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import ValidationError
from motcua.core.services import audit_record
from motcua.organisation.models import Unit

from .clock import (
    CHANNELS,
    HOURS_PER_WORKING_DAY,
    Block,
    WorkingClock,
    clock_cache_invalidate,
    clock_for_unit,
)
from .models import CalendarDay, WorkSchedule
from .sources import CalendarEntry, calendar_entries

__all__ = [
    "TIME_UNITS",
    "SeedSummary",
    "blocks_parse",
    "calendar_day_delete",
    "calendar_day_set",
    "calendar_seed",
    "calendar_years_missing",
    "clock_for_unit",
    "deadline_compute",
    "work_schedule_set",
]

TIME_UNITS = ("working_days", "working_hours", "calendar_days", "immediate")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# -- office hours --------------------------------------------------------------------------


def _parse_hhmm(value: Any) -> dt.time | None:
    if not isinstance(value, str):
        return None
    match = _HHMM.match(value.strip())
    if match is None:
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))


def blocks_parse(raw: Mapping[Any, Any]) -> dict[int, tuple[Block, ...]]:
    """Parse and validate weekly office blocks ``{"0": [["07:00", "11:30"], ...], ...}``.

    Keys are weekdays 0 (Monday) … 6 (Sunday), as strings or ints; each value is a list of
    ``[start, end]`` "HH:MM" pairs, each start before its end, ordered and non-overlapping.
    Raises `ValidationError` (code ``invalid_schedule``) listing every problem found.
    """
    errors: list[dict[str, Any]] = []

    def fail(where: str, message: str) -> None:
        errors.append({"field": where, "message": message})

    if not isinstance(raw, Mapping):
        raise ValidationError(
            _("Giờ làm việc phải là một bảng theo thứ (0 = thứ Hai … 6 = Chủ nhật)."),
            code="invalid_schedule",
        )
    weekly: dict[int, tuple[Block, ...]] = {}
    for key, value in raw.items():
        try:
            weekday = int(key)
        except (TypeError, ValueError):
            weekday = -1
        if str(weekday) != str(key).strip() or not 0 <= weekday <= 6:
            fail(
                str(key),
                f"Thứ không hợp lệ: {key!r} (0 = thứ Hai … 6 = Chủ nhật). / "
                f"Unknown weekday {key!r} (0 = Monday … 6 = Sunday).",
            )
            continue
        if not isinstance(value, list | tuple):
            fail(
                str(key),
                "Mỗi thứ là một danh sách khung giờ [bắt đầu, kết thúc]. / "
                "Each weekday is a list of [start, end] blocks.",
            )
            continue
        blocks: list[Block] = []
        for position, pair in enumerate(value):
            where = f"{weekday}[{position}]"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                fail(
                    where,
                    'Khung giờ phải có dạng ["HH:MM", "HH:MM"]. / A block is ["HH:MM", "HH:MM"].',
                )
                continue
            start, end = _parse_hhmm(pair[0]), _parse_hhmm(pair[1])
            if start is None or end is None:
                fail(
                    where, f"Giờ không đúng dạng HH:MM: {pair!r}. / Times must be HH:MM: {pair!r}."
                )
                continue
            if start >= end:
                fail(
                    where,
                    f"Giờ bắt đầu phải trước giờ kết thúc: {pair[0]}–{pair[1]}. / "
                    f"A block must start before it ends: {pair[0]}–{pair[1]}.",
                )
                continue
            if blocks and start < blocks[-1][1]:
                previous = blocks[-1]
                fail(
                    where,
                    f"Các khung giờ phải theo thứ tự và không chồng lấn "
                    f"({previous[0]:%H:%M}–{previous[1]:%H:%M} và {pair[0]}–{pair[1]}). / "
                    f"Blocks must be ordered and must not overlap "
                    f"({previous[0]:%H:%M}–{previous[1]:%H:%M} and {pair[0]}–{pair[1]}).",
                )
                continue
            blocks.append((start, end))
        if blocks:
            weekly[weekday] = tuple(blocks)
    if not errors and not weekly:
        fail(
            "blocks",
            "Cần ít nhất một khung giờ làm việc trong tuần. / "
            "At least one office block in the week is needed.",
        )
    if errors:
        raise ValidationError(
            _("Giờ làm việc không hợp lệ: %(details)s"),
            code="invalid_schedule",
            errors=errors,
            details="; ".join(e["message"] for e in errors),
        )
    return weekly


def _blocks_json(weekly: Mapping[int, Iterable[Block]]) -> dict[str, list[list[str]]]:
    return {
        str(day): [[f"{s:%H:%M}", f"{e:%H:%M}"] for s, e in weekly[day]] for day in sorted(weekly)
    }


@transaction.atomic
def work_schedule_set(
    *,
    unit: Unit | None,
    blocks: Mapping[Any, Any],
    online_late_from: dt.time = dt.time(16, 0),
    actor: User | None,
    now: dt.datetime,
) -> WorkSchedule:
    """Create or replace the office hours of `unit` (None: the province-wide default)."""
    weekly = blocks_parse(blocks)
    rows = WorkSchedule.objects.select_for_update()
    schedule = rows.filter(unit=unit).first() if unit else rows.filter(unit__isnull=True).first()
    before = _schedule_state(schedule) if schedule is not None else {}
    if schedule is None:
        schedule = WorkSchedule(unit=unit)
    schedule.blocks = _blocks_json(weekly)
    schedule.online_late_from = online_late_from
    schedule.updated_at = now
    schedule.updated_by = actor
    schedule.save()
    audit_record(
        actor=actor,
        action="work_schedule.set",
        object_type="deadlines.workschedule",
        object_id=unit.code if unit else "default",
        now=now,
        before=before,
        after=_schedule_state(schedule),
    )
    clock_cache_invalidate()
    return schedule


def _schedule_state(schedule: WorkSchedule) -> dict[str, Any]:
    return {"blocks": schedule.blocks, "online_late_from": schedule.online_late_from}


@transaction.atomic
def work_schedule_delete(*, schedule: WorkSchedule, actor: User | None, now: dt.datetime) -> None:
    """Remove a schedule: the unit falls back to the province-wide hours."""
    audit_record(
        actor=actor,
        action="work_schedule.delete",
        object_type="deadlines.workschedule",
        object_id=schedule.unit.code if schedule.unit else "default",
        now=now,
        before=_schedule_state(schedule),
    )
    schedule.delete()
    clock_cache_invalidate()


# -- the calendar --------------------------------------------------------------------------


@transaction.atomic
def calendar_day_set(
    *,
    date: dt.date,
    is_working: bool,
    name: str,
    source: str = CalendarDay.Source.ADMIN,
    note: str = "",
    actor: User | None,
    now: dt.datetime,
) -> CalendarDay:
    """Record `date` as a holiday (`is_working=False`) or a make-up working day."""
    if source not in CalendarDay.Source.values:
        raise ValidationError(_("Nguồn không hợp lệ: %(source)s"), source=source)
    if not name.strip():
        raise ValidationError(_("Cần ghi tên ngày (vd Tết Nguyên Đán, làm bù)."), code="required")
    previous = CalendarDay.objects.filter(date=date).first()
    day, _created = CalendarDay.objects.update_or_create(
        date=date,
        defaults={
            "is_working": is_working,
            "name": name.strip(),
            "source": source,
            "note": note,
            "updated_at": now,
            "updated_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action="calendar_day.set",
        object_type="deadlines.calendarday",
        object_id=date.isoformat(),
        now=now,
        before=_day_state(previous) if previous else {},
        after=_day_state(day),
    )
    clock_cache_invalidate()
    return day


def _day_state(day: CalendarDay) -> dict[str, Any]:
    return {"is_working": day.is_working, "name": day.name, "source": day.source}


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, actor: User | None, now: dt.datetime) -> None:
    """Remove an exception: the date follows the weekly pattern again."""
    audit_record(
        actor=actor,
        action="calendar_day.delete",
        object_type="deadlines.calendarday",
        object_id=day.date.isoformat(),
        now=now,
        before=_day_state(day),
    )
    day.delete()
    clock_cache_invalidate()


@dataclass
class SeedSummary:
    years: list[int]
    holidays_added: int = 0
    workdays_added: int = 0
    updated: int = 0
    kept: int = 0
    kept_admin: int = 0
    dates_added: list[dt.date] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{', '.join(map(str, self.years))}: {self.holidays_added} ngày nghỉ và "
            f"{self.workdays_added} ngày làm bù được thêm, {self.updated} được cập nhật, "
            f"{self.kept} giữ nguyên, {self.kept_admin} do quản trị viên đặt được giữ nguyên"
        )


@transaction.atomic
def calendar_seed(*, years: Iterable[int], now: dt.datetime) -> SeedSummary:
    """Seed holidays and make-up working days of `years` from the `holidays` package and the
    government overrides in `sources.GOVERNMENT_OVERRIDES`. Idempotent; rows an administrator
    set are never overwritten."""
    year_list = sorted(set(years))
    summary = SeedSummary(years=year_list)
    entries: list[CalendarEntry] = calendar_entries(year_list)
    existing = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(
            date__in=[entry.date for entry in entries]
        )
    }
    for entry in entries:
        row = existing.get(entry.date)
        if row is None:
            CalendarDay.objects.create(
                date=entry.date,
                is_working=entry.is_working,
                name=entry.name,
                source=entry.source,
                note=entry.note,
                updated_at=now,
            )
            if entry.is_working:
                summary.workdays_added += 1
            else:
                summary.holidays_added += 1
            summary.dates_added.append(entry.date)
        elif row.source == CalendarDay.Source.ADMIN:
            summary.kept_admin += 1
        elif (row.is_working, row.name, row.source, row.note) == (
            entry.is_working,
            entry.name,
            entry.source,
            entry.note,
        ):
            summary.kept += 1
        else:
            row.is_working = entry.is_working
            row.name = entry.name
            row.source = entry.source
            row.note = entry.note
            row.updated_at = now
            row.save()
            summary.updated += 1
    if summary.holidays_added or summary.workdays_added or summary.updated:
        audit_record(
            actor=None,
            action="calendar.seed",
            object_type="deadlines.calendarday",
            object_id=",".join(str(year) for year in year_list),
            now=now,
            after={
                "holidays_added": summary.holidays_added,
                "workdays_added": summary.workdays_added,
                "updated": summary.updated,
                "dates_added": [d.isoformat() for d in summary.dates_added],
            },
        )
    clock_cache_invalidate()
    return summary


def calendar_years_missing(years: Iterable[int]) -> list[int]:
    """The years among `years` without any calendar row (never seeded)."""
    present = {
        day.year
        for day in CalendarDay.objects.filter(date__year__in=list(years)).values_list(
            "date", flat=True
        )
    }
    return sorted(set(years) - present)


# -- deadlines -----------------------------------------------------------------------------


def deadline_compute(
    *,
    received_at: dt.datetime,
    duration_value: Decimal,
    time_unit: str,
    channel: str,
    unit: Unit | None = None,
    cutoff: dt.time | None = None,
    clock: WorkingClock | None = None,
) -> dt.datetime:
    """The appointment for a dossier received at `received_at` (domain.md §4), on `clock`
    (by default the unit's, `clock_for_unit`).

    Counting starts at `WorkingClock.counting_start` (office hours, the online last-hour
    rule, the `cutoff`); then `time_unit` decides: "working_days" (x 8 working hours),
    "working_hours", "calendar_days" (whole days from the counting start's date, ending at
    the end of office hours of a working day) or "immediate" (end of that working day).
    """
    if time_unit not in TIME_UNITS:
        raise ValidationError(
            _("Đơn vị thời hạn không hợp lệ: %(unit)s"), code="invalid_time_unit", unit=time_unit
        )
    if channel not in CHANNELS:
        raise ValidationError(
            _("Kênh nộp hồ sơ không hợp lệ: %(channel)s"), code="invalid_channel", channel=channel
        )
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at is a naive datetime: deadlines need aware datetimes")
    value = (
        Decimal(repr(duration_value))
        if isinstance(duration_value, float)
        else Decimal(duration_value)
    )
    if not value.is_finite() or value < 0:
        raise ValidationError(
            _("Thời hạn phải là số không âm: %(value)s"), code="invalid_duration", value=value
        )
    clock = clock if clock is not None else clock_for_unit(unit)
    start = clock.counting_start(received_at, channel=channel, cutoff=cutoff)
    if time_unit == "working_days":
        return clock.add_working_hours(start, value * HOURS_PER_WORKING_DAY)
    if time_unit == "working_hours":
        return clock.add_working_hours(start, value)
    if time_unit == "calendar_days":
        if value != value.to_integral_value():
            raise ValidationError(
                _("Thời hạn tính theo ngày phải là số nguyên: %(value)s"),
                code="invalid_duration",
                value=value,
            )
        return clock.add_calendar_days(start, int(value))
    return clock.end_of_working_day(start)
