"""Django admin for the procedure catalog, in Vietnamese, for procedure administrators.

Every write goes through a service (`motcua.catalog.services`, one-row edits in `edits.py`),
which records an audit event and bumps the catalog cache. A published or retired version is
shown read-only (no save button, read-only components, fees and steps) with a button that
creates a new draft from it; only a draft is edited, then published through the action.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.core.errors import DomainError
from motcua.organisation.models import Unit

from .models import (
    COMPONENT_FILE_TYPES,
    AcceptedForm,
    Component,
    Fee,
    Field,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    TimeUnit,
    certified_copy_conflicts,
)
from .problems import MESSAGES as PROBLEM_MESSAGES
from .problems import CatalogInvalid, Problem
from .schema import VERSION_FIELDS
from .services import (
    field_delete,
    field_save,
    procedure_delete,
    procedure_life_events_set,
    procedure_save,
    procedure_version_create_draft,
    procedure_version_delete,
    procedure_version_publish,
    procedure_version_save,
    version_part_delete,
    version_part_save,
)
from .services import procedure_version_validate as validate
from .text import fold
from .timefit import TimeFit, time_fit
from .widgets import EformField, LinesField

_DRAFT = ProcedureVersion.Status.DRAFT


def _problem_text(p: Problem) -> str:
    return f"{p['field']}: {p['message']}" if p["field"] else p["message"]


def _actor(request: HttpRequest) -> User | None:
    return cast(User, request.user) if request.user.is_authenticated else None


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


class ServiceErrorsMixin:
    """Shows a service's refusal as an error message (the row is left as it was)."""

    def _call(self, request: HttpRequest, call: Any, **kwargs: Any) -> bool:
        try:
            call(actor=_actor(request), now=now(), **kwargs)
        except DomainError as exc:
            cast(admin.ModelAdmin, self).message_user(request, exc.render(), messages.ERROR)
            return False
        return True


# --- fields (lĩnh vực) ---------------------------------------------------------------------


class FieldForm(forms.ModelForm):
    class Meta:
        model = Field
        fields = ("code", "name", "name_en")

    def clean_name(self) -> str:
        from .edits import field_name_owner

        name = " ".join(self.cleaned_data["name"].split())
        owner = field_name_owner(name=name, exclude_pk=self.instance.pk)
        if owner is not None:
            raise forms.ValidationError(
                _("Đã có lĩnh vực %(other)s mang tên “%(name)s”."),
                params={"other": owner.code, "name": owner.name},
            )
        return name


@admin.register(Field)
class FieldAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    form = FieldForm
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        self._call(request, field_save, field=obj)

    def delete_model(self, request: HttpRequest, obj: Field) -> None:
        self._call(request, field_delete, field=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Field]) -> None:
        for field in queryset:
            self._call(request, field_delete, field=field)

    def has_delete_permission(self, request: HttpRequest, obj: Field | None = None) -> bool:
        if obj is not None and obj.procedures.exists():
            return False  # in use: the page says why there is no delete button
        return super().has_delete_permission(request, obj)


# --- procedures ----------------------------------------------------------------------------


