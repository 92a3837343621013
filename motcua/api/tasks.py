"""Periodic work of the API, scheduled by Celery beat (`CELERY_BEAT_SCHEDULE` in settings)."""

from __future__ import annotations

from celery import shared_task

from motcua.core.clock import now

from .idempotency import idempotency_purge


@shared_task(name="motcua.api.purge_idempotency")
def purge_idempotency() -> int:
    return idempotency_purge(now=now())
