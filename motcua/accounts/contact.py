"""Confirming a person's phone number or e-mail address: the seam for the notifications
issue.

When an account is created with a contact, or its phone or e-mail changes,
`contact_confirmation_request` records a pending `ContactConfirmation` and hands it to the
configured sender (`settings.MOTCUA_CONTACT_CONFIRMATION_SENDER`, a dotted path to a
`ContactConfirmationSender`). The default, `PendingConfirmationSender`, sends nothing: the
confirmation stays pending, the person can sign in all the same (for now), and the profile
says "chưa xác nhận". The notifications issue brings a sender that sends a code or a link
(SMS brand name, e-mail) from the outbox and a service that checks it and sets
`confirmed_at`; nothing else ever sets it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .models import ContactChannel, ContactConfirmation, User

logger = logging.getLogger("motcua.accounts.contact")

DEFAULT_SENDER = "motcua.accounts.contact.PendingConfirmationSender"


class ContactConfirmationSender(Protocol):
    """Delivers what the person needs to confirm a contact. Called inside the transaction
    that created `confirmation`: a real sender enqueues its message in the outbox
    (`core.outbox.outbox_enqueue`), so nothing is sent for a change that rolls back."""

    name: str

    def request(self, *, confirmation: ContactConfirmation, now: dt.datetime) -> None: ...


class PendingConfirmationSender:
    """The default: sends nothing, the confirmation stays pending (never "confirmed")."""

    name = "pending"

    def request(self, *, confirmation: ContactConfirmation, now: dt.datetime) -> None:
        # No personal data in the log: the account id and the kind of contact only.
        logger.info(
            "contact confirmation pending (no sender configured): person=%s channel=%s",
            confirmation.person_id,
            confirmation.channel,
        )


def contact_confirmation_sender() -> ContactConfirmationSender:
    path = getattr(settings, "MOTCUA_CONTACT_CONFIRMATION_SENDER", "") or DEFAULT_SENDER
    sender: ContactConfirmationSender = import_string(path)()
    return sender


def contact_confirmation_request(
    *, person: User, channel: str, value: str, now: dt.datetime
) -> ContactConfirmation:
    """Ask the owner of `value` (a phone number or an e-mail address of `person`) to confirm
    it. Call it inside the transaction that wrote the contact to the account."""
    sender = contact_confirmation_sender()
    confirmation = ContactConfirmation.objects.create(
        person=person,
        channel=ContactChannel(channel),
        value=value,
        requested_at=now,
        sender=sender.name,
    )
    sender.request(confirmation=confirmation, now=now)
    return confirmation


def contact_confirmed(*, person: User, channel: str) -> bool:
    """Whether the account's current phone (or e-mail) was confirmed by its owner."""
    value = person.phone if channel == ContactChannel.PHONE else person.email
    if not value:
        return False
    return ContactConfirmation.objects.filter(
        person=person, channel=channel, value=value, confirmed_at__isnull=False
    ).exists()
