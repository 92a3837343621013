from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import now
from motcua.core.generation_cache import InvalidatingAdminMixin

from .models import RoleAssignment, ServicePoint, Unit
from .selectors import units_cache_invalidate
from .services import role_assign, role_revoke


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0
    fields = ("code", "name", "address", "is_active")


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


@admin.register(Unit)
class UnitAdmin(InvalidatingAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "province_code", "is_active")
    list_filter = ("province_code", "level", "kind", "is_active")
    search_fields = ("code", "name", "division_code")
    autocomplete_fields = ("parent",)
    inlines = [ServicePointInline, RoleAssignmentInline]
    list_per_page = 50

    def invalidate_cache(self) -> None:
        units_cache_invalidate()  # a unit renamed or deactivated here is seen at once


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "is_active")
    list_filter = ("is_active", "unit__province_code")
    search_fields = ("code", "name", "unit__name")
    autocomplete_fields = ("unit",)


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
