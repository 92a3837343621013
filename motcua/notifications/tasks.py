"""Periodic work of notifications, scheduled by Celery beat (`CELERY_BEAT_SCHEDULE`)."""

from __future__ import annotations

from celery import shared_task

from motcua.core.clock import now

from .webhook_secrets import webhook_previous_secrets_erase


@shared_task(name="motcua.notifications.webhook_secrets_erase")
def webhook_secrets_erase() -> int:
    return webhook_previous_secrets_erase(now=now())
