"""Admin: dossiers are read-only here (every change goes through the services, which write the
events), and so are events, the slip and pauses: view pages without save buttons.

Reads of personal data are logged (core.DataAccessLog): opening a dossier, and every page of
the dossier list or its search results (one row per dossier shown, plus what was searched for).
The event trail reads in Vietnamese: the action's and the role's labels (from the lifecycle
table, motcua.dossiers.lifecycle), and each change as "field: before → after"."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local, now
from motcua.organisation.models import Unit

from .lifecycle import action_label, role_label
from .models import (
    RATING_CRITERIA_CODES,
    CertifiedCopyReport,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierFile,
    DossierRating,
    StepRun,
    Suspension,
)
from .selectors import log_personal_data_list, log_personal_data_read

# Keys an event adds beside the dossier's own fields (the services' `extra`).
EXTRA_LABELS: dict[str, Any] = {
    "step": _("bước"),
    "assignee_id": _("người nhận"),
    "items": _("nội dung"),
    "reception_on_time": _("tiếp nhận đúng hạn"),
    "paused_working_hours": _("số giờ làm việc tạm dừng"),
    "amount_vnd": _("số tiền (đồng)"),
    # file_add (motcua.dossiers.services.files)
    "file": _("tệp"),
    "component": _("mã thành phần"),
    "name": _("tên tệp"),
    "sha256": _("SHA-256"),
}
_CHOICES = {f.attname: dict(f.flatchoices) for f in Dossier._meta.concrete_fields if f.choices}
_DATETIME_FIELDS = {
    f.attname for f in Dossier._meta.concrete_fields if isinstance(f, models.DateTimeField)
}


def role_text(role: str) -> str:
    return role_label(role) if role else "—"


def _field_label(key: str) -> str:
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    for field in Dossier._meta.concrete_fields:
        if key in (field.name, field.attname):
            return str(field.verbose_name)
    return key


def _value_text(key: str, value: Any) -> str:
    if value is None or value == "" or value == {} or value == []:
        return "—"
    if key in _CHOICES:
        return str(_CHOICES[key].get(value, value))
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if key in _DATETIME_FIELDS and isinstance(value, str):
        try:
            moment = local(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return "; ".join(_value_text(key, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# Ids an event stores, shown by name (one small query each, on the admin pages only).
_NAMED_IDS: dict[str, tuple[type[models.Model], str]] = {
    "handling_unit_id": (Unit, "name"),
    "current_step_id": (StepRun, "name"),
    "assignee_id": (User, "full_name"),
}


def _named(key: str, value: Any) -> Any:
    model, field = _NAMED_IDS[key]
    name = model._default_manager.filter(pk=value).values_list(field, flat=True).first()
    return name or value


_FIELD_ORDER = {
    name: index
    for index, field in enumerate(Dossier._meta.concrete_fields)
    for name in (field.name, field.attname)
}


def _key_order(key: str) -> tuple[int, int, str]:
    """The dossier's own fields in model order, then the event's extras (PostgreSQL's jsonb
    keeps no key order)."""
    if key in _FIELD_ORDER:
        return (0, _FIELD_ORDER[key], key)
    extras = list(EXTRA_LABELS)
    return (1, extras.index(key) if key in extras else len(extras), key)


def event_changes(event: DossierEvent) -> list[tuple[str, str, str]]:
    """(field label, before, after) of each value the event changed or set (empty values on
    both sides are left out)."""
    keys = sorted({*event.before, *event.after}, key=_key_order)
    lines = []
    for key in keys:
        values = [event.before.get(key), event.after.get(key)]
        if key in _NAMED_IDS:
            values = [None if v is None else _named(key, v) for v in values]
        before, after = (_value_text(key, v) for v in values)
        if before != "—" or after != "—":
            lines.append((_field_label(key), before, after))
    return lines


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _EventTextMixin:
    """The event's action, role and changes as readable Vietnamese."""

    @admin.display(description=_("thao tác"))
    def action_text(self, event: DossierEvent) -> str:
        return action_label(event.action)

    @admin.display(description=_("vai trò"))
    def role_text(self, event: DossierEvent) -> str:
        return role_text(event.actor_role)

    @admin.display(description=_("thay đổi"))
    def changes_text(self, event: DossierEvent) -> SafeString | str:
        lines = event_changes(event)
        if not lines:
            return "—"
        return format_html_join("", "<div>{}: {} → {}</div>", lines)


