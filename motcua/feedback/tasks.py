"""Periodic work, scheduled by Celery beat (`CELERY_BEAT_SCHEDULE` in settings)."""

from __future__ import annotations

from celery import shared_task

from motcua.core.clock import now

from .services import feedback_reminders_send


@shared_task(name="motcua.feedback.reminders_send")
def reminders_send() -> int:
    return feedback_reminders_send(now=now()).feedback
