"""Reads: a person's in-app notifications, the sends about a dossier, the dead letters."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from motcua.core.models import OutboxDelivery

from .models import Notification, NotificationDelivery


def notifications_for(person: AbstractBaseUser) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first (the portal lists them)."""
    return Notification.objects.filter(person_id=person.pk).order_by("-created_at", "-id")


def notification_deliveries_for_dossier(*, code: str) -> QuerySet[NotificationDelivery]:
    """What was sent (or not) about the dossier, oldest first. The caller checks access."""
    return NotificationDelivery.objects.filter(dossier_code=code).order_by("created_at", "id")


def notification_dead_letters() -> QuerySet[OutboxDelivery]:
    """Notification deliveries the outbox gave up on: the admin's alert."""
    return OutboxDelivery.objects.filter(
        subscriber__startswith="notifications.", status=OutboxDelivery.Status.DEAD
    )
