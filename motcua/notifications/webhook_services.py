"""Webhook subscriptions: an integrator (or a webhook administrator) creates, changes,
deletes its endpoints, rotates their secret and asks for a delivery again.

Each service is one transaction with one audit event (`webhook.create`, `webhook.update`,
`webhook.delete`, `webhook.rotate_secret`, `webhook.test`, `webhook.redeliver`; the secret is
never in them). The endpoint's owner is the acting account; only it and webhook
administrators may touch the endpoint (anyone else: NotFound, as the access selectors
answer). Whatever is posted goes through the outbox after the commit (subscriber
`notifications.webhooks`), the test event and redeliveries included.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.core.services import audit_record

from .models import WebhookDelivery, WebhookEndpoint, new_webhook_secret
from .selectors import webhook_admin, webhook_may_subscribe
from .webhook_rules import REDELIVER_TOPIC, TEST_TOPIC, topics_clean, webhook_url_check
from .webhooks import webhook_body

OBJECT_TYPE = "notifications.WebhookEndpoint"


def _state(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "url": endpoint.url,
        "topics": endpoint.topic_list,
        "active": endpoint.active,
    }


def _name_clean(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(
            _("Cần đặt tên cho điểm nhận."),
            code="webhook_name_required",
            errors=[{"field": "name", "code": "webhook_name_required"}],
        )
    return name[:100]


def _locked(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """The endpoint locked for the change, if `actor` manages it and it is not deleted."""
    locked = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if (
        locked is None
        or locked.deleted_at is not None
        or not webhook_may_subscribe(actor)
        or (locked.owner_id != actor.pk and not webhook_admin(actor))
    ):
        raise NotFound(_("Không tìm thấy điểm nhận webhook %(id)s."), id=endpoint.pk)
    return locked


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User, name: str, url: str, topics: Sequence[str], now: dt.datetime
) -> WebhookEndpoint:
    """A new endpoint owned by `actor`, active, with a fresh secret (the caller shows it once).
    Refused: an account that may not subscribe (`webhooks_not_allowed`), a URL or topic the
    rules refuse (`webhook_rules`), more than `MOTCUA_WEBHOOKS_MAX_PER_OWNER` endpoints
    (`too_many_webhooks`)."""
    if not webhook_may_subscribe(actor):
        raise PermissionDenied(
            _("Chỉ tài khoản hệ thống tích hợp mới đăng ký được webhook."),
            code="webhooks_not_allowed",
        )
    name = _name_clean(name)
    url = webhook_url_check(url)
    patterns = topics_clean(topics)
    # The owner's row serialises its creations, so two at once cannot pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings.MOTCUA_WEBHOOKS_MAX_PER_OWNER
    if WebhookEndpoint.objects.filter(owner=actor, deleted_at__isnull=True).count() >= limit:
        raise Conflict(
            _("Mỗi tài khoản có tối đa %(limit)s điểm nhận webhook: xoá bớt một điểm trước."),
            code="too_many_webhooks",
            limit=limit,
        )
    endpoint = WebhookEndpoint.objects.create(
        owner=actor,
        name=name,
        url=url,
        topics=",".join(patterns),
        secret=new_webhook_secret(),
        active=True,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action="webhook.create",
        object_type=OBJECT_TYPE,
        object_id=endpoint.pk,
        now=now,
        after=_state(endpoint),
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    now: dt.datetime,
    name: str | None = None,
    url: str | None = None,
    topics: Sequence[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given (None: unchanged), checked as at creation; one audit event with
    the fields that changed (none changed: no event)."""
    locked = _locked(actor=actor, endpoint=endpoint)
    before = _state(locked)
    if name is not None:
        locked.name = _name_clean(name)
    if url is not None:
        locked.url = webhook_url_check(url)
    if topics is not None:
        locked.topics = ",".join(topics_clean(topics))
    if active is not None:
        locked.active = active
    after = _state(locked)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        locked.updated_at = now
        locked.save(update_fields=["name", "url", "topics", "active", "updated_at"])
        audit_record(
            actor=actor,
            action="webhook.update",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            now=now,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return locked


@transaction.atomic
def webhook_endpoint_delete(
    *, actor: User, endpoint: WebhookEndpoint, now: dt.datetime
) -> WebhookEndpoint:
    """Deactivate for good: nothing is sent to it any more (a retry pending in the outbox
    included), the API no longer shows it, its delivery log stays (admin)."""
    locked = _locked(actor=actor, endpoint=endpoint)
    before = _state(locked)
    locked.active = False
    locked.deleted_at = locked.updated_at = now
    locked.save(update_fields=["active", "deleted_at", "updated_at"])
    audit_record(
        actor=actor,
        action="webhook.delete",
        object_type=OBJECT_TYPE,
        object_id=locked.pk,
        now=now,
        before=before,
        after={"active": False, "deleted_at": now},
    )
    return locked


def _grace_clean(grace: dt.timedelta | None) -> dt.timedelta:
    """The grace period asked for (None: `MOTCUA_WEBHOOK_SECRET_GRACE_S`), between none and
    `MOTCUA_WEBHOOK_SECRET_GRACE_MAX_S`; else `webhook_grace_invalid`."""
    if grace is None:
        return dt.timedelta(seconds=settings.MOTCUA_WEBHOOK_SECRET_GRACE_S)
    limit = dt.timedelta(seconds=settings.MOTCUA_WEBHOOK_SECRET_GRACE_MAX_S)
    if not dt.timedelta(0) <= grace <= limit:
        raise ValidationError(
            _("Thời gian giữ khoá cũ phải từ 0 đến %(hours)s giờ."),
            code="webhook_grace_invalid",
            errors=[{"field": "grace_hours", "code": "webhook_grace_invalid"}],
            hours=int(limit.total_seconds() // 3600),
        )
    return grace


@transaction.atomic
def webhook_secret_rotate(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    now: dt.datetime,
    grace: dt.timedelta | None = None,
) -> WebhookEndpoint:
    """A new secret, in force for the next attempt of every delivery (retries included).
    The replaced one keeps signing beside it for `grace` (None: the default of
    `MOTCUA_WEBHOOK_SECRET_GRACE_S`; zero: it stops at once), so each delivery until
    `previous_secret_expires_at` carries both signatures; after it, the new one only. A
    rotation during a grace period drops the older secret at once (two at most). Refused:
    a grace outside its limits (`webhook_grace_invalid`). The caller shows the new secret
    once; the audit event `webhook.rotate_secret` holds when the old one stops, no secret."""
    grace = _grace_clean(grace)
    locked = _locked(actor=actor, endpoint=endpoint)
    before = {"previous_secret_expires_at": locked.previous_secret_expires_at}
    expires = now + grace if grace else None
    locked.previous_secret = locked.secret if expires is not None else ""
    locked.previous_secret_expires_at = expires
    locked.secret = new_webhook_secret()
    locked.secret_rotated_at = locked.updated_at = now
    locked.save(
        update_fields=[
            "secret",
            "previous_secret",
            "previous_secret_expires_at",
            "secret_rotated_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="webhook.rotate_secret",
        object_type=OBJECT_TYPE,
        object_id=locked.pk,
        now=now,
        before=before,
        after={
            "secret_rotated_at": now,
            "grace_s": int(grace.total_seconds()),
            "previous_secret_expires_at": expires,
        },
    )
    return locked


@transaction.atomic
def webhook_delivery_redeliver(
    *, actor: User, delivery: WebhookDelivery, now: dt.datetime
) -> WebhookDelivery:
    """Send a logged delivery again through the outbox (retried with its backoff like any
    other): the same document and delivery id, signed afresh with the current secret. The
    row says `sending` until the endpoint answers. Refused for a paused endpoint
    (`webhook_inactive`) and for a delivery logged before documents were kept
    (`webhook_delivery_not_redeliverable`)."""
    endpoint = _locked(actor=actor, endpoint=delivery.endpoint)
    row = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk, endpoint=endpoint)
    if not endpoint.active:
        raise Conflict(
            _("Điểm nhận đang tạm dừng: bật lại trước khi gửi lại."), code="webhook_inactive"
        )
    if not row.body:
        raise Conflict(
            _("Lượt gửi này không còn nội dung để gửi lại."),
            code="webhook_delivery_not_redeliverable",
        )
    before = {"status": row.status, "attempts": row.attempts}
    row.status = WebhookDelivery.Status.SENDING
    row.save(update_fields=["status"])
    outbox_enqueue(topic=REDELIVER_TOPIC, payload={"delivery": row.pk}, now=now)
    audit_record(
        actor=actor,
        action="webhook.redeliver",
        object_type="notifications.WebhookDelivery",
        object_id=row.pk,
        now=now,
        before=before,
        after={"status": row.status, "endpoint": endpoint.pk},
    )
    return row


@transaction.atomic
def webhook_test_send(
    *, actor: User, endpoint: WebhookEndpoint, now: dt.datetime
) -> WebhookDelivery:
    """The test button (admin, `POST /api/v1/webhooks/{id}/test`): a signed `webhook.test`
    event (`{"test": true}`) logged as a new `sending` delivery and posted through the outbox
    after the commit, retried with its backoff like every delivery, also to a paused endpoint
    (nothing to a deleted one: NotFound). Audit event `webhook.test`."""
    locked = _locked(actor=actor, endpoint=endpoint)
    key = f"test:{secrets.token_hex(8)}:webhook:{locked.pk}"
    body = webhook_body(key=key, topic=TEST_TOPIC, created_at=now, data={"test": True})
    row = WebhookDelivery.objects.create(
        endpoint=locked, delivery_key=key, topic=TEST_TOPIC, body=body.decode(), created_at=now
    )
    outbox_enqueue(topic=TEST_TOPIC, payload={"delivery": row.pk}, now=now)
    audit_record(
        actor=actor,
        action="webhook.test",
        object_type="notifications.WebhookDelivery",
        object_id=row.pk,
        now=now,
        after={"status": row.status, "endpoint": locked.pk, "key": key},
    )
    return row
