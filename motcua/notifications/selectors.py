"""Reads: a person's in-app notifications, the sends about a dossier, the dead letters."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.core.models import OutboxDelivery

from .models import Notification, NotificationDelivery


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
