"""Calendar and office-hour changes leave audit events (who, when, before and after)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.models import AuditEvent
from motcua.deadlines.models import CalendarDay
from motcua.deadlines.services import (
    calendar_day_delete,
    calendar_day_set,
    calendar_seed,
    work_schedule_set,
)
from tests.factories import StaffFactory

from .conftest import NOW, make_unit

pytestmark = pytest.mark.django_db


def test_editing_a_day_records_before_and_after() -> None:
    admin = StaffFactory(username="quantri")
    calendar_day_set(
        date=dt.date(2026, 12, 31), is_working=False, name="Nghỉ", actor=admin, now=NOW
    )
    calendar_day_set(
        date=dt.date(2026, 12, 31), is_working=True, name="Làm bù", actor=admin, now=NOW
    )
    calendar_day_delete(day=CalendarDay.objects.get(), actor=admin, now=NOW)

    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == [
        "calendar_day.set",
        "calendar_day.set",
        "calendar_day.delete",
    ]
    assert {e.actor for e in events} == {admin}
    assert events[1].before == {"is_working": False, "name": "Nghỉ", "source": "admin"}
    assert events[1].after == {"is_working": True, "name": "Làm bù", "source": "admin"}
    assert events[2].object_id == "2026-12-31"


def test_seeding_records_one_summary_and_a_reseed_records_nothing() -> None:
    calendar_seed(years=[2026], now=NOW)
    calendar_seed(years=[2026], now=NOW)
    event = AuditEvent.objects.get()
    assert event.action == "calendar.seed"
    assert "2026-02-17" in event.after["dates_added"]


def test_office_hours_change_is_recorded() -> None:
    unit = make_unit(code="00070")
    work_schedule_set(unit=unit, blocks={"0": [["07:30", "11:30"]]}, actor=None, now=NOW)
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("work_schedule.set", "00070")
    assert event.after["blocks"] == {"0": [["07:30", "11:30"]]}
