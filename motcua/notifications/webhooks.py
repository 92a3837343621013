"""Signed webhooks for integrators, through the same outbox (subscriber
`notifications.webhooks`).

Each POST carries `X-Motcua-Timestamp` (Unix seconds), `X-Motcua-Signature: v1=<hex>` with
`hex = HMAC-SHA256(secret, "<timestamp>.<body>")`, and `X-Motcua-Delivery` (the same on
every retry: the receiver deduplicates on it). During a secret's grace period after a
rotation the signature header holds one `v1=` entry per secret, comma-separated, the new
secret's first, all over the same timestamp (`v1=<new>,v1=<old>`, as Stripe does). The
receiver recomputes the signature over the raw body, accepts the request when any entry
matches, and refuses a timestamp more than 5 minutes away (a replayed request).
`webhook_verify` is that check, for integrators writing in Python and for the tests.

One outbox delivery covers every endpoint of a message; an endpoint already answered 2xx is
not posted again when another one fails and the delivery is retried. A test event and a
redelivery are outbox messages of their own (`webhook.test`, `webhook.redeliver`) naming
the logged delivery to post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from motcua.core.outbox import OutboxEnvelope

from .context import dossiers_visible
from .models import WebhookDelivery, WebhookEndpoint
from .webhook_rules import (
    REDELIVER_TOPIC,
    TEST_TOPIC,
    address_is_public,
    local_urls_allowed,
    topic_matches,
)
from .webhook_secrets import webhook_previous_secrets_erase

TOLERANCE_S = 300
TIMEOUT_S = 5.0


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def webhook_signature_header(*, secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """`X-Motcua-Signature`: one `v1=` entry per secret, in order, comma-separated."""
    return ",".join(webhook_signature(secret=s, timestamp=timestamp, body=body) for s in secrets)


def webhook_verify(
    *, secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """True when one entry of the `signature` header is ours with `secret` over `timestamp`
    and `body`, and the timestamp is within TOLERANCE_S of `now` (else a replay)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > TOLERANCE_S:
        return False
    expected = webhook_signature(secret=secret, timestamp=sent, body=body)
    entries = [entry.strip() for entry in signature.split(",")]
    # Every entry compared, so the time taken does not tell which one matched.
    return sum(hmac.compare_digest(expected, entry) for entry in entries) > 0


class WebhookAddressRefused(OSError):
    """The endpoint's host answered from an address that is not public (an integrator's
    endpoint, `webhook_rules.address_is_public`)."""


def _checked(sock: Any) -> None:
    peer = sock.getpeername()[0]
    if not address_is_public(str(peer)):
        sock.close()
        raise WebhookAddressRefused(f"address not public: {peer}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _checked(self.sock)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        # Check the TCP peer before TLS: nothing is said to an internal address.
        http.client.HTTPConnection.connect(self)
        _checked(self.sock)
        host = getattr(self, "_tunnel_host", None) or self.host
        self.sock = self._context.wrap_socket(self.sock, server_hostname=host)  # type: ignore[attr-defined]  # set by HTTPSConnection.__init__


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]  # HTTPSHandler's own


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer like any other non-2xx: a failure (urllib would re-send the POST
    as a GET, possibly somewhere else)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(endpoint: WebhookEndpoint) -> urllib.request.OpenerDirector:
    """An integrator's endpoint (with an owner) is checked on the connected socket, without
    a proxy (whose address would be the one checked); an administrator's is not."""
    if endpoint.owner_id is None or local_urls_allowed():
        return urllib.request.build_opener(_NoRedirect)
    if not endpoint.url.startswith("https://"):
        raise WebhookAddressRefused("an integrator's endpoint must be https")
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _NoRedirect, _GuardedHTTPHandler, _GuardedHTTPSHandler
    )


def _post(endpoint: WebhookEndpoint, *, key: str, body: bytes, now: dt.datetime) -> int:
    """POST signed at `now` (with every secret in force then), return the HTTP status;
    raises on anything but 2xx. A previous secret whose grace is over is erased first."""
    if not endpoint.url.startswith(("https://", "http://")):
        raise ValueError("webhook URL must be http(s)")
    secrets = endpoint.signing_secrets(now)
    if endpoint.previous_secret and endpoint.previous_secret not in secrets:
        webhook_previous_secrets_erase(now=now, endpoint=endpoint)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "motcua-webhooks/1",
            "X-Motcua-Delivery": key,
            "X-Motcua-Timestamp": str(timestamp),
            "X-Motcua-Signature": webhook_signature_header(
                secrets=secrets, timestamp=timestamp, body=body
            ),
        },
    )
    with _opener(endpoint).open(request, timeout=TIMEOUT_S) as response:
        status = int(response.status)
    if not 200 <= status < 300:
        raise urllib.error.HTTPError(
            endpoint.url, status, "not 2xx", http.client.HTTPMessage(), None
        )
    return status


