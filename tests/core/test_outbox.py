"""The outbox: one delivery per subscriber, after commit, retried with backoff, in order per
dossier, dead-lettered, idempotent keys, crash-safe claims and a broker that fails fast."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction

from motcua.core import outbox
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict
from motcua.core.models import AuditEvent, OutboxDelivery, OutboxMessage
from motcua.core.outbox import (
    OutboxEnvelope,
    outbox_counts,
    outbox_deliver_pending,
    outbox_delivery_retry,
    outbox_enqueue,
    outbox_message_route,
    outbox_retry_delay,
    outbox_subscribe,
    outbox_subscribers,
    outbox_unsubscribe,
)
from tests.factories import StaffFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
SECOND = dt.timedelta(seconds=1)

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Recorder:
    """A subscriber that records what it was given; `fail` decides per envelope."""

    name: str
    seen: list[OutboxEnvelope] = field(default_factory=list)
    fail: Callable[[OutboxEnvelope], BaseException | None] = lambda envelope: None
    in_transaction: list[bool] = field(default_factory=list)

    def __call__(self, envelope: OutboxEnvelope) -> None:
        self.seen.append(envelope)
        self.in_transaction.append(connection.in_atomic_block)
        error = self.fail(envelope)
        if error is not None:
            raise error

    @property
    def messages(self) -> list[int]:
        return [envelope.message_id for envelope in self.seen]


@pytest.fixture(autouse=True)
def subscribers(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Any:
    """An empty registry, small retry settings; `subscribers.add(name, topics)` registers a
    Recorder."""
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 3
    settings.MOTCUA_OUTBOX_RETRY_BASE_S = 10
    settings.MOTCUA_OUTBOX_RETRY_MAX_S = 100
    settings.MOTCUA_OUTBOX_LEASE_S = 60

    class Registry:
        def add(self, name: str, topics: str | list[str] = "test.*") -> Recorder:
            recorder = Recorder(name)
            outbox_subscribe(name=name, topics=topics, handler=recorder)
            return recorder

    return Registry()


@pytest.fixture
def manual(monkeypatch: pytest.MonkeyPatch) -> None:
    """No delivery after commit: the test drives `outbox_deliver_pending` with its own `now`."""
    monkeypatch.setattr(outbox, "_schedule_delivery", lambda: None)


def enqueue(topic: str = "test.topic", payload: dict[str, Any] | None = None, **kw: Any) -> Any:
    with transaction.atomic():
        return outbox_enqueue(topic=topic, payload=payload or {}, now=NOW, **kw)


def delivery(message: OutboxMessage, subscriber: str) -> OutboxDelivery:
    return OutboxDelivery.objects.get(message=message, subscriber=subscriber)


def down(envelope: OutboxEnvelope) -> BaseException:
    return ConnectionError("gateway down")


# --- after commit, never inside a transaction ---------------------------------------------


def test_a_message_is_delivered_after_commit_outside_any_transaction(subscribers: Any) -> None:
    sms = subscribers.add("sms")

    with transaction.atomic():
        message = outbox_enqueue(topic="test.topic", payload={"n": 1}, now=NOW)
        assert sms.seen == []

    assert [e.payload for e in sms.seen] == [{"n": 1}]
    assert sms.in_transaction == [False]
    row = delivery(message, "sms")
    assert (row.status, row.attempts, row.locked_until, row.lease_token) == (
        "delivered",
        1,
        None,
        "",
    )
    assert message.status == "routed"


def test_a_rolled_back_change_leaves_no_message_and_no_delivery(subscribers: Any) -> None:
    sms = subscribers.add("sms")

    def change_that_fails() -> None:
        with transaction.atomic():
            outbox_enqueue(topic="test.topic", payload={"n": 2}, now=NOW)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert sms.seen == []
    assert (OutboxMessage.objects.count(), OutboxDelivery.objects.count()) == (0, 0)


def _enqueue_in_a_savepoint_that_fails() -> None:
    try:
        with transaction.atomic():
            outbox_enqueue(topic="test.topic", payload={}, now=NOW)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass


def test_a_transaction_with_many_messages_hands_off_once(
    subscribers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscribers.add("sms")
    calls: list[int] = []
    monkeypatch.setattr(outbox, "_schedule_delivery", lambda: calls.append(1))

    with transaction.atomic():
        outbox_enqueue(topic="test.topic", payload={}, now=NOW)
        _enqueue_in_a_savepoint_that_fails()
        outbox_enqueue(topic="test.topic", payload={}, now=NOW)
    assert calls == [1]

    with transaction.atomic():
        _enqueue_in_a_savepoint_that_fails()  # its callback goes with it ...
        outbox_enqueue(topic="test.topic", payload={}, now=NOW)  # ... so this one registers
    assert calls == [1, 1]
    assert OutboxMessage.objects.count() == 3


def test_enqueue_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox_enqueue(topic="test.topic", payload={}, now=NOW)
    assert not OutboxMessage.objects.exists()


def test_delivering_inside_a_transaction_is_refused(subscribers: Any, manual: None) -> None:
    sms = subscribers.add("sms")
    message = enqueue()

    with pytest.raises(RuntimeError, match="outside a transaction"), transaction.atomic():
        outbox_deliver_pending(now=NOW)

    assert sms.seen == []
    assert delivery(message, "sms").status == "pending"


# --- subscribers --------------------------------------------------------------------------


def test_each_subscriber_of_the_topic_gets_its_own_delivery(subscribers: Any) -> None:
    subscribers.add("sms", ["dossier.*"])
    subscribers.add("webhook", ["dossier.submit", "catalog.*"])
    subscribers.add("all", "*")

    assert outbox_subscribers("dossier.submit") == ["all", "sms", "webhook"]
    assert outbox_subscribers("dossier.receive") == ["all", "sms"]
    assert outbox_subscribers("catalog.imported") == ["all", "webhook"]
    assert outbox_subscribers("dossiers.submit") == ["all"]  # a prefix is a whole segment
    assert outbox_subscribers("dossier") == ["all"]


def test_a_topic_s_subscribers_follow_every_registration_and_a_swapped_registry(
    subscribers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names per topic are kept between messages (every change costs a lookup), never
    past a change of the subscribers."""
    subscribers.add("sms", ["dossier.*"])
    assert outbox_subscribers("dossier.receive") == ["sms"]
    subscribers.add("webhook", ["dossier.receive"])
    assert outbox_subscribers("dossier.receive") == ["sms", "webhook"]
    outbox_unsubscribe(name="sms")
    assert outbox_subscribers("dossier.receive") == ["webhook"]
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})  # as a test's fixture swaps it
    assert outbox_subscribers("dossier.receive") == []
    subscribers.add("inapp", "*")
    assert outbox_subscribers("dossier.receive") == ["inapp"]


