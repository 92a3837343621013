from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.core.errors import DomainError

from .models import RoleAssignment, ServicePoint, Unit
from .services import (
    role_assign,
    role_revoke,
    service_point_delete,
    service_point_in_use,
    service_point_save,
    unit_delete,
    unit_in_use,
    unit_parent_cycle,
    unit_save,
)


def _actor(request: HttpRequest) -> User | None:
    return cast(User, request.user) if request.user.is_authenticated else None


class _ServiceCalls:
    """Admin writes through the services; a refusal is shown as an error message."""

    def _call(self, request: HttpRequest, call: Any, **kwargs: Any) -> bool:
        try:
            call(actor=_actor(request), now=now(), **kwargs)
        except DomainError as exc:
            cast(admin.ModelAdmin, self).message_user(request, exc.render(), messages.ERROR)
            return False
        return True


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0
    fields = ("code", "name", "address", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a service point is deleted on its own page, when nothing uses it


class RoleAssignmentInline(admin.TabularInline):
    """Shown on the unit for reading; assignments are changed in their own page so that every
    change goes through `role_assign` / `role_revoke` and leaves an audit event."""

    model = RoleAssignment
    extra = 0
    fields = ("user", "role", "covers_subunits", "service_point")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = (
            "code",
            "name",
            "kind",
            "level",
            "parent",
            "is_active",
            "province_code",
            "division_code",
            "agency_code",
            "address",
            "phone",
            "email",
        )

    def clean_parent(self) -> Unit | None:
        parent: Unit | None = self.cleaned_data.get("parent")
        if unit_parent_cycle(unit=self.instance, parent=parent):
            raise forms.ValidationError(
                _("Đơn vị cấp trên không thể là chính đơn vị này hoặc đơn vị trực thuộc nó.")
            )
        return parent


@admin.register(Unit)
class UnitAdmin(_ServiceCalls, admin.ModelAdmin):
    form = UnitForm
    list_display = (
        "code",
        "name",
        "kind",
        "level",
        "parent",
        "province_code",
        "agency_code",
        "is_active",
    )
    list_filter = ("province_code", "level", "kind", "is_active")
    search_fields = ("code", "name", "division_code", "agency_code")
    autocomplete_fields = ("parent",)
    inlines = [ServicePointInline, RoleAssignmentInline]
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "level", "parent", "is_active")}),
        (
            _("Mã"),
            {"fields": ("province_code", "division_code", "agency_code")},
        ),
        (_("Liên hệ"), {"fields": ("address", "phone", "email")}),
    )

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        unit_save(unit=obj, actor=_actor(request), now=now())

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for point in formset.save(commit=False):
            service_point_save(service_point=point, actor=_actor(request), now=now())

    def has_delete_permission(self, request: HttpRequest, obj: Unit | None = None) -> bool:
        if obj is not None and unit_in_use(obj):
            return False  # deactivate it instead
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Unit) -> None:
        self._call(request, unit_delete, unit=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Unit]) -> None:
        for unit in queryset:
            self._call(request, unit_delete, unit=unit)


@admin.register(ServicePoint)
class ServicePointAdmin(_ServiceCalls, admin.ModelAdmin):
    list_display = ("code", "name", "unit", "is_active")
    list_filter = ("is_active", "unit__province_code")
    search_fields = ("code", "name", "unit__name")
    autocomplete_fields = ("unit",)

    def save_model(self, request: HttpRequest, obj: ServicePoint, form: Any, change: bool) -> None:
        service_point_save(service_point=obj, actor=_actor(request), now=now())

    def has_delete_permission(self, request: HttpRequest, obj: ServicePoint | None = None) -> bool:
        if obj is not None and service_point_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: ServicePoint) -> None:
        self._call(request, service_point_delete, service_point=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ServicePoint]) -> None:
        for point in queryset:
            self._call(request, service_point_delete, service_point=point)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "unit", "role", "covers_subunits", "service_point")

    def clean_user(self) -> User:
        user: User = self.cleaned_data["user"]
        if user.kind in (User.Kind.CITIZEN, User.Kind.ORGANISATION):
            raise forms.ValidationError(_("Tài khoản công dân không thể được phân vai trò cán bộ."))
        return user


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "unit", "covers_subunits", "service_point")
    list_filter = ("role", "covers_subunits", "unit__level")
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit", "service_point")

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        if change:  # a changed user, unit or role is a revocation and a new assignment
            original = RoleAssignment.objects.get(pk=obj.pk)
            if (original.user_id, original.unit_id, original.role) != (
                obj.user_id,
                obj.unit_id,
                obj.role,
            ):
                role_revoke(assignment=original, now=now(), actor=cast(User, request.user))
        saved = role_assign(
            user=obj.user,
            unit=obj.unit,
            role=obj.role,
            covers_subunits=obj.covers_subunits,
            service_point=obj.service_point,
            now=now(),
            actor=cast(User, request.user),
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        role_revoke(assignment=obj, now=now(), actor=cast(User, request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset:
            role_revoke(assignment=assignment, now=now(), actor=cast(User, request.user))
