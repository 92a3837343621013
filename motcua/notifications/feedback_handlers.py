"""Telling people about feedback (docs/feedback.md, docs/notifications.md "Feedback").

Subscribers of the `feedback.*` outbox topics, one per channel as for dossiers:

- `notifications.feedback_sms`, `.feedback_email`, `.feedback_inapp` (`feedback.submitted`,
  `feedback.published`, `feedback.rejected`): the sender is told the feedback was received,
  with its code, that the answer is published, or that it is not handled (rejected or a
  duplicate: the reason in the e-mail and the in-app notice, the SMS points to the follow
  page). The payload holds the code and ids only: the feedback app's
  resolver (`context.feedback_facts`) answers the contact at delivery time (the phone and
  e-mail the sender gave, else their account's), their language and their account's
  channel choices. In-app only for a sender with an account.
- `notifications.feedback_reminder` (`feedback.reminder`): an e-mail to each staff member of
  the unit who may answer (`context.feedback_unit_reminder`), listing the codes, subjects,
  deadlines and which are late. Work mail: a person's opt-outs do not apply.

Each message is sent once per delivery key (`services.deliver_once`): a redelivered envelope
never sends twice. Nothing personal is logged (the delivery key hashes the recipient).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.conf import settings
from django.utils import timezone

from motcua.core.outbox import OutboxEnvelope

from .context import FeedbackFacts, UnitReminder, feedback_facts, feedback_unit_reminder
from .handlers import local_date
from .models import Channel, Event
from .rendering import render
from .services import Outgoing, deliver_once, delivery_key

EVENT_FOR_TOPIC: dict[str, str] = {
    "feedback.submitted": Event.FEEDBACK_RECEIVED,
    "feedback.published": Event.FEEDBACK_ANSWERED,
    "feedback.rejected": Event.FEEDBACK_REJECTED,
}
SENDER_TOPICS = sorted(EVENT_FOR_TOPIC)
SENDER_SUBSCRIBERS = {
    "notifications.feedback_sms": Channel.SMS,
    "notifications.feedback_email": Channel.EMAIL,
    "notifications.feedback_inapp": Channel.INAPP,
}
REMINDER_TOPIC = "feedback.reminder"
REMINDER_SUBSCRIBER = "notifications.feedback_reminder"


def _language(value: str) -> str:
    return value if value in ("vi", "en") else "vi"


def _recipient(facts: FeedbackFacts, channel: str) -> str | None:
    if channel == Channel.SMS:
        return facts.phone or None
    if channel == Channel.EMAIL:
        return facts.email or None
    return str(facts.person_id) if facts.person_id is not None else None


def _final(envelope: OutboxEnvelope) -> bool:
    return envelope.attempt >= settings.MOTCUA_OUTBOX_MAX_ATTEMPTS


def handle_sender(envelope: OutboxEnvelope, channel: str) -> None:
    if envelope.schema != 1:
        raise ValueError(f"unknown payload schema {envelope.schema}")
    event = EVENT_FOR_TOPIC.get(envelope.topic)
    code = str(envelope.payload.get("code", ""))
    if event is None or not code:
        return
    facts = feedback_facts(code)
    if facts is None:
        return
    recipient = _recipient(facts, channel)
    if recipient is None:
        return  # no phone, e-mail or account: nothing to send on this channel
    language = _language(facts.language)
    values = {
        "code": facts.code,
        "due_date": local_date(facts.due_at),
        "follow_url": facts.follow_url,
        "reason": facts.closed_reason,
    }
    outgoing = Outgoing(
        key=delivery_key(
            idempotency_key=envelope.idempotency_key, channel=channel, recipient=recipient
        ),
        channel=channel,
        event=event,
        language=language,
        dossier_code="",  # a feedback code is not a dossier's: the text carries it
        person_id=facts.person_id,
        recipient="" if channel == Channel.INAPP else recipient,
        rendered=render(event=event, channel=channel, language=language, values=values),
    )
    deliver_once(
        outgoing,
        now=timezone.now(),
        final_attempt=_final(envelope),
        allowed=facts.allows(channel, event),
    )


_WORDS = {
    "vi": {"due": "hạn", "late": "QUÁ HẠN", "soon": "sắp đến hạn"},
    "en": {"due": "due", "late": "LATE", "soon": "due soon"},
}


def reminder_values(
    reminder: UnitReminder, language: str, *, late: Collection[str]
) -> dict[str, str]:
    """The list in the staff member's language; `late`: the codes late when the reminder was
    written (the payload says), the others due soon."""
    words = _WORDS[language]
    lines = [
        f"- {item.code}: {item.subject} ({words['due']} {local_date(item.due_at)}, "
        f"{words['late'] if item.code in late else words['soon']})"
        for item in reminder.items
    ]
    return {
        "unit": reminder.unit_name,
        "count": str(len(reminder.items)),
        "late_count": str(sum(1 for item in reminder.items if item.code in late)),
        "feedback_list": "\n".join(lines),
        "workspace_url": reminder.workspace_url,
    }


def handle_reminder(envelope: OutboxEnvelope) -> None:
    """One e-mail per staff member who may answer; a failure raises after the others were
    tried, so the retry sends only what is missing (the sent ones are kept by key)."""
    if envelope.schema != 1:
        raise ValueError(f"unknown payload schema {envelope.schema}")
    payload = envelope.payload
    late = {str(c) for c in payload.get("late", [])}
    codes = [*late, *(str(c) for c in payload.get("due_soon", []))]
    unit = payload.get("unit")
    reminder = feedback_unit_reminder(str(unit) if unit else None, codes) if codes else None
    if reminder is None or not reminder.items:
        return
    failed: Exception | None = None
    now = timezone.now()
    for staff in reminder.staff:
        if not staff.email:
            continue
        language = _language(staff.language)
        outgoing = Outgoing(
            key=delivery_key(
                idempotency_key=envelope.idempotency_key,
                channel=Channel.EMAIL,
                recipient=staff.email,
            ),
            channel=Channel.EMAIL,
            event=Event.FEEDBACK_REMINDER,
            language=language,
            dossier_code="",
            person_id=staff.person_id,
            recipient=staff.email,
            rendered=render(
                event=Event.FEEDBACK_REMINDER,
                channel=Channel.EMAIL,
                language=language,
                values=reminder_values(reminder, language, late=late),
            ),
        )
        try:
            deliver_once(outgoing, now=now, final_attempt=_final(envelope), allowed=True)
        except Exception as exc:
            failed = exc
    if failed is not None:
        raise failed


def _sender_handler(channel: str) -> Callable[[OutboxEnvelope], None]:
    def handler(envelope: OutboxEnvelope) -> None:
        handle_sender(envelope, channel)

    handler.__name__ = f"notify_feedback_{channel}"
    return handler


SENDER_HANDLERS = {name: _sender_handler(channel) for name, channel in SENDER_SUBSCRIBERS.items()}