class ProcedureForm(forms.ModelForm):
    """Lists stored as JSON are edited as check boxes, never as raw JSON."""

    competent_unit_kinds = forms.MultipleChoiceField(
        label=capfirst(Procedure._meta.get_field("competent_unit_kinds").verbose_name),
        choices=Unit.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # Not a model field of the form: saved by `procedure_life_events_set` (with an audit
    # event), never by the form's save_m2m.
    life_events = forms.ModelMultipleChoiceField(
        label=capfirst(Procedure._meta.get_field("life_events").verbose_name),
        queryset=LifeEvent.objects.order_by("order", "code"),
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["life_events"].initial = list(self.instance.life_events.all())


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
    verbose_name_plural = _("các phiên bản (bấm để xem; chỉ phiên bản dự thảo sửa được)")

    @admin.display(description=_("phiên bản"))
    def link(self, obj: ProcedureVersion) -> str:
        url = reverse("admin:catalog_procedureversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.number)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(ServiceErrorsMixin, admin.ModelAdmin):
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

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        if self._call(request, procedure_save, procedure=obj) and "life_events" in getattr(
            form, "cleaned_data", {}
        ):
            self._call(
                request,
                procedure_life_events_set,
                procedure=obj,
                codes=[e.code for e in form.cleaned_data["life_events"]],
            )

    def delete_model(self, request: HttpRequest, obj: Procedure) -> None:
        self._call(request, procedure_delete, procedure=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset:
            self._call(request, procedure_delete, procedure=procedure)

    def has_delete_permission(self, request: HttpRequest, obj: Procedure | None = None) -> bool:
        if obj is not None and obj.versions.exclude(status=_DRAFT).exists():
            return False  # dossiers may point at its versions: deactivate it instead
        return super().has_delete_permission(request, obj)

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
            _create_draft(self, request, procedure=procedure, source=None)


def _create_draft(
    admin_: admin.ModelAdmin,
    request: HttpRequest,
    *,
    procedure: Procedure,
    source: ProcedureVersion | None,
) -> ProcedureVersion | None:
    try:
        draft = procedure_version_create_draft(
            procedure=procedure, source=source, actor=_actor(request), now=now()
        )
    except DomainError as exc:  # show it, go on with the others
        admin_.message_user(request, f"{procedure.code}: {exc.render()}", messages.ERROR)
        return None
    admin_.message_user(
        request,
        _("%(code)s: đã tạo dự thảo v%(number)s.")
        % {"code": procedure.code, "number": draft.number},
        messages.SUCCESS,
    )
    return draft


# --- versions ------------------------------------------------------------------------------


# Short labels for the components table (the full ones are in the format and the API).
ACCEPTED_FORM_SHORT: tuple[tuple[str, Any], ...] = (
    (AcceptedForm.ORIGINAL, _("Bản chính")),
    (AcceptedForm.ORIGINAL_TO_COMPARE, _("BC đối chiếu")),
    (AcceptedForm.COPY, _("Bản sao")),
    (AcceptedForm.CERTIFIED_COPY, _("Sao chứng thực")),
    (AcceptedForm.ELECTRONIC_COPY, _("Sao điện tử")),
    (AcceptedForm.NATIONAL_DATA, _("Dữ liệu QG")),
    (AcceptedForm.DECLARATION_FORM, _("Tờ khai")),
)


class ComponentForm(forms.ModelForm):
    accepted_forms = forms.MultipleChoiceField(
        label=capfirst(Component._meta.get_field("accepted_forms").verbose_name),
        help_text=_(
            "BC đối chiếu: bản chính để đối chiếu; sao điện tử: bản sao điện tử chứng thực từ "
            "bản chính; dữ liệu QG: khai thác từ cơ sở dữ liệu quốc gia."
        ),
        choices=ACCEPTED_FORM_SHORT,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "accepted-forms"}),
    )
    allowed_types = forms.MultipleChoiceField(
        label=capfirst(Component._meta.get_field("allowed_types").verbose_name),
        choices=[(t, t.split("/")[1].upper()) for t in COMPONENT_FILE_TYPES],
        initial=list(COMPONENT_FILE_TYPES),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "accepted-forms"}),
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
            "document_kind",
            "template_name",
            "note",
            "allowed_types",
            "max_bytes",
        )
        widgets = {
            "order": forms.NumberInput(attrs={"class": "col-narrow"}),
            "copies": forms.NumberInput(attrs={"class": "col-narrow"}),
            "code": forms.TextInput(attrs={"class": "col-code"}),
            "name": forms.Textarea(attrs={"rows": 3, "class": "col-wide"}),
            "template_name": forms.TextInput(attrs={"class": "col-medium"}),
            "note": forms.Textarea(attrs={"rows": 3, "class": "col-medium"}),
        }

    def clean(self) -> dict[str, Any]:
        # The same rule as the import (schema `certified_copy_conflicts`): a certified copy is
        # accepted only where the law allows asking for one.
        cleaned = super().clean() or {}
        forms = list(cleaned.get("accepted_forms") or [])
        database = cleaned.get("national_database") or ""
        for code in certified_copy_conflicts(forms=forms, national_database=database):
            self.add_error("accepted_forms", str(PROBLEM_MESSAGES[code][0]))
        return cleaned


class DraftOnlyInline(admin.TabularInline):
    """Rows of a version: editable on a draft only, through `version_part_save/delete`."""

    extra = 0

    def _draft(self, obj: Any) -> bool:
        return obj is None or obj.status == _DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


