"""Feedback in the admin: read-only (every change goes through `motcua.feedback.services`
from the workspace). The sender's name and contact are left out: staff read them in the
workspace, where the read is logged."""

from __future__ import annotations

from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin

from .models import Feedback, FeedbackEvent

SHOWN = (
    "code",
    "status",
    "category",
    "subject",
    "dossier_code",
    "place",
    "intake_unit",
    "unit",
    "received_at",
    "due_at",
    "answered_at",
    "published_at",
    "is_public",
    "reminder_sent_at",
)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("code", "subject", "status", "category", "unit", "due_at")
    list_filter = ("status", "category")
    search_fields = ("code",)
    fields = SHOWN
    readonly_fields = SHOWN
    list_select_related = ("unit",)


@admin.register(FeedbackEvent)
class FeedbackEventAdmin(ReadOnlyAdmin):
    list_display = ("feedback", "kind", "actor", "at")
    list_filter = ("kind",)
    search_fields = ("feedback__code",)
    list_select_related = ("feedback", "actor")
