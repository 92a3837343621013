from __future__ import annotations

from django.conf import settings

from motcua.core.tasks import deliver_outbox


def test_tasks_use_the_project_celery_app_configured_from_django_settings() -> None:
    assert deliver_outbox.app.main == "motcua"
    assert deliver_outbox.app.conf.timezone == settings.TIME_ZONE
    assert deliver_outbox.name == "motcua.core.deliver_outbox"


def test_every_scheduled_job_names_a_registered_task() -> None:
    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "motcua.core.deliver_outbox",
        "motcua.dossiers.reception_alerts",
        "motcua.dossiers.close_unsupplemented",
        "motcua.api.purge_idempotency",
        "motcua.documents.purge_orphan_files",
        "motcua.dossiers.refresh_procedure_use",
        "motcua.dossiers.receipts_issue_missing",
        "motcua.feedback.reminders_send",
        "motcua.notifications.webhook_secrets_erase",
    }
    assert scheduled <= set(app.tasks)
