"""The outbox subscribers: one per channel (`notifications.sms`, `notifications.email`,
`notifications.inapp`), so a failing e-mail server never resends the SMS.

Each handler maps the topic to an event, asks the dossiers app's resolver for the applicant's
contact (`context.dossier_facts`), renders the template in the applicant's language and sends
once per delivery key (`services.deliver_once`). A handler that raises is retried by the
outbox with backoff; after the last attempt the delivery is a dead letter (alerted in the
admin) and our row is `dead`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from motcua.core.outbox import OutboxEnvelope

from .context import DossierFacts, dossier_facts, dossier_facts_many
from .marks import marks_pipelined
from .models import Channel, Event, NotificationDelivery
from .rendering import render
from .services import Outgoing, deliver_once, deliver_prepared, deliveries_insert, delivery_key

#: Which dossier facts the applicant is told about.
EVENT_FOR_TOPIC: dict[str, str] = {
    "dossier.receive": Event.RECEIVED,
    "dossier.receive_at_counter": Event.RECEIVED,
    "dossier.request_supplement": Event.SUPPLEMENT_REQUESTED,
    "dossier.request_payment": Event.PAYMENT_REQUESTED,
    "dossier.issue_receipt": Event.PAYMENT_RECEIVED,
    "dossier.replace_receipt": Event.RECEIPT_REPLACED,
    "dossier.apologize": Event.APOLOGY,
    "dossier.issue_result": Event.RESULT_READY,
    "dossier.return_result": Event.RETURNED,
    "dossier.refuse": Event.REFUSED,
    "dossier.withdraw": Event.WITHDRAWN,
}
TOPICS = sorted(EVENT_FOR_TOPIC)

SUBSCRIBERS = {
    "notifications.sms": Channel.SMS,
    "notifications.email": Channel.EMAIL,
    "notifications.inapp": Channel.INAPP,
}


def local_date(value: dt.datetime | str | None) -> str:
    """dd/mm/yyyy in Vietnam's time, "" when unknown."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return ""
    return timezone.localtime(value).strftime("%d/%m/%Y")


def format_amount(amount: Any, language: str) -> str:
    """1250000 -> "1.250.000 đồng" (vi) / "1,250,000 VND" (en)."""
    try:
        number = int(amount)
    except (TypeError, ValueError):
        return ""
    grouped = f"{number:,}"
    return grouped.replace(",", ".") + " đồng" if language == "vi" else grouped + " VND"


def message_values(facts: DossierFacts, payload: dict[str, Any], language: str) -> dict[str, str]:
    """The whole context a template can use: nothing else reaches it."""
    return {
        "code": facts.code,
        "procedure": facts.procedure_name,
        "appointment": local_date(facts.appointment_at),
        "new_appointment": local_date(payload.get("new_appointment_at")),
        # A payment request quotes what is due in all (an earlier line still unpaid too);
        # events written before `amount_due_vnd` existed have the amount requested only.
        "amount": format_amount(payload.get("amount_due_vnd", payload.get("amount_vnd")), language),
        "lookup_url": facts.lookup_url,
        # a receipt's number and the address of its verification page (with its PDF), and
        # the number of the cancelled receipt a replacement stands for
        "receipt": str(payload.get("receipt", "")),
        "receipt_url": str(payload.get("verify_url", "")),
        "replaces": str(payload.get("replaces", "")),
    }


def _recipient(facts: DossierFacts, channel: str) -> str | None:
    if channel == Channel.SMS:
        return facts.phone or None
    if channel == Channel.EMAIL:
        return facts.email or None
    return str(facts.person_id) if facts.person_id is not None else None


def _outgoing(
    envelope: OutboxEnvelope, channel: str, facts: DossierFacts | None
) -> tuple[Outgoing, bool | None] | None:
    """What to send for this envelope on this channel (and whether the person allows it,
    when the facts say), or None when there is nothing to send."""
    event = EVENT_FOR_TOPIC.get(envelope.topic)
    if facts is None or event is None:
        return None
    recipient = _recipient(facts, channel)
    if recipient is None:
        return None  # no number, address or account on the dossier: nothing to send
    language = facts.language if facts.language in ("vi", "en") else "vi"
    values = message_values(facts, envelope.payload, language)
    outgoing = Outgoing(
        key=delivery_key(
            idempotency_key=envelope.idempotency_key, channel=channel, recipient=recipient
        ),
        channel=channel,
        event=event,
        language=language,
        dossier_code=facts.code,
        person_id=facts.person_id,
        recipient="" if channel == Channel.INAPP else recipient,
        rendered=render(event=event, channel=channel, language=language, values=values),
    )
    return outgoing, facts.allows(channel, event)


def _code(envelope: OutboxEnvelope) -> str:
    if envelope.schema != 1 or envelope.topic not in EVENT_FOR_TOPIC:
        return ""
    return str(envelope.payload.get("code", ""))


#: The current batch's work, per channel: idempotency key -> (outgoing, its committed row).
_prepared: dict[str, dict[str, tuple[Outgoing, NotificationDelivery]]] = {}


@contextlib.contextmanager
def prepare(envelopes: Sequence[OutboxEnvelope], channel: str) -> Iterator[None]:
    """One batch in bulk: the dossiers' facts in one query, the delivery rows inserted in one
    INSERT (committed before any send, as `deliver_once` does one by one), so the handler
    only sends and marks each row sent. What is not prepared here (a bad schema, a send
    with no `allowed` known) the handler does one by one."""
    codes = {code for envelope in envelopes if (code := _code(envelope))}
    facts = dossier_facts_many(codes) if codes else {}
    work: list[tuple[str, Outgoing, bool]] = []
    for envelope in envelopes:
        code = _code(envelope)
        found = _outgoing(envelope, channel, facts.get(code)) if code else None
        if found is not None and found[1] is not None:
            work.append((envelope.idempotency_key, found[0], found[1]))
    rows = deliveries_insert(((o, allowed) for _k, o, allowed in work), now=timezone.now())
    _prepared[channel] = {
        key: (outgoing, rows[outgoing.key]) for key, outgoing, _a in work if outgoing.key in rows
    }
    try:
        with marks_pipelined():  # the handler's marks go out without waiting for answers
            yield
    finally:
        _prepared.pop(channel, None)


def handle(envelope: OutboxEnvelope, channel: str) -> None:
    final = envelope.attempt >= settings.MOTCUA_OUTBOX_MAX_ATTEMPTS
    ready = _prepared.get(channel, {}).pop(envelope.idempotency_key, None)
    if ready is not None:
        deliver_prepared(ready[0], ready[1], now=timezone.now(), final_attempt=final)
        return
    if envelope.schema != 1:
        raise ValueError(f"unknown payload schema {envelope.schema}")
    code = _code(envelope)
    if not code:
        return
    found = _outgoing(envelope, channel, dossier_facts(code))
    if found is None:
        return
    deliver_once(found[0], now=timezone.now(), final_attempt=final, allowed=found[1])


def _handler(channel: str) -> Callable[[OutboxEnvelope], None]:
    def handler(envelope: OutboxEnvelope) -> None:
        handle(envelope, channel)

    handler.__name__ = f"notify_{channel}"
    return handler


def _preparer(channel: str) -> Callable[[Sequence[OutboxEnvelope]], Any]:
    def preparer(envelopes: Sequence[OutboxEnvelope]) -> Any:
        return prepare(envelopes, channel)

    return preparer


HANDLERS = {name: _handler(channel) for name, channel in SUBSCRIBERS.items()}
PREPARERS = {name: _preparer(channel) for name, channel in SUBSCRIBERS.items()}
