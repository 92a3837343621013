"""The transactional outbox: facts written with the change, delivered to subscribers after it.

Writing. `outbox_enqueue` runs inside the transaction that makes the change. It writes one
`OutboxMessage` and one `OutboxDelivery` per subscriber whose pattern matches the topic at
that moment; both commit or roll back with the change. A message nobody subscribed to is
stored as `unrouted` (counted, shown in the admin, never "delivered"); an operator can route
it later to subscribers registered since (`outbox_message_route`). Nothing is replayed to a
new subscriber on its own: deploying the notifications app must not text citizens about
last month.

Subscribing. Apps register in their `AppConfig.ready()`:
`outbox_subscribe(name="notifications.sms", topics=["dossier.*"], handler=...)`. The name is
the subscriber's stable id (stored on every delivery; renaming it orphans pending ones). The
handler gets an `OutboxEnvelope` (message id, topic, ordering key, payload schema, payload,
idempotency key `<message id>:<subscriber>`, attempt number). See docs/adr/0006.

Delivering. `outbox_deliver_pending` is the one loop (Celery task, beat job, management
command and the embedded after-commit path all call it). It claims a batch of due
deliveries in a short transaction (SKIP LOCKED on PostgreSQL, the IMMEDIATE write lock on
SQLite) by writing a lease (`locked_until`, `lease_token`), commits, then calls each
subscriber with no transaction and no lock held, and records each outcome at once in its own
short write (an `idempotent` subscriber's successes in one write per batch; a `prepare` hook
may do the batch's reads and inserts in bulk first). So a worker killed mid-batch
redelivers only what it had not acknowledged: an escaping BaseException releases the
unacknowledged claims, a hard kill leaves them to expire with the lease.
Guarantees: at least once; per (subscriber, key) in message order (a
delivery is not claimed while an earlier one of the same chain is pending, retrying
included; a dead letter leaves the chain, so later ones proceed); bounded retries with
exponential backoff and jitter, then a dead letter (`outbox_delivery_retry` sends it again).

Handing off. With `CELERY_BROKER_URL` set, a commit that created deliveries hands
`deliver_outbox` to Celery, throttled per process (`MOTCUA_OUTBOX_HANDOFF_MS`, default 200:
the first commit of a window sends at once, later ones share one trailing send at the end
of the window, from a timer thread, so its task sees their rows). The publish fails fast
(its own connection, no kombu retries, a short connect timeout) and a failure opens a
circuit breaker (`MOTCUA_OUTBOX_BROKER_COOLDOWN_S`, default 5 s) during which no commit
tries the broker: a broker that is down costs one commit per process and cooldown a refused
connection (about 2 ms), the others nothing. Those rows wait for the beat job
("deliver-outbox", every 10 s) or `manage.py deliver_outbox`. Without a broker the rows
are delivered in the committing process right after the commit (embedded mode).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import Conflict
from .inserts import insert_fields, insert_plain, insert_values, row_insert, rows_insert
from .models import OutboxDelivery, OutboxMessage
from .services import audit_record

logger = logging.getLogger(__name__)

_PENDING = OutboxDelivery.Status.PENDING
_DELIVERED = OutboxDelivery.Status.DELIVERED
_DEAD = OutboxDelivery.Status.DEAD


# --- subscribers --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxEnvelope:
    """What a subscriber receives. `payload` is plain JSON, self-contained (no model
    instances); `idempotency_key` is the same on every attempt of this delivery."""

    message_id: int
    topic: str
    key: str
    schema: int
    payload: dict[str, Any]
    created_at: dt.datetime
    subscriber: str
    idempotency_key: str
    attempt: int  # 1 on the first try


Handler = Callable[[OutboxEnvelope], None]
#: Called once per claimed batch with the envelopes this subscriber is about to handle (in
#: order), before the first handler call; returns a context manager entered around the
#: batch. For reading and writing in bulk what the handler would otherwise do one by one; it
#: must leave the handler correct without it (an exception in it is logged and ignored).
Prepare = Callable[[Sequence[OutboxEnvelope]], AbstractContextManager[Any]]


@dataclass(frozen=True)
class Subscriber:
    name: str
    topics: tuple[str, ...]
    handler: Handler
    prepare: Prepare | None = None
    #: The handler is idempotent per delivery (calling it again for a delivery it already
    #: handled does nothing): its successes are acknowledged in one write per batch instead
    #: of one each (a worker killed mid-batch redelivers them, and they do nothing).
    idempotent: bool = False

    def matches(self, topic: str) -> bool:
        return any(_topic_matches(pattern, topic) for pattern in self.topics)


_SUBSCRIBERS: dict[str, Subscriber] = {}
#: The registry it was made from, and topic -> the names of its subscribers, sorted
#: (emptied whenever the subscribers change; a registry swapped by a test gets its own).
_by_topic: tuple[dict[str, Subscriber], dict[str, tuple[str, ...]]] = (_SUBSCRIBERS, {})


def _topic_matches(pattern: str, topic: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return pattern == topic


def _check_pattern(pattern: str) -> None:
    body = pattern[:-2] if pattern.endswith(".*") else pattern
    if pattern != "*" and (not body or "*" in body or any(c.isspace() for c in pattern)):
        raise ImproperlyConfigured(
            f"outbox topic pattern {pattern!r}: an exact topic, 'prefix.*' or '*'"
        )


def outbox_subscribe(
    *,
    name: str,
    topics: str | Iterable[str],
    handler: Handler,
    prepare: Prepare | None = None,
    idempotent: bool = False,
) -> None:
    """Register `handler` as subscriber `name` for `topics` (exact topics, `prefix.*`
    patterns, or `*`). Call it from an `AppConfig.ready()`; registering the same subscriber
    again is a no-op, a different one under a taken name is an error. `prepare` and
    `idempotent`: see `Subscriber`."""
    patterns = (topics,) if isinstance(topics, str) else tuple(topics)
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise ImproperlyConfigured(f"outbox subscriber name {name!r}: 1-100 characters, no space")
    if not patterns:
        raise ImproperlyConfigured(f"outbox subscriber {name!r} subscribes to no topic")
    for pattern in patterns:
        _check_pattern(pattern)
    subscriber = Subscriber(
        name=name, topics=patterns, handler=handler, prepare=prepare, idempotent=idempotent
    )
    existing = _SUBSCRIBERS.get(name)
    if existing is not None and existing != subscriber:
        raise ImproperlyConfigured(f"outbox subscriber {name!r} is already registered")
    _SUBSCRIBERS[name] = subscriber
    _by_topic[1].clear()


def outbox_unsubscribe(*, name: str) -> None:
    """Forget subscriber `name` in this process (tests, plugins switched off). Its pending
    deliveries stay pending: no process claims them until it is registered again."""
    _SUBSCRIBERS.pop(name, None)
    _by_topic[1].clear()


def outbox_subscribers(topic: str | None = None) -> list[str]:
    """Names of the registered subscribers (of `topic` when given), sorted."""
    if topic is None:
        return sorted(_SUBSCRIBERS)
    global _by_topic
    registry, cache = _by_topic
    if registry is not _SUBSCRIBERS:
        registry, cache = _by_topic = (_SUBSCRIBERS, {})
    names = cache.get(topic)
    if names is None:
        names = tuple(sorted(s.name for s in registry.values() if s.matches(topic)))
        cache[topic] = names
    return list(names)


# --- writing ------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    topic: str,
    payload: dict[str, Any],
    now: dt.datetime,
    key: str | None = None,
    schema: int = 1,
) -> OutboxMessage:
    """Record a fact in the transaction of the change, one delivery per current subscriber.

    `key` orders deliveries (same key, same subscriber: message order); for `dossier.*`
    topics it defaults to `payload["code"]`, elsewhere to "" (no order). `schema` is the
    payload's version: bump it when a change is not additive."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction of the change")
    if key is None:
        key = str(payload.get("code", ""))[:100] if topic.startswith("dossier.") else ""
    names = outbox_subscribers(topic)
    message = OutboxMessage(
        topic=topic,
        key=key,
        schema=schema,
        payload=payload,
        created_at=now,
        status=OutboxMessage.Status.ROUTED if names else OutboxMessage.Status.UNROUTED,
    )
    if names and _insert_routed_postgresql(message, names, now=now):
        _deliver_after_commit()
        return message
    # the message and its deliveries by statements compiled once (`core.inserts`): through
    # the ORM's compiler, their writing cost a signed receipt more CPU than its statements
    row_insert(message)
    if names:
        _create_deliveries(message, names, now=now)
        _deliver_after_commit()
    return message


