"""The admin saves and deletes through the services, so cached clocks are rebuilt."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.contrib.admin.sites import AdminSite
from django.http import HttpRequest
from django.test import RequestFactory

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.deadlines.admin import CalendarDayAdmin, WorkScheduleAdmin, WorkScheduleForm
from motcua.deadlines.clock import clock_for_unit
from motcua.deadlines.models import CalendarDay, WorkSchedule
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


class _Form:
    def __init__(self, changed: list[str]) -> None:
        self.changed_data = changed


def _request() -> HttpRequest:
    request = RequestFactory().post("/admin/")
    request.user = cast(User, StaffFactory())
    return request


def test_calendar_day_save_and_delete_go_through_the_service() -> None:
    admin = CalendarDayAdmin(CalendarDay, AdminSite())
    assert clock_for_unit(None).is_working_day(dt.date(2026, 3, 10))
    day = CalendarDay(date=dt.date(2026, 3, 10), is_working=False, name="Nghỉ", source="package")
    request = _request()
    admin.save_model(request, day, _Form(["date", "is_working", "name"]), change=False)
    row = CalendarDay.objects.get()
    assert (row.source, row.updated_by) == ("admin", request.user)
    assert not clock_for_unit(None).is_working_day(dt.date(2026, 3, 10))
    assert admin.date_vn(row) == "10/03/2026"
    assert admin.weekday(row) == "Thứ Ba"
    admin.delete_model(request, row)
    assert not CalendarDay.objects.exists()
    assert clock_for_unit(None).is_working_day(dt.date(2026, 3, 10))


def test_work_schedule_form_validates_and_save_invalidates() -> None:
    bad = WorkScheduleForm(
        data={
            "blocks": '{"0": [["07:00", "12:00"], ["11:00", "17:00"]]}',
            "online_late_from": "16:00",
        }
    )
    assert not bad.is_valid()
    assert "overlap" in str(bad.errors["blocks"])
    form = WorkScheduleForm(
        data={"blocks": '{"5": [["07:30", "11:30"]]}', "online_late_from": "16:00"}
    )
    assert form.is_valid(), form.errors
    admin = WorkScheduleAdmin(WorkSchedule, AdminSite())
    admin.save_model(_request(), form.instance, form, change=False)
    clock = clock_for_unit(None)
    assert clock.counting_start(
        dt.datetime(2026, 3, 10, 9, tzinfo=VN_TZ), channel="counter"
    ) == dt.datetime(2026, 3, 14, 7, 30, tzinfo=VN_TZ)
    assert admin.hours(WorkSchedule.objects.get()) == "Thứ Bảy: 07:30–11:30"
