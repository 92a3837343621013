"""Concurrent drainers on PostgreSQL: SKIP LOCKED claims and leases give every delivery to one
worker, once, and keep each dossier's order across workers."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections

from motcua.core import outbox
from motcua.core.clock import VN_TZ
from motcua.core.models import OutboxDelivery, OutboxMessage
from motcua.core.outbox import OutboxEnvelope, outbox_deliver_pending, outbox_subscribe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (run with DATABASE_URL=postgres://…): SQLite serialises "
            "writers with BEGIN IMMEDIATE, there is no concurrent claim to test"
        )


def test_four_workers_deliver_each_delivery_once_and_each_dossier_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()

    def handler(envelope: OutboxEnvelope) -> None:
        time.sleep(0.001)
        with lock:
            seen.append((envelope.key, envelope.message_id))

    outbox_subscribe(name="sms", topics="dossier.*", handler=handler)
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(topic="dossier.submit", key=f"D{n % 10}", payload={}, created_at=NOW)
        for n in range(200)
    )
    OutboxDelivery.objects.bulk_create(
        OutboxDelivery(message=m, subscriber="sms", key=m.key, available_at=NOW) for m in messages
    )
    totals: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            totals.append(outbox_deliver_pending(now=NOW, batch=7))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(totals) == 200
    assert sorted(m for _key, m in seen) == sorted(m.pk for m in messages)  # each once
    for key in {m.key for m in messages}:
        chain = [m for k, m in seen if k == key]
        assert chain == sorted(chain), key  # handed over in message order
    assert set(OutboxDelivery.objects.values_list("status", flat=True)) == {"delivered"}