def _deliver_after_commit() -> None:
    """Hand off once per transaction (a job enqueueing a hundred alerts needs one drain); a
    savepoint rolled back takes its callback with it, so the check is against what is left."""
    callback = _schedule_delivery
    pending = transaction.get_connection().run_on_commit
    if not any(func is callback for _sids, func, _robust in pending):
        transaction.on_commit(callback, robust=True)


def _create_deliveries(message: OutboxMessage, names: Sequence[str], *, now: dt.datetime) -> None:
    due = _due(now)
    rows_insert(
        [
            OutboxDelivery(message=message, subscriber=name, key=message.key, available_at=due)
            for name in names
        ]
    )


def _due(now: dt.datetime) -> dt.datetime:
    """When new deliveries are due: at once, at the change's time, or at the clock's if the
    service was given a `now` ahead of it (a delivery must not wait for a business time that
    has not come)."""
    return min(now, timezone.now())


#: Where the deliveries' key and due time go among `_routed_statement_postgresql`'s parameters.
_KEY, _DUE = object(), object()


@functools.cache
def _routed_statement_postgresql() -> tuple[str, list[Any], tuple[Any, ...]]:
    """The one statement writing a message and its deliveries on PostgreSQL, built once from
    the models: its text, the message's fields, and the deliveries' parameters in their
    columns' order (`_KEY`, `_DUE`, or a column's default as Django sends it). Parameters:
    the message's columns, the deliveries', then the subscribers."""
    quote = connection.ops.quote_name
    message_fields = insert_fields(OutboxMessage)
    delivery_fields = insert_fields(OutboxDelivery)
    message_id = quote(str(OutboxMessage._meta.pk.column))
    slots: list[Any] = []
    selected = []
    for f in delivery_fields:
        if f.name == "message":
            selected.append(f"m.{message_id}")
        elif f.name == "subscriber":
            selected.append("s.subscriber")
        elif f.name in ("key", "available_at"):
            slots.append(_KEY if f.name == "key" else _DUE)
            selected.append(f"%s::{f.db_type(connection)}")
        else:
            slots.append(f.get_db_prep_save(f.get_default(), connection=connection))
            selected.append("%s")
    sql = (
        f"WITH m AS (INSERT INTO {quote(OutboxMessage._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(str(f.column)) for f in message_fields)}) "
        f"VALUES ({', '.join(['%s'] * len(message_fields))}) "
        f"RETURNING {message_id}), "
        f"d AS (INSERT INTO {quote(OutboxDelivery._meta.db_table)} "
        f"({', '.join(quote(str(f.column)) for f in delivery_fields)}) "
        f"SELECT {', '.join(selected)} FROM m CROSS JOIN "
        "unnest(%s::varchar[]) WITH ORDINALITY AS s(subscriber, n) ORDER BY s.n) "
        f"SELECT {message_id} FROM m"
    )
    return sql, message_fields, tuple(slots)