@pytest.mark.parametrize("name", ["", "has space", "x" * 101])
def test_a_subscriber_needs_a_stable_name(name: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="name"):
        outbox_subscribe(name=name, topics="test.*", handler=lambda e: None)
    assert outbox_subscribers() == []


@pytest.mark.parametrize("topics", [[], ["dossier*"], ["*.submit"], [".*"], ["a b"]])
def test_topic_patterns_are_exact_prefix_or_everything(topics: list[str]) -> None:
    with pytest.raises(ImproperlyConfigured):
        outbox_subscribe(name="sms", topics=topics, handler=lambda e: None)
    assert outbox_subscribers() == []


def test_registering_twice_is_a_no_op_but_a_taken_name_is_refused() -> None:
    def handler(envelope: OutboxEnvelope) -> None: ...

    outbox_subscribe(name="sms", topics=["dossier.*"], handler=handler)
    outbox_subscribe(name="sms", topics=["dossier.*"], handler=handler)  # ready() run again
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        outbox_subscribe(name="sms", topics=["dossier.*"], handler=lambda e: None)
    assert outbox_subscribers() == ["sms"]


def test_two_subscribers_one_failing_the_other_is_never_replayed(
    subscribers: Any, manual: None
) -> None:
    sms = subscribers.add("sms")
    webhook = subscribers.add("webhook")
    webhook.fail = down
    message = enqueue(payload={"code": "X"})

    assert outbox_deliver_pending(now=NOW) == 1
    for _attempt in range(2):  # the webhook's retries, each when due
        due = delivery(message, "webhook").available_at
        assert outbox_deliver_pending(now=due) == 0

    assert sms.messages == [message.pk]  # exactly once
    assert webhook.messages == [message.pk] * 3
    assert delivery(message, "sms").status == "delivered"
    dead = delivery(message, "webhook")
    assert (dead.status, dead.attempts, dead.last_error) == (
        "dead",
        3,
        "ConnectionError: gateway down",
    )
    assert outbox_counts() == {"pending": 0, "delivered": 1, "dead": 1, "unrouted": 0}


