"""The `--now` option of the scheduled commands: the moment taken as the present, ISO 8601
(Vietnam's time when no offset is written), the clock's now when absent. Time is an input,
so a command can be run as of any moment (a catch-up after an outage, a test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from motcua.core import clock


def now_argument_add(parser: CommandParser) -> None:
    parser.add_argument(
        "--now",
        help="Thời điểm coi là hiện tại, ISO 8601 (giờ Việt Nam nếu không ghi múi giờ).",
    )


def now_from_options(options: dict[str, Any]) -> dt.datetime:
    """The aware moment `--now` names, or the clock's; a clear error for a bad value."""
    value = options.get("now")
    if not value:
        return clock.now()
    try:
        return clock.aware(dt.datetime.fromisoformat(value))
    except ValueError as exc:
        raise CommandError(f"--now không hợp lệ / bad --now: {value!r}") from exc
