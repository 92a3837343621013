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
from motcua.core.errors import DomainError, ValidationError

from . import services
from .models import HomeService, HotlineCall, LegalAdviceTurn


class _ThroughServices(admin.ModelAdmin):
    """Rows are added by the model's create service, called from the form's validation (the
    admin's add view runs in one transaction) so that the service's refusals show on the
    form; nothing is changed or deleted here."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _create(self, request: HttpRequest, data: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        admin_self = self

        class ThroughService(base):  # type: ignore[misc,valid-type]
            created: Any = None

            def clean(self) -> dict[str, Any]:
                data = super().clean()
                if self.errors:
                    return data
                try:
                    self.created = admin_self._create(request, data)
                except ValidationError as exc:
                    fields = {e.get("field") for e in exc.errors} & set(self.fields)
                    for field in fields or {None}:
                        self.add_error(field, exc.render())
                except DomainError as exc:
                    self.add_error(None, exc.render())
                return data

        return ThroughService

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = form.created
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))


@admin.register(LegalAdviceTurn)
class LegalAdviceTurnAdmin(_ThroughServices):
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
class HomeServiceAdmin(_ThroughServices):
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
class HotlineCallAdmin(_ThroughServices):
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
