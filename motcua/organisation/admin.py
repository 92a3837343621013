from __future__ import annotations

from django.contrib import admin

from .models import RoleAssignment, ServicePoint, Unit


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0
    fields = ("code", "name", "address", "is_active")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "covers_subunits", "service_point")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "province_code", "is_active")
    list_filter = ("province_code", "level", "kind", "is_active")
    search_fields = ("code", "name", "division_code")
    autocomplete_fields = ("parent",)
    inlines = [ServicePointInline, RoleAssignmentInline]
    list_per_page = 50


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "is_active")
    list_filter = ("is_active", "unit__province_code")
    search_fields = ("code", "name", "unit__name")
    autocomplete_fields = ("unit",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "covers_subunits", "service_point")
    list_filter = ("role", "covers_subunits", "unit__level")
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit", "service_point")
