"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _worker_process_started(**_kwargs: Any) -> None:
    """A worker process has Django and the apps loaded: out of the collector's passes
    (docs/adr/0034)."""
    from motcua.core.runtime import process_started

    process_started()
