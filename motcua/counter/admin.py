"""Around the counter in the admin: the records are read here and created through the
services (so every row has its audit event); changes of state go through the actions. The
staff's own screens are the workspace's."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.core.admin_services import ThroughServicesAdmin
from motcua.core.errors import DomainError

from . import services
from .models import HomeService, HotlineCall, LegalAdviceTurn


@admin.register(LegalAdviceTurn)
class LegalAdviceTurnAdmin(ThroughServicesAdmin):
    list_display = ("day", "starts", "ends", "unit", "lawyer_name", "status", "people_served")
    list_filter = ("status",)
    search_fields = ("lawyer_name", "organisation", "unit__name")
    date_hierarchy = "day"
    list_select_related = ("unit",)
    fields = ("unit", "lawyer_name", "organisation", "day", "starts", "ends")
    autocomplete_fields = ("unit",)

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.legal_advice_turn_plan(
            unit=data["unit"],
            lawyer_name=data["lawyer_name"],
            organisation=data.get("organisation", ""),
            day=data["day"],
            starts=data["starts"],
            ends=data["ends"],
            actor=request.user,  # type: ignore[arg-type]
            now=clock.now(),
        )


@admin.register(HomeService)
class HomeServiceAdmin(ThroughServicesAdmin):
    list_display = (
        "requested_at",
        "unit",
        "kind",
        "reason",
        "status",
        "scheduled_for",
        "assigned_to",
    )
    list_filter = ("status", "kind", "reason")
    search_fields = ("unit__name", "reference")
    list_select_related = ("unit", "assigned_to")
    fields = (
        "unit",
        "kind",
        "reason",
        "person_name",
        "phone",
        "address",
        "details",
        "channel",
        "preferred_day",
    )
    autocomplete_fields = ("unit",)
    actions = ["cancel_selected"]

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.home_service_request(
            unit=data["unit"],
            kind=data["kind"],
            reason=data["reason"],
            person_name=data["person_name"],
            phone=data["phone"],
            address=data["address"],
            details=data.get("details", ""),
            channel=data["channel"],
            preferred_day=data.get("preferred_day"),
            actor=request.user,  # type: ignore[arg-type]
            now=clock.now(),
        )

    @admin.action(description=_("Huỷ các yêu cầu đã chọn (theo đề nghị của người dân)"))
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[HomeService]) -> None:
        for service in queryset:
            try:
                services.home_service_cancel(
                    service=service,
                    reason=str(_("Huỷ theo đề nghị của người dân.")),
                    actor=request.user,  # type: ignore[arg-type]
                    now=clock.now(),
                )
            except DomainError as exc:
                self.message_user(request, f"{service}: {exc.render()}", messages.ERROR)


@admin.register(HotlineCall)
class HotlineCallAdmin(ThroughServicesAdmin):
    list_display = ("at", "unit", "topic", "outcome", "callback_done_at", "handled_by")
    list_filter = ("topic", "outcome")
    search_fields = ("unit__name", "dossier_code", "procedure_code")
    date_hierarchy = "at"
    list_select_related = ("unit", "handled_by")
    fields = (
        "unit",
        "at",
        "caller_name",
        "caller_phone",
        "topic",
        "procedure_code",
        "dossier_code",
        "summary",
        "outcome",
    )
    autocomplete_fields = ("unit",)
    actions = ["callback_done"]

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        return services.hotline_call_record(
            unit=data["unit"],
            at=data["at"],
            topic=data["topic"],
            summary=data["summary"],
            outcome=data["outcome"],
            caller_name=data.get("caller_name", ""),
            caller_phone=data.get("caller_phone", ""),
            procedure_code=data.get("procedure_code", ""),
            dossier_code=data.get("dossier_code", ""),
            actor=request.user,  # type: ignore[arg-type]
            now=clock.now(),
        )

    @admin.action(description=_("Đánh dấu đã gọi lại"))
    def callback_done(self, request: HttpRequest, queryset: QuerySet[HotlineCall]) -> None:
        for call in queryset:
            try:
                services.hotline_callback_done(call=call, actor=request.user, now=clock.now())  # type: ignore[arg-type]
            except DomainError as exc:
                self.message_user(request, f"{call}: {exc.render()}", messages.ERROR)
