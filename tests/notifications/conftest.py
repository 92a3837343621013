"""Notification tests: the dossier world, the sandbox SMS provider, the outbox quick to retry."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dossiers import helpers

calendar = helpers.calendar
world = helpers.world
_fresh_clock_cache = helpers._fresh_clock_cache


@pytest.fixture(autouse=True)
def _sandbox_sms(settings: Any) -> None:
    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]
    settings.MOTCUA_LOOKUP_URL = "https://dichvucong.hanoi.gov.vn/tra-cuu"


@pytest.fixture
def not_eager() -> Any:
    """Celery publishes for real (the test settings run tasks eagerly)."""
    from motcua.core.tasks import deliver_outbox

    conf = deliver_outbox.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    yield
    conf.task_always_eager = eager