def test_the_subscriber_receives_the_idempotency_key_on_every_attempt(
    subscribers: Any, manual: None
) -> None:
    sms = subscribers.add("sms", "dossier.*")
    sms.fail = lambda envelope: down(envelope) if envelope.attempt == 1 else None
    message = enqueue("dossier.submit", {"code": "00070-260302-0001", "version": 1})

    outbox_deliver_pending(now=NOW)
    outbox_deliver_pending(now=delivery(message, "sms").available_at)

    first, second = sms.seen
    assert first == OutboxEnvelope(
        message_id=message.pk,
        topic="dossier.submit",
        key="00070-260302-0001",
        schema=1,
        payload={"code": "00070-260302-0001", "version": 1},
        created_at=NOW,
        subscriber="sms",
        idempotency_key=f"{message.pk}:sms",
        attempt=1,
    )
    assert (second.idempotency_key, second.attempt) == (f"{message.pk}:sms", 2)


def test_the_ordering_key_defaults_to_the_dossier_code_for_dossier_topics() -> None:
    dossier = enqueue("dossier.submit", {"code": "00070-260302-0001"})
    catalog = enqueue("catalog.imported", {"code": "not a key"})
    explicit = enqueue("test.topic", {}, key="K", schema=2)

    assert (dossier.key, catalog.key, (explicit.key, explicit.schema)) == (
        "00070-260302-0001",
        "",
        ("K", 2),
    )


def test_a_change_dated_ahead_of_the_clock_is_due_at_once(subscribers: Any) -> None:
    sms = subscribers.add("sms")
    future = dt.datetime(2099, 1, 1, tzinfo=VN_TZ)

    with transaction.atomic():
        message = outbox_enqueue(topic="test.topic", payload={}, now=future)

    assert sms.messages == [message.pk]
    assert message.created_at == future


# --- retries, backoff, dead letters -------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_within_bounds() -> None:
    # base 10 s, cap 100 s: nominal 10, 20, 40, 80, 100, 100; never less than half of it
    for attempts, nominal in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (6, 100)]:
        delays = [outbox_retry_delay(attempts).total_seconds() for _ in range(200)]
        assert all(nominal / 2 <= d <= nominal for d in delays), attempts
        assert len(set(delays)) > 100  # jittered, not one value


def test_a_failure_waits_for_its_backoff(subscribers: Any, manual: None) -> None:
    sms = subscribers.add("sms")
    sms.fail = lambda envelope: down(envelope) if envelope.attempt == 1 else None
    message = enqueue()

    assert outbox_deliver_pending(now=NOW) == 0
    retry_at = delivery(message, "sms").available_at
    assert NOW + 5 * SECOND <= retry_at <= NOW + 10 * SECOND  # first backoff: 10 s, jittered
    assert outbox_deliver_pending(now=retry_at - SECOND) == 0  # not before
    assert outbox_deliver_pending(now=retry_at) == 1
    row = delivery(message, "sms")
    assert (row.status, row.attempts, row.delivered_at, row.last_error) == (
        "delivered",
        2,
        retry_at,
        "",
    )
    assert outbox_deliver_pending(now=retry_at + dt.timedelta(hours=1)) == 0
    assert len(sms.seen) == 2


def _dead_letter(subscribers: Any) -> tuple[Recorder, OutboxMessage]:
    sms = subscribers.add("sms")
    sms.fail = down
    message = enqueue()
    outbox_deliver_pending(now=NOW)
    for _attempt in range(2):
        outbox_deliver_pending(now=delivery(message, "sms").available_at)
    assert delivery(message, "sms").status == "dead"
    return sms, message


