"""The transactional outbox.

`outbox_enqueue` must run inside the transaction that makes the change; the row commits or
rolls back with it. After commit the row is handed to Celery (`motcua.core.tasks`) when a
broker is configured, or delivered in process otherwise. `outbox_deliver_pending` is the one
delivery loop both paths use; it is safe to run concurrently (rows are claimed with
SKIP LOCKED where the database supports it).
"""

from __future__ import annotations

import datetime as dt
import logging
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


def _schedule_delivery() -> None:
    if settings.CELERY_BROKER_URL:
        from .tasks import deliver_outbox

        try:
            deliver_outbox.delay()
            return
        except Exception:  # the broker is down: the rows stay pending, deliver them here
            logger.warning("outbox: broker unavailable, delivering in process")
    outbox_deliver_pending(now=None)


def outbox_deliver_pending(*, now: dt.datetime | None, limit: int = 100) -> int:
    """Deliver pending messages; returns how many were delivered."""
    from django.utils import timezone

    moment = now or timezone.now()
    delivered = 0
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, available_at__lte=moment)
            .order_by("id")[:limit]
        )
        for message in rows:
            message.attempts += 1
            try:
                with transaction.atomic():  # a failing handler rolls back only its own writes
                    for handler in _HANDLERS.get(message.topic, []):
                        handler(message.payload)
            except Exception as exc:
                backoff = dt.timedelta(minutes=min(2**message.attempts, 60))
                message.available_at = moment + backoff
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                logger.exception("outbox: message %s failed", message.pk)
            else:
                message.delivered_at = moment
                message.last_error = ""
                delivered += 1
            message.save(update_fields=["attempts", "available_at", "delivered_at", "last_error"])
    return delivered