def webhook_body(*, key: str, topic: str, created_at: dt.datetime, data: dict[str, Any]) -> bytes:
    document = {"id": key, "topic": topic, "created_at": created_at.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def _deliver(
    endpoint: WebhookEndpoint, *, key: str, topic: str, body: bytes, final: bool = False
) -> str | None:
    """Send unless already sent; returns the error, or None when the endpoint has it.
    `final`: the outbox's last attempt (a failure is then `dead`, not `failed`)."""
    try:
        row = WebhookDelivery.objects.create(
            endpoint=endpoint,
            delivery_key=key,
            topic=topic,
            body=body.decode(),
            created_at=timezone.now(),
        )
    except IntegrityError:
        row = WebhookDelivery.objects.get(delivery_key=key)
        if row.status == WebhookDelivery.Status.SENT:
            return None
    return _attempt(endpoint, row, body, final=final)


def _attempt(
    endpoint: WebhookEndpoint, row: WebhookDelivery, body: bytes, *, final: bool = False
) -> str | None:
    """One POST of `row`, recorded on it; returns the error, or None when it was taken."""
    try:
        status = _post(endpoint, key=row.delivery_key, body=body, now=timezone.now())
    except urllib.error.HTTPError as exc:
        error, status_code = f"HTTP {exc.code}", exc.code
    except urllib.error.URLError as exc:  # the cause: refused, timed out, not public, ...
        reason = exc.reason
        error = type(reason).__name__ if isinstance(reason, BaseException) else "URLError"
        status_code = None
    except Exception as exc:
        error, status_code = type(exc).__name__, None
    else:
        at = timezone.now()
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=WebhookDelivery.Status.SENT,
            attempts=F("attempts") + 1,
            response_status=status,
            sent_at=at,
            last_attempt_at=at,
            last_error="",
        )
        return None
    WebhookDelivery.objects.filter(pk=row.pk).update(
        status=WebhookDelivery.Status.DEAD if final else WebhookDelivery.Status.FAILED,
        attempts=F("attempts") + 1,
        response_status=status_code,
        last_attempt_at=timezone.now(),
        last_error=error[:300],
    )
    return error


class WebhookFailed(Exception):
    """Some endpoints did not take the message: the outbox retries (only those)."""


def _recipients(envelope: OutboxEnvelope) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to the topic; an integrator's only for a dossier its
    account may see (asked of the dossiers app, `context.dossiers_visible`)."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(active=True, deleted_at__isnull=True)
        if any(topic_matches(pattern, envelope.topic) for pattern in e.topic_list)
    ]
    owners = {e.owner_id for e in endpoints if e.owner_id is not None}
    if not owners:
        return endpoints
    code = str(envelope.payload.get("code", ""))
    seen = {owner for owner in owners if code and code in dossiers_visible(owner, [code])}
    return [e for e in endpoints if e.owner_id is None or e.owner_id in seen]


def handle_webhooks(envelope: OutboxEnvelope) -> None:
    if envelope.schema != 1:
        raise ValueError(f"unknown payload schema {envelope.schema}")
    if envelope.topic in (REDELIVER_TOPIC, TEST_TOPIC):
        _redeliver(
            int(envelope.payload["delivery"]),
            final=_final(envelope),
            paused_too=envelope.topic == TEST_TOPIC,
        )
        return
    errors = []
    for endpoint in _recipients(envelope):
        key = f"{envelope.idempotency_key}:webhook:{endpoint.pk}"
        body = webhook_body(
            key=key, topic=envelope.topic, created_at=envelope.created_at, data=envelope.payload
        )
        error = _deliver(endpoint, key=key, topic=envelope.topic, body=body, final=_final(envelope))
        if error is not None:
            errors.append(f"{endpoint.pk}: {error}")
    if errors:
        raise WebhookFailed("; ".join(errors))


def _final(envelope: OutboxEnvelope) -> bool:
    return envelope.attempt >= settings.MOTCUA_OUTBOX_MAX_ATTEMPTS


def _redeliver(delivery_id: int, *, final: bool, paused_too: bool = False) -> None:
    """Post a logged delivery (again), as it was (same delivery id, a fresh timestamp and
    signature with the endpoint's secrets in force); nothing for an endpoint deleted since,
    nor for one paused since unless `paused_too` (the test event), nor once it was taken."""
    row = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if row is None or row.endpoint.deleted_at is not None:
        return
    if not (row.endpoint.active or paused_too):
        return
    if row.status == WebhookDelivery.Status.SENT:
        return  # taken already: the outbox delivers at least once, the services set `sending`
    error = _attempt(row.endpoint, row, row.body.encode(), final=final)
    if error is not None:
        raise WebhookFailed(f"{row.endpoint_id}: {error}")