def test_after_the_last_attempt_the_delivery_is_a_dead_letter_and_stays_one(
    subscribers: Any, manual: None
) -> None:
    sms, message = _dead_letter(subscribers)

    assert outbox_deliver_pending(now=NOW + dt.timedelta(days=30)) == 0
    assert len(sms.seen) == 3
    assert delivery(message, "sms").dead_at is not None
    assert outbox_counts()["dead"] == 1


def test_retrying_a_dead_letter_delivers_it_and_leaves_an_audit_event(subscribers: Any) -> None:
    with _manual_delivery():
        sms, message = _dead_letter(subscribers)
    sms.fail = lambda envelope: None
    admin = StaffFactory(username="quantri")
    row = delivery(message, "sms")
    later = NOW + dt.timedelta(days=1)

    assert outbox_delivery_retry(actor=admin, delivery_ids=[row.pk], now=later) == 1

    # delivered after the retry's commit (embedded mode), with a fresh set of attempts
    assert len(sms.seen) == 4
    assert sms.seen[-1].attempt == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.dead_at) == ("delivered", 1, None)
    event = AuditEvent.objects.get(action="outbox.delivery_retry")
    assert (event.actor, event.object_type, event.object_id, event.at) == (
        admin,
        "core.OutboxDelivery",
        str(row.pk),
        later,
    )
    assert event.before == {
        "status": "dead",
        "attempts": 3,
        "last_error": "ConnectionError: gateway down",
    }
    assert event.after == {"status": "pending", "subscriber": "sms"}


def test_retrying_what_is_not_a_dead_letter_is_refused_and_nothing_changes(
    subscribers: Any, manual: None
) -> None:
    _sms, message = _dead_letter(subscribers)
    webhook = subscribers.add("webhook")
    other = enqueue()
    outbox_deliver_pending(now=NOW)
    dead, delivered = delivery(message, "sms"), delivery(other, "webhook")

    with pytest.raises(Conflict) as err:
        outbox_delivery_retry(actor=None, delivery_ids=[dead.pk, delivered.pk], now=NOW)

    assert err.value.code == "outbox_not_dead"
    assert delivery(message, "sms").status == "dead"
    assert delivery(other, "webhook").status == "delivered"
    assert webhook.messages == [other.pk]
    assert not AuditEvent.objects.exists()


# --- unrouted messages --------------------------------------------------------------------


def test_a_message_nobody_subscribed_to_is_unrouted_not_delivered(subscribers: Any) -> None:
    message = enqueue("dossier.submit", {"code": "X"})

    assert message.status == "unrouted"
    assert not OutboxDelivery.objects.exists()
    assert outbox_counts() == {"pending": 0, "delivered": 0, "dead": 0, "unrouted": 1}

    # a subscriber registered later is not replayed the past on its own ...
    sms = subscribers.add("sms", "dossier.*")
    assert outbox_deliver_pending(now=NOW) == 0
    assert sms.seen == []

    # ... an operator routes it, with an audit event, and it is delivered after that commit
    admin = StaffFactory(username="quantri")
    assert outbox_message_route(actor=admin, message_ids=[message.pk], now=NOW) == 1
    assert sms.messages == [message.pk]
    message.refresh_from_db()
    assert message.status == "routed"
    assert delivery(message, "sms").status == "delivered"
    event = AuditEvent.objects.get(action="outbox.message_route")
    assert (event.object_id, event.after) == (
        str(message.pk),
        {"status": "routed", "subscribers": ["sms"]},
    )


def test_routing_with_no_subscriber_or_a_routed_message_is_refused(subscribers: Any) -> None:
    unrouted = enqueue("dossier.submit", {"code": "X"})
    with pytest.raises(Conflict) as err:
        outbox_message_route(actor=None, message_ids=[unrouted.pk], now=NOW)
    assert err.value.code == "outbox_no_subscriber"

    subscribers.add("sms", "catalog.*")
    routed = enqueue("catalog.imported", {})
    with pytest.raises(Conflict) as err:
        outbox_message_route(actor=None, message_ids=[routed.pk], now=NOW)
    assert err.value.code == "outbox_not_unrouted"

    unrouted.refresh_from_db()
    assert unrouted.status == "unrouted"
    assert OutboxDelivery.objects.count() == 1
    assert not AuditEvent.objects.exists()


