from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, DataAccessLog, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only tables: visible, never edited or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "topic", "created_at", "delivered_at", "attempts")
    list_filter = ("topic",)
    search_fields = ("topic",)


@admin.register(DataAccessLog)
class DataAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "subject_type", "subject_id", "purpose", "channel")
    list_filter = ("subject_type", "purpose", "channel")
    search_fields = ("subject_id", "actor__username")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action", "actor__username")
    date_hierarchy = "at"
