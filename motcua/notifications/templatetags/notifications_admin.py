"""The admin index's alert: notifications the outbox gave up on."""

from __future__ import annotations

from django import template

from ..selectors import notification_dead_letters

register = template.Library()


@register.simple_tag
def notification_dead_letter_count() -> int:
    return notification_dead_letters().count()
