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


class _FakeTimer:
    """Stands for threading.Timer: fired by the test, not by time."""

    armed: list[_FakeTimer] = []

    def __init__(self, interval: float, function: Any) -> None:
        self.interval, self.function, self.daemon = interval, function, False
        self.cancelled = False

    def start(self) -> None:
        _FakeTimer.armed.append(self)

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        _FakeTimer.armed.remove(self)
        self.function()


@pytest.fixture
def handoff(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Any:
    """A broker, `delay()` counted, a clock and the trailing timer under the test's control."""
    from motcua.core import tasks

    class State:
        sent: list[float] = []
        clock = 1000.0

        def commit(self) -> None:
            with transaction.atomic():
                outbox.outbox_enqueue(topic="test.topic", payload={}, now=NOW)

    state = State()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 200
    monkeypatch.setattr(tasks.deliver_outbox, "delay", lambda: state.sent.append(state.clock))
    monkeypatch.setattr(outbox.time, "monotonic", lambda: state.clock)
    monkeypatch.setattr(outbox.threading, "Timer", _FakeTimer)
    _FakeTimer.armed = []
    outbox.outbox_handoff_reset()
    yield state
    outbox.outbox_handoff_reset()


@pytest.mark.django_db(transaction=True)
def test_commits_within_the_window_share_one_handoff_and_one_trailing_send(
    received: list[dict[str, Any]], handoff: Any
) -> None:
    handoff.commit()
    handoff.clock += 0.05
    handoff.commit()  # within 200 ms: no delay(), a trailing send is armed
    handoff.clock += 0.05
    handoff.commit()  # rides on the armed trailing send
    assert handoff.sent == [1000.0]
    assert len(_FakeTimer.armed) == 1
    assert _FakeTimer.armed[0].interval == pytest.approx(0.15)  # at the end of the window
    assert _FakeTimer.armed[0].daemon

    handoff.clock = 1000.2
    _FakeTimer.armed[0].fire()  # after those commits: its task sees their rows
    assert handoff.sent == [1000.0, 1000.2]
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_commit_after_the_window_hands_off_again(
    received: list[dict[str, Any]], handoff: Any
) -> None:
    handoff.commit()
    handoff.clock += 0.2
    handoff.commit()
    handoff.clock += 0.5
    handoff.commit()
    assert handoff.sent == [1000.0, 1000.2, 1000.7]
    assert _FakeTimer.armed == []


@pytest.mark.django_db(transaction=True)
def test_a_zero_window_hands_off_every_commit(
    received: list[dict[str, Any]], handoff: Any, settings: Any
) -> None:
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 0
    handoff.commit()
    handoff.commit()
    assert handoff.sent == [1000.0, 1000.0]


@pytest.mark.django_db(transaction=True)
def test_the_beat_interval_bounds_the_worst_case(settings: Any) -> None:
    """A hand-off lost with its process is caught up by the beat job, often."""
    job = settings.CELERY_BEAT_SCHEDULE["deliver-outbox"]
    assert job["schedule"] <= 10


@pytest.mark.django_db(transaction=True)
def test_a_drain_delivers_everything_pending_not_only_one_batch(
    received: list[dict[str, Any]],
) -> None:
    OutboxMessage.objects.bulk_create(
        OutboxMessage(topic="test.topic", payload={"n": n}, created_at=NOW, available_at=NOW)
        for n in range(250)
    )

    assert outbox.outbox_deliver_pending(now=NOW) == 250

    assert len(received) == 250
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_drain_with_failures_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed rows move past `now`: the loop never claims them again."""

    def down(payload: dict[str, Any]) -> None:
        raise ConnectionError("down")

    monkeypatch.setattr(outbox, "_HANDLERS", {"test.topic": [down]})
    OutboxMessage.objects.bulk_create(
        OutboxMessage(topic="test.topic", payload={}, created_at=NOW, available_at=NOW)
        for _ in range(150)
    )

    assert outbox.outbox_deliver_pending(now=NOW, batch=100) == 0
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_drains_everything(received: list[dict[str, Any]]) -> None:
    from motcua.core.tasks import deliver_outbox

    OutboxMessage.objects.bulk_create(
        OutboxMessage(topic="test.topic", payload={}, created_at=NOW, available_at=NOW)
        for _ in range(120)
    )
    assert deliver_outbox() == 120


@pytest.mark.django_db(transaction=True)
def test_a_trailing_send_refused_by_the_broker_delivers_in_process(
    received: list[dict[str, Any]], handoff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.core import tasks

    handoff.commit()
    handoff.clock += 0.05
    handoff.commit()

    def broker_down() -> None:
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.deliver_outbox, "delay", broker_down)
    _FakeTimer.armed[0].fire()

    assert len(received) == 2
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
