"""Reads: a person's in-app notifications, the sends about a dossier, the dead letters, and
the webhook endpoints an actor may manage (access selectors: another owner's endpoint is
"not found", never "forbidden")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound, PermissionDenied
from motcua.core.models import OutboxDelivery

from .models import Notification, NotificationDelivery, WebhookDelivery, WebhookEndpoint


def notifications_for(person: AbstractBaseUser) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first (the portal lists them). Served by
    the index `(person, -created_at)`: a page reads its own rows whatever the table's size."""
    return Notification.objects.filter(person_id=person.pk).order_by("-created_at", "-id")


def notification_get_for_person(*, person: AbstractBaseUser, notification_id: int) -> Notification:
    """One of the person's notifications; another person's or none at all is the same
    `NotFound` (an id in the address says nothing about who it belongs to)."""
    found = Notification.objects.filter(person_id=person.pk, pk=notification_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy thông báo."))
    return found


def notification_unread_count(*, person: AbstractBaseUser) -> int:
    """How many of the person's notifications are unread: one COUNT over the partial index
    `notification_unread_idx` (only unread rows are in it)."""
    return Notification.objects.filter(person_id=person.pk, read_at__isnull=True).count()


def notification_deliveries_for_dossier(*, code: str) -> QuerySet[NotificationDelivery]:
    """What was sent (or not) about the dossier, oldest first. The caller checks access."""
    return NotificationDelivery.objects.filter(dossier_code=code).order_by("created_at", "id")


def notification_dead_letters() -> QuerySet[OutboxDelivery]:
    """Notification deliveries the outbox gave up on: the admin's alert."""
    return OutboxDelivery.objects.filter(
        subscriber__startswith="notifications.", status=OutboxDelivery.Status.DEAD
    )


def webhook_admin(actor: Any) -> bool:
    """An administrator of webhooks: a superuser, or staff allowed to change endpoints in the
    admin. Sees and manages every endpoint, the admin's own (without owner) included."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and (
            actor.is_superuser
            or (actor.is_staff and actor.has_perm("notifications.change_webhookendpoint"))
        )
    )


def webhook_may_subscribe(actor: Any) -> bool:
    """Integrator accounts (each managing its own endpoints) and webhook administrators."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and (getattr(actor, "kind", None) == User.Kind.INTEGRATOR or webhook_admin(actor))
    )


def webhook_endpoints_for_actor(*, actor: User) -> QuerySet[WebhookEndpoint]:
    """The endpoints `actor` manages, newest first (deleted ones are gone); PermissionDenied
    (`webhooks_not_allowed`) for an account that may not subscribe at all."""
    if not webhook_may_subscribe(actor):
        raise PermissionDenied(
            _("Chỉ tài khoản hệ thống tích hợp mới đăng ký được webhook."),
            code="webhooks_not_allowed",
        )
    endpoints = WebhookEndpoint.objects.filter(deleted_at__isnull=True)
    if not webhook_admin(actor):
        endpoints = endpoints.filter(owner=actor)
    return endpoints.order_by("-created_at", "-id")


def webhook_endpoint_get_for_actor(*, actor: User, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint `actor` manages, else NotFound (another owner's included)."""
    endpoint = webhook_endpoints_for_actor(actor=actor).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("Không tìm thấy điểm nhận webhook %(id)s."), id=endpoint_id)
    return endpoint


def webhook_deliveries_for_endpoint(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first. The caller checked access to the endpoint."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")


def webhook_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """One delivery of the endpoint's log, else NotFound."""
    row = webhook_deliveries_for_endpoint(endpoint=endpoint).filter(pk=delivery_id).first()
    if row is None:
        raise NotFound(_("Không tìm thấy lượt gửi %(id)s."), id=delivery_id)
    return row
