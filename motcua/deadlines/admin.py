"""Administration of the working calendar. Every save and delete goes through the services,
so the cached working clocks are rebuilt."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import format_vn_date, now
from motcua.core.errors import ValidationError

from .models import CalendarDay, WorkSchedule
from .services import (
    blocks_parse,
    calendar_day_delete,
    calendar_day_set,
    work_schedule_delete,
    work_schedule_set,
)

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date_vn", "weekday", "is_working", "name", "source", "updated_at")
    list_filter = (YearFilter, "source", "is_working")
    search_fields = ("name", "note")
    ordering = ("date",)
    fields = ("date", "is_working", "name", "note", "source", "updated_at", "updated_by")
    readonly_fields = ("source", "updated_at", "updated_by")
    list_per_page = 100

    @admin.display(description=_("ngày"), ordering="date")
    def date_vn(self, obj: CalendarDay) -> str:
        return format_vn_date(obj.date)

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarDay) -> str:
        return _WEEKDAYS[obj.date.weekday()]

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        if change and "date" in form.changed_data:
            # Moving a row to another date: the old date follows the weekly pattern again.
            old = CalendarDay.objects.get(pk=obj.pk)
            calendar_day_delete(day=old, actor=_actor(request), now=now())
        saved = calendar_day_set(
            date=obj.date,
            is_working=obj.is_working,
            name=obj.name,
            source=CalendarDay.Source.ADMIN,
            note=obj.note,
            actor=_actor(request),
            now=now(),
        )
        obj.pk = saved.pk
        obj.source = saved.source
        obj.updated_at = saved.updated_at
        obj.updated_by = saved.updated_by

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_delete(day=obj, actor=_actor(request), now=now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        moment = now()
        for day in queryset:
            calendar_day_delete(day=day, actor=_actor(request), now=moment)


class WorkScheduleForm(forms.ModelForm):
    class Meta:
        model = WorkSchedule
        fields = ("unit", "blocks", "online_late_from")

    def clean_blocks(self) -> Any:
        blocks = self.cleaned_data["blocks"]
        try:
            blocks_parse(blocks)
        except ValidationError as exc:
            raise forms.ValidationError(exc.render()) from exc
        return blocks


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    form = WorkScheduleForm
    list_display = ("__str__", "hours", "online_late_from", "updated_at")
    search_fields = ("unit__code", "unit__name")
    autocomplete_fields = ("unit",)
    readonly_fields = ("updated_at", "updated_by")

    @admin.display(description=_("giờ làm việc"))
    def hours(self, obj: WorkSchedule) -> str:
        parts = []
        for key, blocks in sorted(obj.blocks.items()):
            spans = ", ".join(f"{s}–{e}" for s, e in blocks)
            parts.append(f"{_WEEKDAYS[int(key)]}: {spans}")
        return "; ".join(parts)

    def save_model(self, request: HttpRequest, obj: WorkSchedule, form: Any, change: bool) -> None:
        if change and "unit" in form.changed_data:
            old = WorkSchedule.objects.get(pk=obj.pk)
            work_schedule_delete(schedule=old, actor=_actor(request), now=now())
        saved = work_schedule_set(
            unit=obj.unit,
            blocks=obj.blocks,
            online_late_from=obj.online_late_from,
            actor=_actor(request),
            now=now(),
        )
        obj.pk = saved.pk
        obj.blocks = saved.blocks
        obj.updated_at = saved.updated_at
        obj.updated_by = saved.updated_by

    def delete_model(self, request: HttpRequest, obj: WorkSchedule) -> None:
        work_schedule_delete(schedule=obj, actor=_actor(request), now=now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WorkSchedule]) -> None:
        moment = now()
        for schedule in queryset:
            work_schedule_delete(schedule=schedule, actor=_actor(request), now=moment)


def _actor(request: HttpRequest) -> Any:
    user = request.user
    return user if user.is_authenticated else None
