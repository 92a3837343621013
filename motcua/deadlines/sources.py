"""Where the calendar exceptions come from: the `holidays` package and government decisions
the package does not carry (yet). Pure data, no database: `calendar_seed` writes these rows,
and the benchmark builds a clock from them directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

SOURCE_PACKAGE = "package"
SOURCE_GOVERNMENT = "government"


@dataclass(frozen=True)
class CalendarEntry:
    date: dt.date
    is_working: bool
    name: str
    source: str
    note: str = ""


# Decisions the package lags behind. They win over the package for the same date.
_VPCP_2025_12_25 = (
    "Công văn của Văn phòng Chính phủ ngày 25/12/2025: khu vực nhà nước nghỉ thứ Sáu "
    "02/01/2026 và làm bù thứ Bảy 10/01/2026."
)
GOVERNMENT_OVERRIDES: tuple[CalendarEntry, ...] = (
    CalendarEntry(
        dt.date(2026, 1, 2),
        False,
        "Nghỉ Tết Dương lịch (hoán đổi)",
        SOURCE_GOVERNMENT,
        _VPCP_2025_12_25,
    ),
    CalendarEntry(
        dt.date(2026, 1, 10),
        True,
        "Làm bù cho ngày 02/01/2026",
        SOURCE_GOVERNMENT,
        _VPCP_2025_12_25,
    ),
)


def calendar_entries(years: Iterable[int]) -> list[CalendarEntry]:
    """Holidays and make-up working days of `years`, ordered by date.

    The package's `weekend_workdays` lists make-up days of every year it knows, so it is
    filtered by year here."""
    year_set = sorted(set(years))
    if not year_set:
        return []
    package = holidays.country_holidays("VN", years=year_set, language="vi")
    entries: dict[dt.date, CalendarEntry] = {}
    for day, name in sorted(package.items()):
        if day.year in year_set:
            entries[day] = CalendarEntry(day, False, str(name), SOURCE_PACKAGE)
    for day in sorted(getattr(package, "weekend_workdays", ())):
        if day.year in year_set:
            # The package names the day off "... (thay cho ngày 22/08/2026)": find its pair.
            mark = f"{day:%d/%m/%Y}"
            pair = next((d for d, n in package.items() if mark in str(n)), None)
            name = f"Làm bù cho ngày {pair:%d/%m/%Y}" if pair else "Ngày làm bù"
            entries[day] = CalendarEntry(day, True, name, SOURCE_PACKAGE)
    for entry in GOVERNMENT_OVERRIDES:
        if entry.date.year in year_set:
            entries[entry.date] = entry
    return [entries[day] for day in sorted(entries)]


def holidays_and_workdays(years: Iterable[int]) -> tuple[set[dt.date], set[dt.date]]:
    """(holidays, make-up working days) of `years`, for building a `WorkingClock` directly."""
    holiday_set: set[dt.date] = set()
    workday_set: set[dt.date] = set()
    for entry in calendar_entries(years):
        (workday_set if entry.is_working else holiday_set).add(entry.date)
    return holiday_set, workday_set
