"""Django admin for the procedure catalog, in Vietnamese, for procedure administrators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from motcua.core.clock import now
from motcua.core.errors import DomainError
from motcua.core.generation_cache import InvalidatingAdminMixin
from motcua.organisation.models import Unit

from .models import AcceptedForm, Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from .problems import CatalogInvalid, Problem
from .selectors import catalog_cache_invalidate
from .services import procedure_version_create_draft, procedure_version_publish
from .services import procedure_version_validate as validate
from .text import fold, search_text


def _problem_text(p: Problem) -> str:
    return f"{p['field']}: {p['message']}" if p["field"] else p["message"]


class ProcedureForm(forms.ModelForm):
    """Lists stored as JSON are edited as check boxes, never as raw JSON."""

    competent_unit_kinds = forms.MultipleChoiceField(
        label=capfirst(Procedure._meta.get_field("competent_unit_kinds").verbose_name),
        choices=Unit.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Procedure
        fields = (
            "code",
            "is_local_code",
            "name",
            "name_en",
            "field",
            "level",
            "competent_unit_kinds",
            "competent_unit",
            "is_active",
        )


class ComponentForm(forms.ModelForm):
    accepted_forms = forms.MultipleChoiceField(
        label=capfirst(Component._meta.get_field("accepted_forms").verbose_name),
        choices=AcceptedForm.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Component
        fields = (
            "order",
            "code",
            "name",
            "accepted_forms",
            "copies",
            "required",
            "national_database",
            "template_name",
            "note",
        )


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = (
        "link",
        "status",
        "valid_from",
        "valid_to",
        "online_level",
        "time_unit",
        "counter_time",
        "published_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("các phiên bản (bấm để sửa thành phần hồ sơ, phí, quy trình)")

    @admin.display(description=_("phiên bản"))
    def link(self, obj: ProcedureVersion) -> str:
        url = reverse("admin:catalog_procedureversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.number)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(InvalidatingAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "field",
        "level",
        "competent_unit",
        "is_local_code",
        "is_active",
    )
    list_filter = (
        "field",
        "level",
        "is_local_code",
        "is_active",
        "versions__online_level",
        "versions__status",
    )
    search_fields = ("code", "name", "name_en", "search_text")
    list_select_related = ("field", "competent_unit")
    form = ProcedureForm
    autocomplete_fields = ("field", "competent_unit")
    inlines = (VersionInline,)
    actions = ("create_draft",)

    def invalidate_cache(self) -> None:
        catalog_cache_invalidate()  # the admin saves procedures without the services

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        obj.search_text = search_text(code=obj.code, name=obj.name, name_en=obj.name_en)
        super().save_model(request, obj, form, change)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Procedure], search_term: str
    ) -> tuple[QuerySet[Procedure], bool]:
        qs, distinct = super().get_search_results(request, queryset, search_term)
        if search_term:
            qs = qs | queryset.filter(search_text__contains=fold(search_term))
        return qs, distinct

    @admin.action(description=_("Tạo phiên bản dự thảo mới (sao chép phiên bản hiện hành)"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset:
            try:
                draft = procedure_version_create_draft(
                    procedure=procedure,
                    actor=request.user if request.user.is_authenticated else None,
                    now=now(),
                )
            except DomainError as exc:  # show it, go on with the others
                self.message_user(request, f"{procedure.code}: {exc.render()}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(code)s: đã tạo dự thảo v%(number)s.")
                    % {"code": procedure.code, "number": draft.number},
                    messages.SUCCESS,
                )


class ComponentInline(admin.TabularInline):
    model = Component
    form = ComponentForm
    extra = 0
    fields = (
        "order",
        "code",
        "name",
        "accepted_forms",
        "copies",
        "required",
        "national_database",
        "template_name",
        "note",
    )


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ("order", "name", "kind", "amount_vnd", "timing", "basis")


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    fields = ("order", "name", "role", "unit_scope", "unit", "allotment_hours")
    autocomplete_fields = ("unit",)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(InvalidatingAdminMixin, admin.ModelAdmin):
    list_display = (
        "procedure",
        "number",
        "status",
        "valid_from",
        "valid_to",
        "online_level",
        "time_unit",
        "counter_time",
    )
    list_filter = ("status", "online_level", "time_unit", "procedure__level", "procedure__field")
    search_fields = ("procedure__code", "procedure__name", "procedure__search_text")
    list_select_related = ("procedure",)
    raw_id_fields = ("procedure",)
    readonly_fields = ("published_at", "created_at")
    inlines = (ComponentInline, FeeInline, StepInline)
    actions = ("publish",)

    def invalidate_cache(self) -> None:
        catalog_cache_invalidate()  # validity, online level, e-form... edited in place

    fieldsets = (
        (
            None,
            {"fields": ("procedure", "number", "status", "valid_from", "valid_to", "published_at")},
        ),
        (
            _("Thời hạn và hình thức"),
            {
                "fields": (
                    "online_level",
                    "time_unit",
                    "counter_time",
                    "online_time",
                    "cutoff_time",
                    "supplement_wait_days",
                    "result_kind",
                    "result_name",
                )
            },
        ),
        (
            _("Nội dung công khai"),
            {
                "fields": (
                    "applicant",
                    "agency",
                    "method",
                    "sequence",
                    "requirements",
                    "legal_basis",
                )
            },
        ),
        (_("Biểu mẫu điện tử và ghi chú"), {"fields": ("eform", "note", "created_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Publishing goes through the action, which checks the rules; never by editing.
        return (*self.readonly_fields, "status") if obj else self.readonly_fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        version = form.instance
        problems = validate(version, require_complete=version.status == "published")
        for p in problems:
            self.message_user(request, _problem_text(p), messages.WARNING)

    @admin.action(description=_("Công bố các phiên bản dự thảo đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        actor = request.user if request.user.is_authenticated else None
        for version in queryset.select_related("procedure"):
            label = f"{version.procedure.code} v{version.number}"
            try:
                procedure_version_publish(
                    version=version,
                    actor=actor,
                    now=now(),
                )
            except CatalogInvalid as exc:
                self.message_user(request, f"{label}: {exc.render()}", messages.ERROR)
                for p in exc.problems:
                    self.message_user(request, f"{label} — {_problem_text(p)}", messages.ERROR)
            except DomainError as exc:
                self.message_user(request, f"{label}: {exc.render()}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(label)s: đã công bố.") % {"label": label}, messages.SUCCESS
                )
