from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Read-only: a record is the proof a request was handled; editing it would break replay."""

    list_display = ("key", "principal", "operation", "response_status", "created_at")
    list_filter = ("operation", "response_status")
    search_fields = ("key", "principal__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: IdempotencyRecord | None = None
    ) -> bool:
        return False