def _insert_routed_postgresql(
    message: OutboxMessage, names: Sequence[str], *, now: dt.datetime
) -> bool:
    """`row_insert(message)` and `_create_deliveries` in one statement (PostgreSQL): a data-
    modifying CTE writes the message and, from its id, one delivery per subscriber in their
    order, with the same values: the CPU of one statement instead of two and of no delivery
    objects, about 0.2 ms of a signed receipt's 4.5 (ADR 0032). False, having written
    nothing, where `core.inserts` would not take its shortcut either (another database, a
    save receiver, a value that is an expression): the caller writes them its way."""
    if connection.vendor != "postgresql" or not (
        insert_plain(OutboxMessage) and insert_plain(OutboxDelivery)
    ):
        return False
    sql, fields, slots = _routed_statement_postgresql()
    params = insert_values(message, fields, connection)
    if params is None:
        return False
    due = _due(now)
    params.extend(message.key if slot is _KEY else due if slot is _DUE else slot for slot in slots)
    params.append(list(names))
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        message.pk = cursor.fetchone()[0]
    message._state.adding = False
    message._state.db = connection.alias
    return True


# --- delivering ---------------------------------------------------------------------------


def outbox_deliver_pending(
    *, now: dt.datetime | None, batch: int = 100, subscribers: Iterable[str] | None = None
) -> int:
    """Deliver every due delivery of the subscribers registered here (or of `subscribers`),
    `batch` claims at a time, until nothing more is due; returns how many succeeded.
    `now=None` reads the clock for every claim and outcome. Must run outside a transaction:
    subscribers are called with no transaction open and no lock held."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_deliver_pending must run outside a transaction")
    names = outbox_subscribers() if subscribers is None else sorted(set(subscribers))
    batch = max(batch, 1)
    delivered = 0
    while names:
        token, claimed = _claim(now=now or timezone.now(), batch=batch, names=names)
        if not claimed:
            break
        done = _deliver_claimed(claimed, token=token, now=now)
        delivered += done.delivered
        names = [name for name in names if name in _SUBSCRIBERS]  # unsubscribed meanwhile
        # A short batch took everything claimable; only a chain whose head just finished
        # (or claims given back) can have made more claimable since.
        if len(claimed) < batch and not done.released and not _pending_in(done.finished):
            break
    return delivered


def _claim(
    *, now: dt.datetime, batch: int, names: Sequence[str]
) -> tuple[str, list[OutboxDelivery]]:
    """Lease up to `batch` due deliveries, each the oldest pending of its (subscriber, key)
    chain, in one short transaction (on PostgreSQL one statement). Returns the lease token
    and the claimed rows, oldest first, each with its message."""
    token = uuid.uuid4().hex
    until = now + dt.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_S)
    if transaction.get_connection().vendor == "postgresql":
        return token, _claim_postgresql(now=now, until=until, token=token, batch=batch, names=names)
    earlier = OutboxDelivery.objects.filter(
        subscriber=OuterRef("subscriber"),
        key=OuterRef("key"),
        status=_PENDING,
        message_id__lt=OuterRef("message_id"),
    )
    with transaction.atomic():
        claimable = (
            OutboxDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("message")
            .filter(status=_PENDING, available_at__lte=now, subscriber__in=names)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .filter(Q(key="") | ~Exists(earlier))
        )
        rows = list(claimable.order_by("message_id", "id")[:batch])
        if rows:
            OutboxDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(
                locked_until=until, lease_token=token
            )
    return token, rows


#: PostgreSQL's claim, one statement (the table names are filled in once, see `_claim_sql`).
#: `chains` walks the (subscriber, key) chains with a recursive "loose index scan" over
#: `outbox_delivery_order_idx` (one index probe per chain instead of one look at every
#: pending delivery: a backlog after an outage must not make each claim slower); `heads` are
#: up to `batch` chain heads (oldest pending of each chain) that are due, and unkeyed due
#: deliveries (each its own chain), oldest first, unlocked; `claimable` re-checks each under
#: its row lock (FOR UPDATE SKIP LOCKED: another worker's claims are skipped), exactly as
#: the SQLite query does; the UPDATE writes the lease and returns each row with its message.
#: `relaxed` makes this statement's own (autocommit) transaction commit without waiting for
#: the WAL flush: a lease lost with the server only means a later redelivery.
_CLAIM_SQL = """
    WITH RECURSIVE chains(subscriber, key) AS (
        SELECT s.name, (SELECT min(key) FROM {d}
                         WHERE status = 'pending' AND subscriber = s.name AND key <> '')
          FROM unnest(%(names)s::text[]) AS s(name)
        UNION ALL
        SELECT chains.subscriber, (SELECT min(d.key) FROM {d} AS d
                                    WHERE d.status = 'pending'
                                      AND d.subscriber = chains.subscriber
                                      AND d.key > chains.key)
          FROM chains WHERE chains.key IS NOT NULL
    ),
    heads AS (
        (SELECT head.id, head.message_id FROM chains, LATERAL (
            SELECT id, message_id, available_at, locked_until FROM {d} AS d
             WHERE d.status = 'pending' AND d.subscriber = chains.subscriber
               AND d.key = chains.key
             ORDER BY d.message_id LIMIT 1) AS head
          WHERE chains.key IS NOT NULL AND head.available_at <= %(now)s
            AND (head.locked_until IS NULL OR head.locked_until <= %(now)s))
        UNION ALL
        (SELECT free.id, free.message_id FROM unnest(%(names)s::text[]) AS s(name), LATERAL (
            SELECT id, message_id FROM {d} AS d
             WHERE d.status = 'pending' AND d.subscriber = s.name AND d.key = ''
               AND d.available_at <= %(now)s
               AND (d.locked_until IS NULL OR d.locked_until <= %(now)s)
             ORDER BY d.message_id LIMIT %(batch)s) AS free)
        ORDER BY message_id LIMIT %(batch)s
    ),
    claimable AS (
        SELECT d.id FROM heads, LATERAL (
            SELECT id, message_id, subscriber, key, status, available_at, locked_until
              FROM {d} WHERE id = heads.id
             LIMIT 1 FOR UPDATE SKIP LOCKED) AS d
         WHERE d.status = 'pending' AND d.available_at <= %(now)s
           AND d.subscriber = ANY(%(names)s::text[])
           AND (d.locked_until IS NULL OR d.locked_until <= %(now)s)
           AND (d.key = '' OR NOT EXISTS (
                SELECT 1 FROM {d} AS e
                 WHERE e.subscriber = d.subscriber AND e.key = d.key
                   AND e.status = 'pending' AND e.message_id < d.message_id))
    ),
    relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
    UPDATE {d} AS d SET locked_until = %(until)s, lease_token = %(token)s
      FROM claimable, {m} AS m, relaxed
     WHERE d.id = claimable.id AND m.id = d.message_id
    RETURNING {columns}
