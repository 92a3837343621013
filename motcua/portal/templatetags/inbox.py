"""The header's unread count (`{% unread_notifications as unread %}`): one COUNT per request
for a signed-in person, none for anyone else."""

from __future__ import annotations

from django import template

from motcua.notifications.selectors import notification_unread_count

register = template.Library()

_CACHE = "_motcua_unread_notifications"


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The signed-in person's unread notifications, counted once per request (the header
    and the page may both ask); 0 without a signed-in person, without a query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, _CACHE, None)
    if cached is None:
        cached = notification_unread_count(person=user)
        setattr(request, _CACHE, cached)
    return int(cached)