# --- per-key order ------------------------------------------------------------------------


def test_a_later_message_of_a_dossier_waits_for_the_earlier_one(
    subscribers: Any, manual: None
) -> None:
    sms = subscribers.add("sms", "dossier.*")
    audit = subscribers.add("audit", "dossier.*")
    first = enqueue("dossier.submit", {"code": "X"})
    second = enqueue("dossier.receive", {"code": "X"})
    other = enqueue("dossier.submit", {"code": "Y"})
    sms.fail = lambda envelope: (
        down(envelope) if (envelope.message_id, envelope.attempt) == (first.pk, 1) else None
    )

    outbox_deliver_pending(now=NOW)

    # sms: message 1 failed, so message 2 of X waits; Y is not held up
    assert sms.messages == [first.pk, other.pk]
    assert delivery(second, "sms").attempts == 0
    # the other subscriber's chain is its own: in order, complete
    assert audit.messages == [first.pk, other.pk, second.pk]

    outbox_deliver_pending(now=delivery(first, "sms").available_at)

    assert sms.messages == [first.pk, other.pk, first.pk, second.pk]
    assert {d.status for d in OutboxDelivery.objects.all()} == {"delivered"}


def test_a_dead_letter_leaves_the_chain_and_later_messages_proceed(
    subscribers: Any, manual: None, settings: Any
) -> None:
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 1
    sms = subscribers.add("sms", "dossier.*")
    first = enqueue("dossier.submit", {"code": "X"})
    second = enqueue("dossier.receive", {"code": "X"})
    sms.fail = lambda envelope: down(envelope) if envelope.message_id == first.pk else None

    outbox_deliver_pending(now=NOW)

    assert sms.messages == [first.pk, second.pk]
    assert (delivery(first, "sms").status, delivery(second, "sms").status) == (
        "dead",
        "delivered",
    )


def test_messages_without_a_key_are_not_held_up_by_a_failure(
    subscribers: Any, manual: None
) -> None:
    sms = subscribers.add("sms")
    first, second = enqueue(), enqueue()
    sms.fail = lambda envelope: down(envelope) if envelope.message_id == first.pk else None

    assert outbox_deliver_pending(now=NOW) == 1
    assert sms.messages == [first.pk, second.pk]


# --- crashes ------------------------------------------------------------------------------


@pytest.mark.parametrize("kill", [KeyboardInterrupt, SystemExit])
def test_a_worker_killed_mid_batch_redelivers_only_what_it_had_not_acknowledged(
    subscribers: Any, manual: None, kill: type[BaseException]
) -> None:
    sms = subscribers.add("sms")
    messages = [enqueue(payload={"n": n}) for n in range(5)]
    third = messages[2].pk
    sms.fail = lambda envelope: (
        kill() if envelope.message_id == third and len(sms.seen) == 3 else None
    )

    with pytest.raises(kill):
        outbox_deliver_pending(now=NOW)

    assert [delivery(m, "sms").status for m in messages] == ["delivered"] * 2 + ["pending"] * 3
    assert {delivery(m, "sms").locked_until for m in messages[2:]} == {None}  # released
    assert {delivery(m, "sms").attempts for m in messages[2:]} == {0}  # not counted as failed

    assert outbox_deliver_pending(now=NOW) == 3

    ids = [m.pk for m in messages]
    assert sms.messages == ids[:3] + ids[2:]  # the first two once; from the one in flight on


