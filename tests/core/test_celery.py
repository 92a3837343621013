from __future__ import annotations

from django.conf import settings

from motcua.core.tasks import deliver_outbox


def test_tasks_use_the_project_celery_app_configured_from_django_settings() -> None:
    assert deliver_outbox.app.main == "motcua"
    assert deliver_outbox.app.conf.timezone == settings.TIME_ZONE
    assert deliver_outbox.name == "motcua.core.deliver_outbox"
