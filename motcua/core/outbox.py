"""The transactional outbox.

`outbox_enqueue` must run inside the transaction that makes the change; the row commits or
rolls back with it. After commit the row is handed to Celery (`motcua.core.tasks`) when a
broker is configured, or delivered in process otherwise. `outbox_deliver_pending` is the one
delivery loop both paths use; it drains every row available and is safe to run concurrently
(rows are claimed with SKIP LOCKED where the database supports it).

The hand-off to Celery is throttled per process (`MOTCUA_OUTBOX_HANDOFF_MS`, default 200):
the first commit of a window sends `deliver_outbox` at once; a commit less than the window
after the last send arms one trailing send at the end of the window instead (a timer thread;
later commits of the window ride on it). The trailing send leaves after those commits, so
its task sees their rows even if the task sent at the start of the window had already
finished its drain. A row whose hand-off is lost (the process dies before the trailing
send, the broker refuses it) stays pending for the beat schedule ("deliver-outbox", every
10 s): that is the worst-case latency; the usual one is under the window.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
_HANDLERS: dict[str, list[Handler]] = {}


def outbox_register(topic: str, handler: Handler) -> None:
    """Register a handler for a topic (call from an AppConfig.ready)."""
    handlers = _HANDLERS.setdefault(topic, [])
    if handler not in handlers:
        handlers.append(handler)


def outbox_enqueue(*, topic: str, payload: dict[str, Any], now: dt.datetime) -> OutboxMessage:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue must run inside the transaction of the change")
    message = OutboxMessage.objects.create(
        topic=topic, payload=payload, created_at=now, available_at=now
    )
    transaction.on_commit(_schedule_delivery)
    return message


class _HandOff:
    """Per-process throttle of `deliver_outbox.delay()` (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_sent: float | None = None  # time.monotonic() of the last send
        self.trailing: threading.Timer | None = None  # the armed trailing send

    def fresh(self) -> None:
        """In a forked child: a new lock (the parent's may have been held), no timer."""
        self.lock = threading.Lock()
        self.last_sent = None
        self.trailing = None

    def reset(self) -> None:
        with self.lock:
            if self.trailing is not None:
                self.trailing.cancel()
            self.last_sent = None
            self.trailing = None


_handoff = _HandOff()
# A forked child (gunicorn --preload, Celery prefork) has no timer thread: start it clean.
os.register_at_fork(after_in_child=lambda: _handoff.fresh())


def outbox_handoff_reset() -> None:
    """Forget this process's hand-off state, cancelling a trailing send (tests)."""
    _handoff.reset()


def _schedule_delivery() -> None:
    if not settings.CELERY_BROKER_URL:
        outbox_deliver_pending(now=None)
        return
    window = max(settings.MOTCUA_OUTBOX_HANDOFF_MS, 0) / 1000
    with _handoff.lock:
        moment = time.monotonic()
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
    _send(in_timer_thread=True)


def _send(*, in_timer_thread: bool = False) -> None:
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay()
        return
    except Exception:  # the broker is down: the rows stay pending, deliver them here
        logger.warning("outbox: broker unavailable, delivering in process")
        with _handoff.lock:
            _handoff.last_sent = None  # the next commit tries the broker again
    try:
        outbox_deliver_pending(now=None)
    finally:
        if in_timer_thread:
            from django.db import connection

            connection.close()  # the timer thread's own connection


def outbox_deliver_pending(*, now: dt.datetime | None, batch: int = 100) -> int:
    """Deliver every pending message available, `batch` rows per transaction, until a batch
    comes back short (rows committed meanwhile are taken too); returns how many were
    delivered. `now=None` reads the clock at each batch."""
    from django.utils import timezone

    delivered = 0
    while True:
        claimed, ok = _deliver_batch(now=now or timezone.now(), batch=batch)
        delivered += ok
        if claimed < batch:
            return delivered


def _deliver_batch(*, now: dt.datetime, batch: int) -> tuple[int, int]:
    """One transaction: claim up to `batch` rows and deliver them. Returns (claimed, delivered).
    A failed row moves `available_at` past `now`, so the drain never claims it twice."""
    delivered = 0
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, available_at__lte=now)
            .order_by("id")[:batch]
        )
        for message in rows:
            message.attempts += 1
            try:
                with transaction.atomic():  # a failing handler rolls back only its own writes
                    for handler in _HANDLERS.get(message.topic, []):
                        handler(message.payload)
            except Exception as exc:
                backoff = dt.timedelta(minutes=min(2**message.attempts, 60))
                message.available_at = now + backoff
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                logger.exception("outbox: message %s failed", message.pk)
            else:
                message.delivered_at = now
                message.last_error = ""
                delivered += 1
            message.save(update_fields=["attempts", "available_at", "delivered_at", "last_error"])
    return len(rows), delivered