def test_a_crashed_workers_claims_are_retaken_after_the_lease(
    subscribers: Any, manual: None
) -> None:
    sms = subscribers.add("sms")
    messages = [enqueue() for _ in range(3)]
    token, claimed = outbox._claim(now=NOW, batch=10, names=["sms"])  # then the worker dies
    assert len(claimed) == 3

    assert outbox_deliver_pending(now=NOW + 59 * SECOND) == 0  # still leased (60 s)
    assert sms.seen == []
    assert outbox_deliver_pending(now=NOW + 60 * SECOND) == 3
    assert sms.messages == [m.pk for m in messages]

    # the dead worker's late acknowledgement changes nothing
    assert outbox._record_success(claimed[0], token=token, at=NOW) == 0
    assert delivery(messages[0], "sms").delivered_at == NOW + 60 * SECOND


def test_a_batch_that_outlasts_half_its_lease_gives_the_rest_back(
    subscribers: Any, manual: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sms = subscribers.add("sms")
    messages = [enqueue() for _ in range(3)]
    ticks = iter([0.0, 0.0, 10.0, 31.0] + [100.0 + n for n in range(100)])
    monkeypatch.setattr(outbox, "time", SimpleNamespace(monotonic=lambda: next(ticks)))

    assert outbox_deliver_pending(now=NOW) == 3  # the third is re-claimed, not overrun

    assert sms.messages == [m.pk for m in messages]
    assert {d.status for d in OutboxDelivery.objects.all()} == {"delivered"}


def test_deliveries_of_a_subscriber_unknown_here_are_left_pending(
    subscribers: Any, manual: None
) -> None:
    sms = subscribers.add("sms")
    message = enqueue()
    outbox.outbox_unsubscribe(name="sms")  # e.g. an older worker during a rolling deployment

    assert outbox_deliver_pending(now=NOW) == 0
    assert (delivery(message, "sms").status, delivery(message, "sms").attempts) == ("pending", 0)
    assert sms.seen == []


def test_a_subscriber_unsubscribed_during_a_drain_is_left_alone(
    subscribers: Any, manual: None
) -> None:
    first = subscribers.add("a")
    subscribers.add("b")
    first.fail = lambda envelope: outbox.outbox_unsubscribe(name="b")  # type: ignore[func-returns-value]
    message = enqueue()

    assert outbox_deliver_pending(now=NOW) == 1  # and it returns

    row = delivery(message, "b")
    assert (row.status, row.attempts, row.locked_until) == ("pending", 0, None)


# --- draining -----------------------------------------------------------------------------


def _pending(count: int, *, subscriber: str = "sms") -> None:
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(topic="test.topic", payload={"n": n}, created_at=NOW) for n in range(count)
    )
    OutboxDelivery.objects.bulk_create(
        OutboxDelivery(message=m, subscriber=subscriber, available_at=NOW) for m in messages
    )


def test_a_drain_delivers_everything_due_not_only_one_batch(subscribers: Any) -> None:
    sms = subscribers.add("sms")
    _pending(250)

    assert outbox_deliver_pending(now=NOW, batch=100) == 250
    assert len(sms.seen) == 250
    assert not OutboxDelivery.objects.exclude(status="delivered").exists()


