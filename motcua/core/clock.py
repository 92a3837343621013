"""Time is an input: services take `now=`; this is the single place that reads the wall clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    """The current aware instant. Interfaces call this once and pass it down as `now=`."""
    return timezone.now()


def local(value: dt.datetime) -> dt.datetime:
    """The same instant in Asia/Ho_Chi_Minh. Refuses naive datetimes."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: motcua only handles aware datetimes")
    return value.astimezone(VN_TZ)


def aware(value: dt.datetime) -> dt.datetime:
    """Interpret a naive datetime as Vietnamese local time (for command-line input)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value


#: How a date is typed on motcua's pages: dd/mm/yyyy, or ISO 8601 (a script, an older link).
DATE_INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_vn_date(text: str) -> dt.date | None:
    """The date typed in `text` (one of DATE_INPUT_FORMATS, a real date), or None."""
    for pattern in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).replace(tzinfo=VN_TZ).date()
        except ValueError:
            continue
    return None


def vn_date_as_typed(value: object) -> str:
    """A stored ISO date as a person types it in a page's field (dd/mm/yyyy); anything else
    (what was typed, not a date) as it was, None as ""."""
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return "" if value is None else str(value)


def format_vn_date(value: dt.date | dt.datetime) -> str:
    """dd/mm/yyyy, as every Vietnamese page shows dates."""
    if isinstance(value, dt.datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def format_vn_moment(value: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time, as every page, export and stamp writes a moment
    (Django's DATETIME_FORMAT in config/formats says the same)."""
    return local(value).strftime("%d/%m/%Y %H:%M")