"""

_claim_sql: list[str] = []  # built once per process


def _claim_statement() -> str:
    if not _claim_sql:
        quote = transaction.get_connection().ops.quote_name
        columns = [f"d.{quote(str(f.column))}" for f in OutboxDelivery._meta.concrete_fields]
        columns += [f"m.{quote(str(f.column))}" for f in OutboxMessage._meta.concrete_fields]
        _claim_sql.append(
            _CLAIM_SQL.format(
                d=quote(OutboxDelivery._meta.db_table),
                m=quote(OutboxMessage._meta.db_table),
                columns=", ".join(columns),
            )
        )
    return _claim_sql[0]


def _claim_postgresql(
    *, now: dt.datetime, until: dt.datetime, token: str, batch: int, names: Sequence[str]
) -> list[OutboxDelivery]:
    """The claim in one statement and one round trip (see `_CLAIM_SQL`); the rows are built
    from its answer as `select_related("message")` would."""
    connection = transaction.get_connection()
    params = {"now": now, "until": until, "token": token, "batch": batch, "names": list(names)}
    with connection.cursor() as cursor:
        cursor.execute(_claim_statement(), params)
        answer = cursor.fetchall()
    delivery_fields = [f.attname for f in OutboxDelivery._meta.concrete_fields]
    message_fields = [f.attname for f in OutboxMessage._meta.concrete_fields]
    payload = OutboxMessage._meta.get_field("payload")
    at = message_fields.index("payload")
    cache = OutboxDelivery._meta.get_field("message")
    split = len(delivery_fields)
    rows = []
    for values in answer:
        message_values = list(values[split:])
        message_values[at] = payload.from_db_value(message_values[at], None, connection)  # type: ignore[arg-type]
        message = OutboxMessage.from_db(connection.alias, message_fields, message_values)
        delivery = OutboxDelivery.from_db(connection.alias, delivery_fields, values[:split])
        cache.set_cached_value(delivery, message)
        rows.append(delivery)
    rows.sort(key=lambda row: (row.message_id, row.pk))
    return rows


@dataclass
class _Done:
    delivered: int = 0
    finished: set[tuple[str, str]] = field(default_factory=set)  # keyed chains whose head ended
    released: bool = False  # claims given back unprocessed


def _deliver_claimed(
    claimed: list[OutboxDelivery], *, token: str, now: dt.datetime | None
) -> _Done:
    """Call each subscriber in order and record each outcome before the next call (for an
    idempotent subscriber, its successes in one write at the end of the batch, or before
    the worker gives up the batch). Stops (and releases the rest) when half the lease is
    spent, so a slow batch is never retaken by another worker while this one still works
    on it."""
    done = _Done()
    started = time.monotonic()
    budget = settings.MOTCUA_OUTBOX_LEASE_S / 2
    envelopes = [_envelope(delivery) for delivery in claimed]
    acks: list[OutboxDelivery] = []  # successes of idempotent subscribers, not yet written

    def flush() -> None:
        if acks:
            done.delivered += _record_successes(acks, token=token, at=now or timezone.now())
            acks.clear()

    with contextlib.ExitStack() as stack:
        _prepare_batch(stack, claimed, envelopes)
        for index, delivery in enumerate(claimed):
            if time.monotonic() - started > budget:
                flush()
                _release(claimed[index:], token=token)
                done.released = True
                break
            subscriber = _SUBSCRIBERS.get(delivery.subscriber)
            if subscriber is None:  # unsubscribed since the claim: not claimed again
                _release([delivery], token=token)
                continue
            try:
                subscriber.handler(envelopes[index])
            except Exception as exc:
                final = _record_failure(delivery, token=token, exc=exc, at=now or timezone.now())
            except BaseException:  # killed: what was acknowledged stays acknowledged
                try:
                    flush()
                except Exception:  # unacknowledged: redelivered, and idempotent
                    logger.exception("outbox: could not acknowledge the batch's successes")
                _release(claimed[index:], token=token)
                raise
            else:
                final = True
                if subscriber.idempotent:
                    acks.append(delivery)
                else:
                    done.delivered += _record_success(
                        delivery, token=token, at=now or timezone.now()
                    )
            if final and delivery.key:
                done.finished.add((delivery.subscriber, delivery.key))
        else:
            flush()
    return done


def _prepare_batch(
    stack: contextlib.ExitStack, claimed: list[OutboxDelivery], envelopes: list[OutboxEnvelope]
) -> None:
    """Enter each subscriber's `prepare` for its share of the batch; a failing one is skipped
    (its handler then does the work one by one)."""
    by_subscriber: dict[str, list[OutboxEnvelope]] = {}
    for delivery, envelope in zip(claimed, envelopes, strict=True):
        by_subscriber.setdefault(delivery.subscriber, []).append(envelope)
    for name, batch in by_subscriber.items():
        subscriber = _SUBSCRIBERS.get(name)
        if subscriber is None or subscriber.prepare is None:
            continue
        try:
            stack.enter_context(subscriber.prepare(batch))
        except Exception:
            logger.exception("outbox: preparing a batch for %s failed; one by one", name)


def _pending_in(chains: set[tuple[str, str]]) -> bool:
    """Whether any of these (subscriber, key) chains may still have a pending delivery (one
    cheap query over their subscribers and keys: a false "yes" costs one more empty claim)."""
    if not chains:
        return False
    subscribers = {subscriber for subscriber, _key in chains}
    keys = {key for _subscriber, key in chains}
    return bool(
        OutboxDelivery.objects.filter(
            subscriber__in=subscribers, key__in=keys, status=_PENDING
        ).exists()
    )


def _envelope(delivery: OutboxDelivery) -> OutboxEnvelope:
    message = delivery.message
    return OutboxEnvelope(
        message_id=message.pk,
        topic=message.topic,
        key=message.key,
        schema=message.schema,
        payload=message.payload,
        created_at=message.created_at,
        subscriber=delivery.subscriber,
        idempotency_key=delivery.idempotency_key,
        attempt=delivery.attempts + 1,
    )


def _mine(delivery: OutboxDelivery, token: str) -> Any:
    return OutboxDelivery.objects.filter(pk=delivery.pk, lease_token=token, status=_PENDING)


def _record_success(delivery: OutboxDelivery, *, token: str, at: dt.datetime) -> int:
    updated = _mine(delivery, token).update(
        status=_DELIVERED,
        delivered_at=at,
        attempts=F("attempts") + 1,
        locked_until=None,
        lease_token="",
        last_error="",
    )
    if not updated:
        logger.warning("outbox: delivery %s outlived its lease", delivery.pk)
    return updated


def _record_successes(deliveries: list[OutboxDelivery], *, token: str, at: dt.datetime) -> int:
    """Acknowledge many successes in one write (idempotent subscribers: an acknowledgement
    lost with the database server only means a redelivery, which they absorb, so its commit
    does not wait for the WAL flush; on PostgreSQL one statement that relaxes its own
    commit)."""
    ids = [d.pk for d in deliveries]
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(OutboxDelivery._meta.db_table)
        sql = (  # the table's name is the model's; the values are parameters
            "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608
            f"UPDATE {table} SET status = %s, delivered_at = %s, attempts = attempts + 1, "
            "locked_until = NULL, lease_token = '', last_error = '' FROM relaxed "
            "WHERE id = ANY(%s) AND lease_token = %s AND status = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_DELIVERED, at, ids, token, _PENDING])
            updated = cursor.rowcount
    else:
        updated = int(
            OutboxDelivery.objects.filter(pk__in=ids, lease_token=token, status=_PENDING).update(
                status=_DELIVERED,
                delivered_at=at,
                attempts=F("attempts") + 1,
                locked_until=None,
                lease_token="",
                last_error="",
            )
        )
    if updated < len(deliveries):
        logger.warning("outbox: %s deliveries outlived their lease", len(deliveries) - updated)
    return updated


def _record_failure(
    delivery: OutboxDelivery, *, token: str, exc: Exception, at: dt.datetime
) -> bool:
    """Count the failed attempt: a retry after the backoff, or a dead letter (returns True)."""
    attempts = delivery.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    changes: dict[str, Any] = {
        "attempts": attempts,
        "locked_until": None,
        "lease_token": "",
        "last_error": error,
    }
    if attempts >= settings.MOTCUA_OUTBOX_MAX_ATTEMPTS:
        changes.update(status=_DEAD, dead_at=at)
        logger.error(
            "outbox: delivery %s to %s dead after %s attempts (%s)",
            delivery.pk,
            delivery.subscriber,
            attempts,
            type(exc).__name__,
        )
    else:
        changes["available_at"] = at + outbox_retry_delay(attempts)
        # The exception's text may carry personal data: it goes to the row, not the log.
        logger.warning(
            "outbox: delivery %s to %s failed, attempt %s (%s)",
            delivery.pk,
            delivery.subscriber,
            attempts,
            type(exc).__name__,
        )
    _mine(delivery, token).update(**changes)
    return changes.get("status") == _DEAD


def _release(deliveries: Iterable[OutboxDelivery], *, token: str) -> None:
    """Give claims back (best effort: if the database is gone, the lease expires)."""
    try:
        OutboxDelivery.objects.filter(
            pk__in=[d.pk for d in deliveries], lease_token=token, status=_PENDING
        ).update(locked_until=None, lease_token="")
    except Exception:
        logger.exception("outbox: could not release claims; they expire with their lease")


def outbox_retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: the nominal delay
    `min(MAX, BASE * 2 ** (attempts - 1))` less a random part of up to half of it ("equal
    jitter": never shorter than half, so the backoff still grows; spread so that deliveries
    failed together do not retry together)."""
    base = settings.MOTCUA_OUTBOX_RETRY_BASE_S
    cap = settings.MOTCUA_OUTBOX_RETRY_MAX_S
    nominal = min(cap, base * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=random.uniform(nominal / 2, nominal))