def test_a_drain_claims_again_only_when_something_can_have_become_due(
    subscribers: Any, manual: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sms = subscribers.add("sms", "dossier.*")
    claims: list[int] = []
    real_claim = outbox._claim

    def counted(**kw: Any) -> Any:
        token, rows = real_claim(**kw)
        claims.append(len(rows))
        return token, rows

    monkeypatch.setattr(outbox, "_claim", counted)
    enqueue("dossier.submit", {"code": "X"})
    assert outbox_deliver_pending(now=NOW) == 1
    assert claims == [1]  # a short batch, no successor: no second claim

    claims.clear()
    first = enqueue("dossier.submit", {"code": "Y"})
    second = enqueue("dossier.receive", {"code": "Y"})
    assert outbox_deliver_pending(now=NOW) == 2
    assert claims == [1, 1]  # the successor, claimed once its head was delivered
    assert sms.messages[-2:] == [first.pk, second.pk]


def test_a_drain_with_failures_stops(subscribers: Any) -> None:
    """Failed deliveries move past `now`: the loop never claims them again."""
    sms = subscribers.add("sms")
    sms.fail = down
    _pending(150)

    assert outbox_deliver_pending(now=NOW, batch=100) == 0
    assert set(OutboxDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_the_celery_task_and_the_command_drain_everything(subscribers: Any) -> None:
    from motcua.core.tasks import deliver_outbox

    subscribers.add("sms")
    _pending(120)
    assert deliver_outbox() == 120

    _pending(3)
    out = _command_output()
    assert out == "Đã gửi 3 lần giao. Còn chờ: 0, thư chết: 0, không có bên nhận: 0.\n"


def _command_output() -> str:
    import io

    buffer = io.StringIO()
    call_command("deliver_outbox", stdout=buffer)
    return buffer.getvalue()


def test_the_beat_interval_bounds_the_worst_case(settings: Any) -> None:
    """A hand-off lost with its process (or to a broker outage) is caught up by beat, often."""
    job = settings.CELERY_BEAT_SCHEDULE["deliver-outbox"]
    assert (job["task"], job["schedule"] <= 10) == ("motcua.core.deliver_outbox", True)


# --- handing off to the broker ------------------------------------------------------------


class _manual_delivery:
    """Context manager: no delivery after commit inside it."""

    def __enter__(self) -> None:
        self.original = outbox._schedule_delivery
        outbox._schedule_delivery = lambda: None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        outbox._schedule_delivery = self.original  # type: ignore[assignment]


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
def handoff(monkeypatch: pytest.MonkeyPatch, settings: Any, subscribers: Any) -> Iterator[Any]:
    """A broker, the publish counted (or refused), a clock and the trailing timer under the
    test's control, and one subscriber so commits have deliveries to hand off."""

    class State:
        sent: list[float] = []
        clock = 1000.0
        broker_up = True
        sms = subscribers.add("sms")

        def commit(self, topic: str = "test.topic") -> None:
            with transaction.atomic():
                outbox_enqueue(topic=topic, payload={}, now=NOW)

    state = State()

    def publish() -> None:
        state.sent.append(state.clock)
        if not state.broker_up:
            raise ConnectionRefusedError("redis is down")

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 200
    settings.MOTCUA_OUTBOX_BROKER_COOLDOWN_S = 5
    monkeypatch.setattr(outbox, "_publish", publish)
    monkeypatch.setattr(outbox.time, "monotonic", lambda: state.clock)
    monkeypatch.setattr(outbox.threading, "Timer", _FakeTimer)
    _FakeTimer.armed = []
    outbox.outbox_handoff_reset()
    yield state
    outbox.outbox_handoff_reset()


def test_with_a_broker_the_commit_is_handed_to_celery(handoff: Any) -> None:
    handoff.commit()

    assert handoff.sent == [1000.0]
    assert handoff.sms.seen == []  # the worker delivers it, not the request
    assert OutboxDelivery.objects.get().status == "pending"


def test_an_unrouted_commit_hands_nothing_off(handoff: Any) -> None:
    handoff.commit(topic="catalog.imported")
    assert handoff.sent == []


def test_commits_within_the_window_share_one_handoff_and_one_trailing_send(
    handoff: Any,
) -> None:
    handoff.commit()
    handoff.clock += 0.05
    handoff.commit()  # within 200 ms: no publish, a trailing send is armed
    handoff.clock += 0.05
    handoff.commit()  # rides on the armed trailing send
    assert handoff.sent == [1000.0]
    assert len(_FakeTimer.armed) == 1
    assert _FakeTimer.armed[0].interval == pytest.approx(0.15)  # at the end of the window
    assert _FakeTimer.armed[0].daemon

    handoff.clock = 1000.2
    _FakeTimer.armed[0].fire()  # after those commits: its task sees their rows
    assert handoff.sent == [1000.0, 1000.2]
    assert OutboxDelivery.objects.filter(status="pending").count() == 3


def test_a_commit_after_the_window_hands_off_again(handoff: Any) -> None:
    handoff.commit()
    handoff.clock += 0.2
    handoff.commit()
    handoff.clock += 0.5
    handoff.commit()
    assert handoff.sent == [1000.0, 1000.2, 1000.7]
    assert _FakeTimer.armed == []


def test_a_zero_window_hands_off_every_commit(handoff: Any, settings: Any) -> None:
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 0
    handoff.commit()
    handoff.commit()
    assert handoff.sent == [1000.0, 1000.0]


def test_a_broker_that_is_down_is_tried_once_then_skipped_until_the_cooldown(
    handoff: Any, settings: Any
) -> None:
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 0
    handoff.broker_up = False

    handoff.commit()  # tried once, refused: the breaker opens for 5 s
    handoff.clock += 1
    handoff.commit()
    handoff.clock += 3.9
    handoff.commit()
    assert handoff.sent == [1000.0]
    assert handoff.sms.seen == []  # not delivered on the request path either ...
    assert OutboxDelivery.objects.filter(status="pending").count() == 3  # ... beat will

    handoff.clock = 1005.0  # the cooldown is over: one more try (still down)
    handoff.commit()
    handoff.commit()
    assert handoff.sent == [1000.0, 1005.0]

    handoff.broker_up = True
    handoff.clock = 1010.0
    handoff.commit()
    handoff.commit()  # closed again: every commit hands off
    assert handoff.sent == [1000.0, 1005.0, 1010.0, 1010.0]


def test_a_trailing_send_refused_by_the_broker_opens_the_breaker(handoff: Any) -> None:
    handoff.commit()
    handoff.clock += 0.05
    handoff.commit()
    handoff.broker_up = False
    handoff.clock = 1000.2
    _FakeTimer.armed[0].fire()

    handoff.clock += 0.5
    handoff.commit()
    assert handoff.sent == [1000.0, 1000.2]
    assert handoff.sms.seen == []
    assert OutboxDelivery.objects.filter(status="pending").count() == 3


@pytest.fixture
def not_eager() -> Iterator[None]:
    """Celery publishes for real (the test settings run tasks eagerly)."""
    from motcua.core.tasks import deliver_outbox

    conf = deliver_outbox.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    yield
    conf.task_always_eager = eager


def test_the_real_publish_to_a_closed_port_connects_once_and_raises_at_once(
    subscribers: Any, settings: Any, monkeypatch: pytest.MonkeyPatch, not_eager: None
) -> None:
    """Against kombu and redis-py themselves: no retry loop, then the breaker."""
    attempts: list[object] = []
    guarded_connect = socket.socket.connect

    def counting(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[1] == 6390:
            attempts.append(address)
        return guarded_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6390/0"
    settings.MOTCUA_OUTBOX_HANDOFF_MS = 0
    sms = subscribers.add("sms")
    outbox.outbox_handoff_reset()

    with pytest.raises(Exception, match="6390"):
        outbox._publish()
    assert len(attempts) == 1  # one connection attempt, no kombu retries

    attempts.clear()
    for _ in range(3):
        enqueue()  # the first commit tries (and fails), the breaker skips the others
    assert len(attempts) == 1
    assert sms.seen == []
    outbox.outbox_handoff_reset()


def test_the_real_publish_reaches_a_live_broker_and_reuses_its_connection(
    settings: Any, not_eager: None
) -> None:
    import redis

    url = "redis://127.0.0.1:6379/11"
    client = redis.Redis.from_url(url)
    try:
        client.delete("celery")
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = url
    outbox.outbox_handoff_reset()
    try:
        outbox._publish()
        first = outbox._handoff.connection
        outbox._publish()
        assert outbox._handoff.connection is first
        assert client.llen("celery") == 2
    finally:
        client.delete("celery")
        outbox.outbox_handoff_reset()


# --- the migration ------------------------------------------------------------------------


def test_the_migration_marks_existing_messages_unrouted_with_their_dossier_key() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.core.migrations.0003_outbox_deliveries")
    old = OutboxMessage.objects.create(
        topic="dossier.submit", payload={"code": "00070-260302-0001"}, created_at=NOW
    )
    catalog = OutboxMessage.objects.create(topic="catalog.imported", payload={}, created_at=NOW)

    migration.existing_messages_are_unrouted(apps, None)

    old.refresh_from_db()
    catalog.refresh_from_db()
    assert (old.status, old.key, catalog.status, catalog.key) == (
        "unrouted",
        "00070-260302-0001",
        "unrouted",
        "",
    )