#: The event trail's columns, inline on the dossier and on an event's own page.
EVENT_FIELDS = (
    "seq",
    "at",
    "action_text",
    "actor",
    "role_text",
    "status_before",
    "status_after",
    "reason",
    "changes_text",
)


class DossierEventInline(_EventTextMixin, _ReadOnlyInline):
    model = DossierEvent
    fields = EVENT_FIELDS
    readonly_fields = fields
    ordering = ("seq",)


class StepRunInline(_ReadOnlyInline):
    model = StepRun
    fk_name = "dossier"
    fields = (
        "order",
        "name",
        "unit",
        "role",
        "given_by",
        "assignee",
        "started_at",
        "due_at",
        "finished_at",
        "result",
        "note",
    )
    readonly_fields = fields
    ordering = ("order",)


class SuspensionInline(_ReadOnlyInline):
    model = Suspension
    fields = ("kind", "started_at", "ended_at", "working_hours", "reason", "items")
    readonly_fields = fields


class DossierFileInline(_ReadOnlyInline):
    """The dossier's files, without their bytes: superusers download them from the stored
    files admin (logged)."""

    model = DossierFile
    fields = ("kind", "component_code", "file", "added_by", "added_at")
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "applicant_name",
        "procedure_version",
        "status",
        "channel",
        "receiving_unit",
        "handling_unit",
        "submitted_at",
        "appointment_at",
    )
    list_filter = ("status", "channel", "receiving_unit", "handling_unit")
    search_fields = ("code", "applicant_name", "applicant_id_number", "applicant_phone")
    date_hierarchy = "submitted_at"
    list_select_related = ("procedure_version__procedure", "receiving_unit", "handling_unit")
    inlines = (StepRunInline, SuspensionInline, DossierFileInline, DossierEventInline)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Dossier._meta.fields]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A page of the list shows applicants' names: the page's dossiers are logged as read
        (and, for a search, what was searched for)."""
        response = super().changelist_view(request, extra_context)
        if (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(response, TemplateResponse)
            and response.context_data is not None
            and "cl" in response.context_data
        ):
            changelist = response.context_data["cl"]
            log_personal_data_list(
                actor=cast(User, request.user),
                dossiers=changelist.result_list,  # the page's queryset: the template reuses it
                search=changelist.query,
                now=now(),
                channel="admin",
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Opening a dossier shows the applicant's personal data: the read is logged."""
        response = super().change_view(request, object_id, form_url, extra_context)
        dossier = Dossier.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if response.status_code == 200 and dossier is not None:
            log_personal_data_read(
                actor=cast(User, request.user), dossier=dossier, now=now(), channel="admin"
            )
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every field is read-only: a view page, no save buttons

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DossierEvent)
class DossierEventAdmin(_EventTextMixin, admin.ModelAdmin):
    list_display = (
        "dossier",
        "seq",
        "at",
        "action_text",
        "actor",
        "role_text",
        "status_before",
        "status_after",
    )
    list_filter = ("action",)
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "actor")
    fields = ("dossier", *EVENT_FIELDS)
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DossierCodeCounter)
class DossierCodeCounterAdmin(admin.ModelAdmin):
    list_display = ("unit", "day", "last")
    list_filter = ("day",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CertifiedCopyReport)
class CertifiedCopyReportAdmin(admin.ModelAdmin):
    """Applicants' reports of being asked for a certified copy, read only (filed by
    `certified_copy_report_file`; counted for supervisors by `certified_copy_report_counts`).
    No personal data is listed: the dossier code, the unit, the procedure, the component."""

    list_display = ("reported_at", "dossier", "unit", "component_code", "allowed")
    list_filter = ("allowed", "unit")
    list_select_related = ("dossier", "unit")
    search_fields = ("dossier__code", "component_code")
    fields = (
        "dossier",
        "unit",
        "procedure_version",
        "component_code",
        "component_name",
        "allowed",
        "note",
        "reported_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


RATING_FIELDS: tuple[str, ...] = (
    "dossier",
    "unit",
    "procedure_version",
    "overall",
    *RATING_CRITERIA_CODES,
    "comment",
    "rated_at",
)


@admin.register(DossierRating)
class DossierRatingAdmin(admin.ModelAdmin):
    """Applicants' satisfaction ratings, read only (written by `dossier_rate`; counted by
    `applicant_selectors.satisfaction_counts`). The comment is the applicant's own words."""

    list_display = ("rated_at", "dossier", "unit", "overall")
    list_filter = ("overall", "unit")
    list_select_related = ("dossier", "unit")
    search_fields = ("dossier__code",)
    fields = RATING_FIELDS
    readonly_fields = RATING_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
