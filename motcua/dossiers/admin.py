"""Admin: dossiers are read-mostly (every change goes through the services, which write the
events); events, the slip and pauses are read-only."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from motcua.accounts.models import User
from motcua.core.clock import now

from .models import Dossier, DossierCodeCounter, DossierEvent, StepRun, Suspension
from .selectors import log_personal_data_read


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


class DossierEventInline(_ReadOnlyInline):
    model = DossierEvent
    fields = (
        "seq",
        "at",
        "action",
        "actor",
        "actor_role",
        "status_before",
        "status_after",
        "reason",
        "before",
        "after",
    )
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
    inlines = (StepRunInline, SuspensionInline, DossierEventInline)
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Dossier._meta.fields]

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

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DossierEvent)
class DossierEventAdmin(admin.ModelAdmin):
    list_display = ("dossier", "seq", "at", "action", "actor", "status_before", "status_after")
    list_filter = ("action",)
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "actor")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in DossierEvent._meta.fields]

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
