from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from motcua.core import outbox
from motcua.core.clock import VN_TZ
from motcua.core.models import OutboxMessage

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(outbox, "_HANDLERS", {"test.topic": [seen.append]})
    return seen


@pytest.mark.django_db(transaction=True)
def test_message_is_delivered_only_after_commit(received: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        outbox.outbox_enqueue(topic="test.topic", payload={"n": 1}, now=NOW)
        assert received == []
    assert received == [{"n": 1}]
    assert OutboxMessage.objects.get().delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_message(received: list[dict[str, Any]]) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            outbox.outbox_enqueue(topic="test.topic", payload={"n": 2}, now=NOW)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert received == []
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox.outbox_enqueue(topic="test.topic", payload={}, now=NOW)


@pytest.mark.django_db(transaction=True)
def test_failing_handler_keeps_the_message_for_a_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def flaky(payload: dict[str, Any]) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("SMS gateway down")

    monkeypatch.setattr(outbox, "_HANDLERS", {"test.topic": [flaky]})
    with transaction.atomic():
        outbox.outbox_enqueue(topic="test.topic", payload={"n": 3}, now=NOW)
    message = OutboxMessage.objects.get()
    assert message.delivered_at is None
    assert message.attempts == 1
    assert "SMS gateway down" in message.last_error
    retry_at = message.available_at
    # Not before the back-off has passed ...
    assert outbox.outbox_deliver_pending(now=retry_at - dt.timedelta(seconds=1)) == 0
    # ... then delivered once.
    assert outbox.outbox_deliver_pending(now=retry_at) == 1
    message.refresh_from_db()
    assert message.delivered_at == retry_at
    assert message.attempts == 2
    assert outbox.outbox_deliver_pending(now=retry_at + dt.timedelta(hours=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_the_message_is_handed_to_celery(
    received: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from motcua.core import tasks

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    queued: list[int] = []
    monkeypatch.setattr(tasks.deliver_outbox, "delay", lambda: queued.append(1))
    with transaction.atomic():
        outbox.outbox_enqueue(topic="test.topic", payload={"n": 4}, now=NOW)
    assert queued == [1]
    assert received == []  # the worker delivers it, not the request
    assert OutboxMessage.objects.get().delivered_at is None


@pytest.mark.django_db(transaction=True)
def test_when_the_broker_is_down_the_message_is_delivered_in_process(
    received: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from motcua.core import tasks

    def broker_down() -> None:
        raise ConnectionRefusedError("redis is down")

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    monkeypatch.setattr(tasks.deliver_outbox, "delay", broker_down)
    with transaction.atomic():
        outbox.outbox_enqueue(topic="test.topic", payload={"n": 5}, now=NOW)
    assert received == [{"n": 5}]
    assert OutboxMessage.objects.get().delivered_at is not None
