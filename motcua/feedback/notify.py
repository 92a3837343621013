"""What the notifications app may know of a feedback, at delivery time (registered in
`ready()`: notifications sits below feedback and cannot ask itself). The outbox payload
carries codes and ids; the contact is read here, when the message is sent."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from motcua.notifications.context import FeedbackFacts, FeedbackItem, StaffContact, UnitReminder
from motcua.notifications.models import NotificationPreference
from motcua.organisation.models import RoleAssignment, Unit

from .models import UNANSWERED_STATUSES, Feedback
from .selectors import ANSWER_ROLES


def feedback_follow_url(code: str) -> str:
    return f"{settings.MOTCUA_FEEDBACK_URL.rstrip('/')}/{code}/"


def feedback_notification_facts(code: str) -> FeedbackFacts | None:
    """The sender: the phone and e-mail given with the feedback, else the account's; the
    account's language and channel choices (an anonymous sender has none to honour)."""
    feedback = (
        Feedback.objects.select_related("sender__notification_preference")
        .only(
            "code",
            "sender",
            "sender_phone",
            "sender_email",
            "due_at",
            "closed_reason",
            "sender__phone",
            "sender__email",
            "sender__language",
            "sender__notification_preference__sms",
            "sender__notification_preference__email",
            "sender__notification_preference__inapp",
            "sender__notification_preference__events_off",
        )
        .filter(code=code)
        .first()
    )
    if feedback is None:
        return None
    sender = feedback.sender
    off: frozenset[str] = frozenset()
    events_off: frozenset[str] = frozenset()
    if sender is not None:
        try:
            preference = sender.notification_preference
        except NotificationPreference.DoesNotExist:
            pass
        else:
            off = frozenset(c for c in ("sms", "email", "inapp") if not preference.allows(c))
            events_off = frozenset(preference.events_off or [])
    return FeedbackFacts(
        code=feedback.code,
        person_id=sender.pk if sender is not None else None,
        phone=feedback.sender_phone or (sender.phone if sender is not None else ""),
        email=feedback.sender_email or (sender.email if sender is not None else ""),
        language=sender.language if sender is not None else "vi",
        follow_url=feedback_follow_url(feedback.code),
        due_at=feedback.due_at,
        channels_off=off,
        events_off=events_off,
        closed_reason=feedback.closed_reason,
    )


def feedback_unit_reminder_facts(
    unit_code: str | None, codes: Iterable[str]
) -> UnitReminder | None:
    """The reminder to `unit_code`: its active staff who may answer (officers, specialists,
    leaders holding the role in that unit) and, of `codes`, the feedback still unanswered
    there (one answered since the reminder was written is left out)."""
    if not unit_code:
        return None
    unit = Unit.objects.filter(code=unit_code).only("pk", "name").first()
    if unit is None:
        return None
    rows = (
        Feedback.objects.filter(code__in=set(codes), status__in=UNANSWERED_STATUSES)
        .only("code", "subject", "due_at", "unit_id", "intake_unit_id")
        .order_by("due_at", "id")
    )
    items = tuple(
        FeedbackItem(code=f.code, subject=f.subject, due_at=f.due_at)
        for f in rows
        if (f.unit_id or f.intake_unit_id) == unit.pk
    )
    staff = tuple(
        StaffContact(person_id=pk, email=email, language=language)
        for pk, email, language in RoleAssignment.objects.filter(
            unit=unit, role__in=sorted(ANSWER_ROLES), user__is_active=True
        )
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("user_id", "user__email", "user__language")
        .distinct()
    )
    return UnitReminder(
        unit_name=unit.name,
        staff=staff,
        items=items,
        workspace_url=settings.MOTCUA_WORKSPACE_FEEDBACK_URL,
    )
