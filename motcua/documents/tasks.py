"""Periodic work of the documents app, scheduled by Celery beat (`CELERY_BEAT_SCHEDULE`)."""

from __future__ import annotations

from celery import shared_task

from motcua.core.clock import now

from .services import stored_orphans_delete


@shared_task(name="motcua.documents.purge_orphan_files")
def purge_orphan_files() -> int:
    return len(stored_orphans_delete(now=now()))
