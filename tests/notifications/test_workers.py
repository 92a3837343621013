"""Workers: with the broker down nothing is lost (the beat job / `deliver_outbox` catches
up); with a live Redis broker a real `celery -A config worker` delivers; without a broker
the committing process delivers (embedded)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.core import outbox
from motcua.core.models import OutboxDelivery
from motcua.core.tasks import deliver_outbox
from motcua.dossiers.services import dossier_receive
from motcua.notifications.handlers import SUBSCRIBERS
from motcua.notifications.models import NotificationDelivery, SandboxSms
from tests.dossiers.helpers import MON, submitted

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def test_the_embedded_mode_delivers_every_notification_subscriber(world: Any) -> None:
    assert set(SUBSCRIBERS) <= set(outbox.outbox_subscribers("dossier.receive"))
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    assert set(OutboxDelivery.objects.values_list("subscriber", "status")) == {
        ("notifications.sms", "delivered"),
        ("notifications.email", "delivered"),
        ("notifications.inapp", "delivered"),
        ("notifications.webhooks", "delivered"),
    }


def test_a_broker_that_is_down_delays_the_messages_and_loses_none(
    world: Any, settings: Any, not_eager: None
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6390/0"  # nothing listens there
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 0
    outbox.outbox_handoff_reset()

    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)

    assert dossier.status == 2  # the change is committed, the hand-off failed quietly
    assert OutboxDelivery.objects.filter(status="pending").count() == 4
    assert not SandboxSms.objects.exists()

    deliver_outbox.run()  # what the beat job ("deliver-outbox", every 10 s) runs

    assert SandboxSms.objects.get().text.startswith(f"Ho so {dossier.code} ")
    assert OutboxDelivery.objects.filter(status="delivered").count() == 4
    outbox.outbox_handoff_reset()


def test_deliver_outbox_loop_is_a_worker_without_celery(
    world: Any, settings: Any, not_eager: None
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6390/0"
    outbox.outbox_handoff_reset()
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    assert NotificationDelivery.objects.count() == 0

    call_command("deliver_outbox", "--loop", "--interval=0.05", "--exit-when-idle=0.2")

    assert NotificationDelivery.objects.filter(status="sent").count() == 3
    outbox.outbox_handoff_reset()


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/8").ping())
    except Exception:
        return False


def test_a_celery_worker_on_redis_delivers_the_notifications(
    world: Any, settings: Any, not_eager: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL=postgres://…): the worker process must share the "
            "test database, and SQLite's test database is in memory"
        )
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    broker = "redis://127.0.0.1:6379/8"
    settings.CELERY_BROKER_URL = broker
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 0
    outbox.outbox_handoff_reset()
    env = _worker_env(broker=broker)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--concurrency=1", "--loglevel=WARNING", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        time.sleep(4)  # the worker connects
        dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and NotificationDelivery.objects.filter(status="sent").count() < 3
        ):
            time.sleep(0.2)
        assert NotificationDelivery.objects.filter(status="sent").count() == 3
        assert SandboxSms.objects.count() == 1
    finally:
        worker.kill()
        worker.wait(timeout=10)
        outbox.outbox_handoff_reset()


def _worker_env(**extra: str) -> dict[str, str]:
    settings_dict = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=(
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        ),
        MOTCUA_SMS_PROVIDERS="sandbox",
        CELERY_BROKER_URL=extra.get("broker", ""),
    )
    return env
