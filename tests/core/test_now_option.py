"""`--now` of the scheduled commands (`motcua.core.management.now_option`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core.clock import VN_TZ
from motcua.core.management.now_option import now_from_options


def test_a_time_without_an_offset_is_vietnam_time() -> None:
    assert now_from_options({"now": "2026-03-02T09:30"}) == dt.datetime(
        2026, 3, 2, 9, 30, tzinfo=VN_TZ
    )
    assert now_from_options({"now": "2026-03-02T02:30:00+00:00"}) == dt.datetime(
        2026, 3, 2, 9, 30, tzinfo=VN_TZ
    )


def test_absent_is_the_clock() -> None:
    found = now_from_options({"now": None})
    assert found.tzinfo is not None
    assert abs(found - dt.datetime.now(tz=dt.UTC)) < dt.timedelta(minutes=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", ["reception_alerts", "close_unsupplemented", "refresh_procedure_use"]
)
def test_every_scheduled_command_refuses_a_bad_now_clearly(command: str) -> None:
    with pytest.raises(CommandError, match="bad --now"):
        call_command(command, "--now", "hôm qua")