# --- operating (the admin calls these) ----------------------------------------------------


Actor = AbstractBaseUser | AnonymousUser | None


@transaction.atomic
def outbox_delivery_retry(*, actor: Actor, delivery_ids: Iterable[int], now: dt.datetime) -> int:
    """Send dead letters again: each gets a fresh set of attempts from `now` and an audit
    event. Refused, with nothing changed, if any of them is not a dead letter."""
    ids = sorted(set(delivery_ids))
    rows = list(OutboxDelivery.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if not rows or len(rows) != len(ids) or any(r.status != _DEAD for r in rows):
        raise Conflict(
            _("Chỉ gửi lại được các lần giao đã thành thư chết."), code="outbox_not_dead"
        )
    for row in rows:
        before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
        row.status, row.attempts, row.available_at = _PENDING, 0, now
        row.dead_at = row.locked_until = None
        row.lease_token = ""
        row.save(
            update_fields=[
                "status",
                "attempts",
                "available_at",
                "dead_at",
                "locked_until",
                "lease_token",
            ]
        )
        audit_record(
            actor=actor,
            action="outbox.delivery_retry",
            object_type="core.OutboxDelivery",
            object_id=row.pk,
            now=now,
            before=before,
            after={"status": row.status, "subscriber": row.subscriber},
        )
    _deliver_after_commit()
    return len(rows)


@transaction.atomic
def outbox_message_route(*, actor: Actor, message_ids: Iterable[int], now: dt.datetime) -> int:
    """Route unrouted messages to the subscribers of their topic registered now (one audit
    event each); returns how many deliveries were created. Refused, with nothing changed, if
    a message is not unrouted or no subscriber wants one of them."""
    ids = sorted(set(message_ids))
    rows = list(OutboxMessage.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if (
        not rows
        or len(rows) != len(ids)
        or any(r.status != OutboxMessage.Status.UNROUTED for r in rows)
    ):
        raise Conflict(
            _("Chỉ chuyển được các thông điệp chưa có bên nhận."), code="outbox_not_unrouted"
        )
    created = 0
    plans = [(row, outbox_subscribers(row.topic)) for row in rows]
    if any(not names for _row, names in plans):
        raise Conflict(
            _("Chưa có bên nhận nào đăng ký chủ đề của thông điệp."), code="outbox_no_subscriber"
        )
    for row, names in plans:
        _create_deliveries(row, names, now=now)
        row.status = OutboxMessage.Status.ROUTED
        row.save(update_fields=["status"])
        created += len(names)
        audit_record(
            actor=actor,
            action="outbox.message_route",
            object_type="core.OutboxMessage",
            object_id=row.pk,
            now=now,
            before={"status": OutboxMessage.Status.UNROUTED},
            after={"status": row.status, "subscribers": names},
        )
    _deliver_after_commit()
    return created


def outbox_counts() -> dict[str, int]:
    """Deliveries by status and unrouted messages: what the admin and monitoring show."""
    by_status = dict(
        OutboxDelivery.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    counts = {status: by_status.get(status, 0) for status in OutboxDelivery.Status.values}
    counts["unrouted"] = OutboxMessage.objects.filter(status=OutboxMessage.Status.UNROUTED).count()
    return counts


# --- handing off to Celery ----------------------------------------------------------------


class _HandOff:
    """Per-process throttle of the publish, circuit breaker and publisher connection."""

    def __init__(self) -> None:
        self.fresh()

    def fresh(self) -> None:
        """In a forked child: new locks (the parent's may have been held), no timer, no
        connection (a socket shared with the parent would interleave frames)."""
        self.lock = threading.Lock()
        self.last_sent: float | None = None  # time.monotonic() of the last send
        self.trailing: threading.Timer | None = None  # the armed trailing send
        self.broker_down_until: float | None = None  # the breaker is open until then
        self.publish_lock = threading.Lock()
        self.connection: Any = None
        self.connection_url = ""

    def reset(self) -> None:
        with self.lock:
            if self.trailing is not None:
                self.trailing.cancel()
            self.last_sent = None
            self.trailing = None
            self.broker_down_until = None
        with self.publish_lock:
            _drop_connection()


_handoff = _HandOff()
# A forked child (gunicorn --preload, Celery prefork) has no timer thread: start it clean.
os.register_at_fork(after_in_child=lambda: _handoff.fresh())


def outbox_handoff_reset() -> None:
    """Forget this process's hand-off state: trailing send, breaker, connection (tests)."""
    _handoff.reset()


def _schedule_delivery() -> None:
    if not settings.CELERY_BROKER_URL:
        outbox_deliver_pending(now=None)
        return
    window = max(settings.MOTCUA_OUTBOX_HANDOFF_MS, 0) / 1000
    with _handoff.lock:
        moment = time.monotonic()
        if _handoff.broker_down_until is not None and moment < _handoff.broker_down_until:
            return  # the breaker is open: the beat job picks these rows up
        last = _handoff.last_sent
        if last is not None and moment - last < window:
            if _handoff.trailing is None:  # else the armed send leaves after this commit
                timer = threading.Timer(last + window - moment, _send_trailing)
                timer.daemon = True
                _handoff.trailing = timer
                timer.start()
            return
        _handoff.last_sent = moment
    _send()


def _send_trailing() -> None:
    with _handoff.lock:
        _handoff.trailing = None
        _handoff.last_sent = time.monotonic()
    _send()


def _send() -> None:
    try:
        _publish()
    except Exception as exc:
        cooldown = settings.MOTCUA_OUTBOX_BROKER_COOLDOWN_S
        with _handoff.lock:
            _handoff.broker_down_until = time.monotonic() + cooldown
            _handoff.last_sent = None
        logger.warning(
            "outbox: broker unavailable (%s); not trying it again for %s s, the beat job "
            "delivers the rows",
            type(exc).__name__,
            cooldown,
        )
    else:
        with _handoff.lock:
            _handoff.broker_down_until = None


def _publish() -> None:
    """Send `deliver_outbox` once, on this process's own connection: no kombu retry loop,
    a short connect timeout. Raises when the broker does not take it."""
    from .tasks import deliver_outbox

    url = settings.CELERY_BROKER_URL
    with _handoff.publish_lock:
        if _handoff.connection is None or _handoff.connection_url != url:
            _drop_connection()
            timeout = settings.MOTCUA_OUTBOX_PUBLISH_TIMEOUT_S
            options = dict(deliver_outbox.app.conf.broker_transport_options or {})
            options.update(max_retries=0, socket_connect_timeout=timeout)
            _handoff.connection = deliver_outbox.app.connection_for_write(
                url, transport_options=options, connect_timeout=timeout
            )
            _handoff.connection_url = url
        try:
            deliver_outbox.apply_async(connection=_handoff.connection, retry=False)
        except Exception:
            _drop_connection()
            raise


def _drop_connection() -> None:
    """Close the publisher connection (the caller holds `publish_lock`)."""
    connection, _handoff.connection = _handoff.connection, None
    if connection is not None:
        try:
            connection.release()
        except Exception:
            logger.debug("outbox: closing the publisher connection failed", exc_info=True)
