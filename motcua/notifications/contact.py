"""Delivering contact confirmation codes (`accounts.contact.CodeConfirmationSender`): the
outbox subscriber `notifications.contact_code` for the topic `accounts.contact_confirmation`.

The payload holds the confirmation's id and a nonce, no contact and no code: the accounts app
answers what to send at delivery time (`contact_code_message`: nothing when a newer code was
sent, the contact changed again, it was confirmed or the code expired). The code goes by SMS
to a phone and by e-mail to an e-mail address, once per delivery key (a retry resends the
same code with the same reference), opt-outs ignored (the person asked for it just now), the
logged body masked.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from motcua.accounts.contact import contact_code_message
from motcua.accounts.models import ContactChannel
from motcua.core.outbox import OutboxEnvelope

from .models import Channel, Event
from .rendering import render
from .services import Outgoing, deliver_once, delivery_key

SUBSCRIBER = "notifications.contact_code"
TOPIC = "accounts.contact_confirmation"
MASK = "******"


def handle_contact_code(envelope: OutboxEnvelope) -> None:
    if envelope.schema != 1:
        raise ValueError(f"unknown payload schema {envelope.schema}")
    now = timezone.now()
    message = contact_code_message(
        confirmation_id=int(envelope.payload["confirmation"]),
        nonce=str(envelope.payload["nonce"]),
        now=now,
    )
    if message is None:
        return  # superseded, confirmed, expired or no longer the account's contact
    channel = Channel.SMS if message.channel == ContactChannel.PHONE else Channel.EMAIL
    rendered = render(
        event=Event.CONTACT_CODE,
        channel=channel,
        language=message.language,
        values={"otp": message.code, "minutes": str(message.minutes)},
    )
    outgoing = Outgoing(
        key=delivery_key(
            idempotency_key=envelope.idempotency_key, channel=channel, recipient=message.recipient
        ),
        channel=channel,
        event=Event.CONTACT_CODE,
        language=message.language,
        dossier_code="",
        person_id=message.person_id,
        recipient=message.recipient,
        rendered=rendered,
        stored_body=rendered.body.replace(message.code, MASK),
    )
    final = envelope.attempt >= settings.MOTCUA_OUTBOX_MAX_ATTEMPTS
    deliver_once(outgoing, now=now, final_attempt=final, allowed=True)
