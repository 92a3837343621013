"""Signed webhooks for integrators, through the same outbox (subscriber
`notifications.webhooks`).

Each POST carries `X-Motcua-Timestamp` (Unix seconds), `X-Motcua-Signature: v1=<hex>` with
`hex = HMAC-SHA256(secret, "<timestamp>.<body>")`, and `X-Motcua-Delivery` (the same on
every retry: the receiver deduplicates on it). The receiver recomputes the signature over the
raw body and refuses a timestamp more than 5 minutes away (a replayed request).
`webhook_verify` is that check, for integrators writing in Python and for the tests.

One outbox delivery covers every endpoint of a message; an endpoint already answered 2xx is
not posted again when another one fails and the delivery is retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from motcua.core.outbox import OutboxEnvelope

from .models import WebhookDelivery, WebhookEndpoint

TOLERANCE_S = 300
TIMEOUT_S = 5.0


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def webhook_verify(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """True when `signature` is ours over `timestamp` and `body`, and the timestamp is within
    TOLERANCE_S of `now` (else a replay)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > TOLERANCE_S:
        return False
    expected = webhook_signature(secret=secret, timestamp=sent, body=body)
    return hmac.compare_digest(expected, signature)


def _matches(endpoint: WebhookEndpoint, topic: str) -> bool:
    for pattern in (p.strip() for p in endpoint.topics.split(",")):
        if pattern == "*" or pattern == topic:
            return True
        if pattern.endswith(".*") and topic.startswith(pattern[:-1]):
            return True
    return False


def _post(endpoint: WebhookEndpoint, *, key: str, body: bytes) -> int:
    """POST, return the HTTP status; raises on anything but 2xx."""
    if not endpoint.url.startswith(("https://", "http://")):
        raise ValueError("webhook URL must be http(s)")
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "motcua-webhooks/1",
            "X-Motcua-Delivery": key,
            "X-Motcua-Timestamp": str(timestamp),
            "X-Motcua-Signature": webhook_signature(
                secret=endpoint.secret, timestamp=timestamp, body=body
            ),
        },
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
        return int(response.status)


def _body(*, key: str, topic: str, created_at: dt.datetime, data: dict[str, Any]) -> bytes:
    document = {"id": key, "topic": topic, "created_at": created_at.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def _deliver(endpoint: WebhookEndpoint, *, key: str, topic: str, body: bytes) -> str | None:
    """Send unless already sent; returns the error, or None when the endpoint has it."""
    now = timezone.now()
    try:
        row = WebhookDelivery.objects.create(
            endpoint=endpoint, delivery_key=key, topic=topic, created_at=now
        )
    except IntegrityError:
        row = WebhookDelivery.objects.get(delivery_key=key)
        if row.status == WebhookDelivery.Status.SENT:
            return None
    try:
        status = _post(endpoint, key=key, body=body)
    except urllib.error.HTTPError as exc:
        error, status_code = f"HTTP {exc.code}", exc.code
    except Exception as exc:
        error, status_code = type(exc).__name__, None
    else:
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=WebhookDelivery.Status.SENT,
            attempts=F("attempts") + 1,
            response_status=status,
            sent_at=timezone.now(),
            last_error="",
        )
        return None
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=WebhookDelivery.Status.FAILED,
        attempts=F("attempts") + 1,
        response_status=status_code,
        last_error=error[:300],
    )
    return error


class WebhookFailed(Exception):
    """Some endpoints did not take the message: the outbox retries (only those)."""


def handle_webhooks(envelope: OutboxEnvelope) -> None:
    if envelope.schema != 1:
        raise ValueError(f"unknown payload schema {envelope.schema}")
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True) if _matches(e, envelope.topic)
    ]
    errors = []
    for endpoint in endpoints:
        key = f"{envelope.idempotency_key}:webhook:{endpoint.pk}"
        body = _body(
            key=key, topic=envelope.topic, created_at=envelope.created_at, data=envelope.payload
        )
        error = _deliver(endpoint, key=key, topic=envelope.topic, body=body)
        if error is not None:
            errors.append(f"{endpoint.pk}: {error}")
    if errors:
        raise WebhookFailed("; ".join(errors))


def webhook_send_test(*, endpoint: WebhookEndpoint, now: dt.datetime) -> WebhookDelivery:
    """The admin's test button: a signed `webhook.test` event now, logged like the others."""
    key = f"test:{secrets.token_hex(8)}:webhook:{endpoint.pk}"
    body = _body(key=key, topic="webhook.test", created_at=now, data={"test": True})
    _deliver(endpoint, key=key, topic="webhook.test", body=body)
    return WebhookDelivery.objects.get(delivery_key=key)
