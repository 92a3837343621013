from django.contrib import admin

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Read-only: a record is the proof a request was handled; editing it would break replay."""

    list_display = ("key", "principal", "operation", "response_status", "created_at")
    list_filter = ("operation", "response_status")
    search_fields = ("key", "principal__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