class ComponentInline(DraftOnlyInline):
    model = Component
    form = ComponentForm
    classes = ("catalog-components",)
    fields = ComponentForm.Meta.fields

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if self._draft(obj):
            return self.fields
        return tuple("accepted_forms_labels" if f == "accepted_forms" else f for f in self.fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if self._draft(obj) else self.get_fields(request, obj)

    @admin.display(description=capfirst(Component._meta.get_field("accepted_forms").verbose_name))
    def accepted_forms_labels(self, obj: Component) -> str:
        labels = dict(AcceptedForm.choices)
        return "; ".join(str(labels.get(f, f)) for f in obj.accepted_forms or [])


class FeeInline(DraftOnlyInline):
    model = Fee
    fields = (
        "order",
        "name",
        "kind",
        "amount_vnd",
        "timing",
        "counting",
        "applicant_kind",
        "tier_from",
        "tier_amount_vnd",
        "cap_vnd",
        "exemptions",
        "basis",
    )
    classes = ("catalog-fees",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["widgets"] = {
            "order": forms.NumberInput(attrs={"class": "col-narrow"}),
            "name": forms.TextInput(attrs={"class": "col-wide"}),
            "basis": forms.Textarea(attrs={"rows": 2, "class": "col-medium"}),
            "exemptions": forms.Textarea(attrs={"rows": 2, "class": "col-medium"}),
        }
        return super().get_formset(request, obj, **kwargs)


class StepInline(DraftOnlyInline):
    model = ProcessStep
    fields = ("order", "name", "role", "unit_scope", "unit", "allotment_hours")
    autocomplete_fields = ("unit",)
    classes = ("catalog-steps",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["widgets"] = {
            "order": forms.NumberInput(attrs={"class": "col-narrow"}),
            "name": forms.TextInput(attrs={"class": "col-wide"}),
            "allotment_hours": forms.NumberInput(
                attrs={"class": "col-narrow step-hours", "step": "0.5", "min": "0"}
            ),
        }
        return super().get_formset(request, obj, **kwargs)


class ProcedureVersionForm(forms.ModelForm):
    eform = EformField(label=capfirst(ProcedureVersion._meta.get_field("eform").verbose_name))
    legal_basis = LinesField(
        label=capfirst(ProcedureVersion._meta.get_field("legal_basis").verbose_name),
        help_text=_("Mỗi văn bản một dòng."),
    )

    class Meta:
        model = ProcedureVersion
        fields = ("procedure", *(f for f in VERSION_FIELDS if f != "status"))
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
                for name in ("applicant", "agency", "method", "requirements", "note")
            },
            "sequence": forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        procedure = cleaned.get("procedure")
        if self.instance.pk is None and procedure is not None:
            draft = procedure.versions.filter(status=_DRAFT).first()
            if draft is not None:
                raise forms.ValidationError(
                    _("Thủ tục đã có phiên bản dự thảo số %(value)s."),
                    params={"value": draft.number},
                )
        return cleaned


# The version page, in the order an administrator reads a procedure. Every field of
# VERSION_FIELDS appears once (tests check it).
VERSION_FIELDSETS: Any = (
    (
        None,
        {"fields": ("procedure", "number", "status", "valid_from", "valid_to", "published_at")},
    ),
    (
        _("Thời hạn và hình thức"),
        {
            "fields": (
                ("online_level", "result_kind"),
                ("time_unit", "counter_time"),
                "online_time",
                "cutoff_time",
                "supplement_wait_days",
                "supplement_restarts_clock",
                "settled_in_session",
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
    (_("Biểu mẫu điện tử"), {"fields": ("eform",), "classes": ("catalog-eform",)}),
    (_("Ghi chú nội bộ"), {"fields": ("note", "created_at")}),
)


def version_time_fit(version: ProcedureVersion) -> TimeFit:
    """The stored steps of a version against its legal time (the page's summary)."""
    return time_fit(
        time_unit=version.time_unit,
        counter_time=Decimal(version.counter_time),
        online_time=Decimal(version.online_time) if version.online_time is not None else None,
        steps=[(s.order, s.name, Decimal(s.allotment_hours)) for s in version.steps.all()],
    )


def time_fit_context(version: ProcedureVersion) -> dict[str, Any]:
    fit = version_time_fit(version)
    channels = {"counter": _("nộp trực tiếp"), "online": _("nộp trực tuyến")}
    unit = TimeUnit(version.time_unit).label if version.time_unit in TimeUnit.values else ""
    return {
        "fit": fit,
        "limits": [
            {
                "channel": channels[c.channel],
                "legal": _plain(c.legal_time) if version.time_unit != TimeUnit.IMMEDIATE else "",
                "unit": unit,
                "hours": _plain(c.limit_hours),
                "tightest": c is fit.limit,
            }
            for c in fit.limits
        ],
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "hours": _plain(s.hours),
                "start": _plain(s.starts_at),
                "end": _plain(s.ends_at),
                "fits": s.fits,
            }
            for s in fit.steps
        ],
        "total": _plain(fit.total_hours),
        "limit": _plain(fit.limit_hours),
        "limit_raw": f"{fit.limit_hours.normalize():f}",
        "spare": _plain(abs(fit.spare_hours)),
        "fits": fit.fits,
    }


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    form = ProcedureVersionForm
    change_form_template = "admin/catalog/procedureversion/change_form.html"
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
    readonly_fields = ("number", "status", "published_at", "created_at")
    inlines = (ComponentInline, FeeInline, StepInline)
    actions = ("publish", "new_draft_from")
    fieldsets = VERSION_FIELDSETS

    class Media:
        css = {"all": ("catalog/admin.css",)}
        js = ("catalog/timefit.js",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:  # a version never moves to another procedure
            return (*self.readonly_fields, "procedure")
        return self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A published or retired version is read-only: Django then shows the page with
        every field and row read-only and no save button, and refuses a POST."""
        if obj is not None and obj.status != _DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != _DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    # -- writes through the services

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        saved = procedure_version_save(version=obj, actor=_actor(request), now=now())
        obj.pk, obj.number, obj.status = saved.pk, saved.number, saved.status

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        actor = _actor(request)
        for part in formset.deleted_objects:
            version_part_delete(part=part, actor=actor, now=now())
        for part in instances:
            version_part_save(part=part, actor=actor, now=now())

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        version = form.instance
        for p in validate(version, require_complete=False):
            self.message_user(request, _problem_text(p), messages.WARNING)

    def delete_model(self, request: HttpRequest, obj: ProcedureVersion) -> None:
        self._call(request, procedure_version_delete, version=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset:
            self._call(request, procedure_version_delete, version=version)

    # -- the page

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        version = self.get_object(request, object_id)
        if version is not None:
            extra["time_fit"] = time_fit_context(version)
            extra["is_draft"] = version.status == _DRAFT
            extra["new_draft_url"] = reverse(
                "admin:catalog_procedureversion_new_draft", args=[version.pk]
            )
            extra["publish_url"] = reverse(
                "admin:catalog_procedureversion_publish", args=[version.pk]
            )
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/new-draft/",
                self.admin_site.admin_view(self.new_draft_view),
                name="catalog_procedureversion_new_draft",
            ),
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="catalog_procedureversion_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST: publish this draft (the same checks as the action), then its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(ProcedureVersion, pk=pk)
        if self.has_change_permission(request, version):
            self.publish(request, ProcedureVersion.objects.filter(pk=pk))
        return HttpResponseRedirect(reverse("admin:catalog_procedureversion_change", args=[pk]))

    def new_draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST: a new draft copying this version, then its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:catalog_procedureversion_change", args=[pk]))
        draft = _create_draft(self, request, procedure=version.procedure, source=version)
        target = draft.pk if draft is not None else pk
        return HttpResponseRedirect(reverse("admin:catalog_procedureversion_change", args=[target]))

    # -- actions

    @admin.action(description=_("Công bố các phiên bản dự thảo đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        actor = _actor(request)
        for version in queryset.select_related("procedure"):
            label = f"{version.procedure.code} v{version.number}"
            try:
                procedure_version_publish(version=version, actor=actor, now=now())
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

    @admin.action(description=_("Tạo phiên bản dự thảo mới từ phiên bản đã chọn"))
    def new_draft_from(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset.select_related("procedure"):
            _create_draft(self, request, procedure=version.procedure, source=version)
