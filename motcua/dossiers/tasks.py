"""Periodic work, scheduled by Celery beat (`CELERY_BEAT_SCHEDULE` in settings)."""

from __future__ import annotations

from celery import shared_task

from motcua.core.clock import now

from .services import (
    dossier_close_unsupplemented,
    dossier_reception_alerts,
    procedure_use_refresh,
)
from .services.receipts import dossier_receipts_issue_missing


@shared_task(name="motcua.dossiers.reception_alerts")
def reception_alerts() -> int:
    return len(dossier_reception_alerts(now=now()))


@shared_task(name="motcua.dossiers.close_unsupplemented")
def close_unsupplemented() -> int:
    return len(dossier_close_unsupplemented(now=now()))


@shared_task(name="motcua.dossiers.refresh_procedure_use")
def refresh_procedure_use() -> int:
    return procedure_use_refresh(now=now())


@shared_task(name="motcua.dossiers.receipts_issue_missing")
def receipts_issue_missing() -> int:
    return dossier_receipts_issue_missing(now=now())
