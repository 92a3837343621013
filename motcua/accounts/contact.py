"""Confirming a person's phone number or e-mail address with a one-time code
(docs/accounts.md "Xác nhận số điện thoại, thư điện tử"; docs/adr/0024-one-time-codes.md).

When an account is created with a contact, or its phone or e-mail changes,
`contact_confirmation_request` records a pending `ContactConfirmation` and hands it to the
configured sender (`settings.MOTCUA_CONTACT_CONFIRMATION_SENDER`, a dotted path to a
`ContactConfirmationSender`), inside the transaction of the change:

- `CodeConfirmationSender` (the default): a 6-digit code, valid `CODE_MINUTES`, of which the
  row keeps only an HMAC; the code goes out by SMS (phone) or e-mail (e-mail) from the outbox
  after commit (topic `accounts.contact_confirmation`, delivered by
  `motcua.notifications.contact`), so a change that rolls back sends nothing. The outbox
  payload carries no contact and no code: the row's id and a random nonce from which the
  worker derives the code with SECRET_KEY (`contact_code_message`).
- `PendingConfirmationSender`: sends nothing (the contact stays "chưa xác nhận").

`contact_confirmation_verify` checks the code and sets `confirmed_at` (with the phone
sign-up, `accounts.phone_signup`, the only places that do); `contact_confirmation_resend`
sends a new code. Limits (`MOTCUA_RATE_LIMITS`): codes sent per account and channel
(`contact_code_send`: 1 a minute, `contact_code_send_hour`: 5 an hour), wrong codes
(`contact_code_failures`: 5 in 15 minutes lock the checking; a code also dies after 5).
Signing in with an unconfirmed contact stays allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.core.ratelimit import rate_limit_exceeded, rate_limit_record, rate_limit_retry_after
from motcua.core.services import audit_record

from .models import ContactChannel, ContactConfirmation, User
from .sms_codes import SignInCodeLimited

logger = logging.getLogger("motcua.accounts.contact")

DEFAULT_SENDER = "motcua.accounts.contact.PendingConfirmationSender"
TOPIC = "accounts.contact_confirmation"
CODE_DIGITS = 6
CODE_MINUTES = 10
MAX_ATTEMPTS = 5
SEND_MINUTE = "contact_code_send"  # (1, 60)
SEND_HOUR = "contact_code_send_hour"  # (5, 3600)
FAILURES = "contact_code_failures"  # (5, 900): the lock after 5 wrong codes


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


class CodeConfirmationSender:
    """A 6-digit code by SMS or e-mail through the outbox (after commit)."""

    name = "code"

    def request(self, *, confirmation: ContactConfirmation, now: dt.datetime) -> None:
        key = _limit_key(confirmation.person_id, confirmation.channel)
        if rate_limit_exceeded(name=SEND_HOUR, key=key):
            # A contact changed back and forth many times: recorded, not sent (the person
            # may ask again later with "Gửi lại mã").
            logger.warning(
                "contact code not sent (limit): person=%s channel=%s",
                confirmation.person_id,
                confirmation.channel,
            )
            return
        for name in (SEND_MINUTE, SEND_HOUR):
            rate_limit_record(name=name, key=key)
        nonce = secrets.token_hex(16)
        code = contact_code_derive(nonce)
        confirmation.code_hash = contact_code_hash(confirmation=confirmation, code=code)
        confirmation.code_sent_at = now
        confirmation.code_expires_at = now + dt.timedelta(minutes=CODE_MINUTES)
        confirmation.attempts = 0
        confirmation.save(
            update_fields=["code_hash", "code_sent_at", "code_expires_at", "attempts"]
        )
        outbox_enqueue(
            topic=TOPIC,
            payload={"confirmation": confirmation.pk, "nonce": nonce},
            key=f"contact:{confirmation.person_id}",
            now=now,
        )
        logger.info(
            "contact code queued: person=%s channel=%s confirmation=%s",
            confirmation.person_id,
            confirmation.channel,
            confirmation.pk,
        )


def _limit_key(person_id: int, channel: str) -> str:
    return f"{person_id}:{channel}"


def contact_code_derive(nonce: str) -> str:
    """The code of `nonce`: 6 digits from HMAC-SHA256(SECRET_KEY, nonce). Only the sender
    (to hash it) and the delivering worker (to send it) compute it; it is never stored."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"contact-code-nonce:{nonce}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest, 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def contact_code_hash(*, confirmation: ContactConfirmation, code: str) -> str:
    """What the row keeps: HMAC-SHA256(SECRET_KEY, row, contact, code)."""
    key = settings.SECRET_KEY.encode()
    message = f"contact-code:{confirmation.pk}:{confirmation.value}:{code}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ContactCodeMessage:
    """What the notifications app sends for one queued code (`contact_code_message`)."""

    channel: str  # ContactChannel
    recipient: str
    person_id: int
    language: str
    code: str
    minutes: int


def contact_code_message(
    *, confirmation_id: int, nonce: str, now: dt.datetime
) -> ContactCodeMessage | None:
    """The message for an outbox delivery of `TOPIC`, or None when there is nothing to send
    any more: the row gone or confirmed, a newer code sent since (the nonce no longer
    matches), the code expired, or the account's contact changed again."""
    row = ContactConfirmation.objects.select_related("person").filter(pk=confirmation_id).first()
    if row is None or row.confirmed_at is not None or not row.code_hash:
        return None
    code = contact_code_derive(nonce)
    if not hmac.compare_digest(row.code_hash, contact_code_hash(confirmation=row, code=code)):
        return None
    if row.code_expires_at is None or row.code_expires_at <= now:
        return None
    person = row.person
    current = person.phone if row.channel == ContactChannel.PHONE else person.email
    if current != row.value:
        return None
    return ContactCodeMessage(
        channel=row.channel,
        recipient=row.value,
        person_id=person.pk,
        language=person.language if person.language in ("vi", "en") else "vi",
        code=code,
        minutes=CODE_MINUTES,
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


def contact_code_live(*, person: User, channel: str, now: dt.datetime) -> bool:
    """Whether a code for the account's current phone (or e-mail) was sent and can still be
    typed (the confirmation page then says so; else it offers to send one)."""
    value = _current_value(person, channel)
    return (
        bool(value)
        and ContactConfirmation.objects.filter(
            person=person,
            channel=channel,
            value=value,
            confirmed_at__isnull=True,
            code_expires_at__gt=now,
            attempts__lt=MAX_ATTEMPTS,
        )
        .exclude(code_hash="")
        .exists()
    )


def _current_value(person: User, channel: str) -> str:
    return person.phone if channel == ContactChannel.PHONE else person.email


def _wait_text(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return str(_("Vui lòng thử lại sau khoảng %(minutes)s phút.") % {"minutes": minutes})


def _code_error(message: object, code: str = "code_invalid") -> ValidationError:
    text = str(message)
    return ValidationError(
        text, code=code, errors=[{"field": "code", "code": code, "message": text}]
    )


def contact_confirmation_resend(
    *, person: User, channel: str, now: dt.datetime
) -> ContactConfirmation:
    """Send a new code for the account's current phone (or e-mail); the older code dies.
    SignInCodeLimited (`contact_code_limited`, 429) over the per-account limits;
    ValidationError (`nothing_to_confirm`) when there is no such contact or it is already
    confirmed."""
    channel = ContactChannel(channel)
    value = _current_value(person, channel)
    if not value or contact_confirmed(person=person, channel=channel):
        raise ValidationError(
            str(_("Không có thông tin liên hệ nào cần xác nhận.")), code="nothing_to_confirm"
        )
    key = _limit_key(person.pk, channel)
    for name in (SEND_MINUTE, SEND_HOUR):
        if rate_limit_exceeded(name=name, key=key):
            raise SignInCodeLimited(
                str(_("Bạn đã yêu cầu gửi lại mã quá nhiều lần. "))
                + _wait_text(rate_limit_retry_after(name=name)),
                retry_after=rate_limit_retry_after(name=name),
                code="contact_code_limited",
            )
    sender = contact_confirmation_sender()
    with transaction.atomic():
        row = (
            ContactConfirmation.objects.select_for_update()
            .filter(person=person, channel=channel, value=value, confirmed_at__isnull=True)
            .order_by("-requested_at", "-pk")
            .first()
        )
        if row is None:
            row = ContactConfirmation.objects.create(
                person=person, channel=channel, value=value, requested_at=now, sender=sender.name
            )
        sender.request(confirmation=row, now=now)
    return row


def contact_confirmation_verify(
    *, person: User, channel: str, code: str, now: dt.datetime
) -> ContactConfirmation:
    """Check the code sent for the account's current phone (or e-mail) and mark it
    confirmed (`confirmed_at = now`, the code forgotten), with the audit event
    `user.contact_confirm` (the channel, never the value).

    Refused: a wrong, expired or used-up code (`code_invalid`, the code's attempts and the
    account's failures counted); 5 failures in `contact_code_failures`' window lock the
    checking (`contact_code_locked`, 429, even with the right code) until it ends."""
    channel = ContactChannel(channel)
    key = _limit_key(person.pk, channel)
    if rate_limit_exceeded(name=FAILURES, key=key):
        wait = rate_limit_retry_after(name=FAILURES)
        raise SignInCodeLimited(
            str(_("Đã nhập sai mã quá nhiều lần. ")) + _wait_text(wait),
            retry_after=wait,
            code="contact_code_locked",
        )
    value = _current_value(person, channel)
    given = "".join(ch for ch in (code or "") if not ch.isspace())
    with transaction.atomic():
        row = (
            ContactConfirmation.objects.select_for_update()
            .filter(person=person, channel=channel, value=value, confirmed_at__isnull=True)
            .exclude(code_hash="")
            .order_by("-code_sent_at", "-pk")
            .first()
        )
        valid = (
            bool(value)
            and row is not None
            and row.code_expires_at is not None
            and row.code_expires_at > now
            and row.attempts < MAX_ATTEMPTS
            and hmac.compare_digest(row.code_hash, contact_code_hash(confirmation=row, code=given))
        )
        if valid:
            assert row is not None
            row.confirmed_at = now
            row.code_hash = ""
            row.save(update_fields=["confirmed_at", "code_hash"])
            audit_record(
                actor=person,
                action="user.contact_confirm",
                object_type="accounts.user",
                object_id=person.pk,
                now=now,
                after={"channel": channel.value},
            )
        elif row is not None:
            row.attempts += 1
            row.save(update_fields=["attempts"])
    if not valid:
        rate_limit_record(name=FAILURES, key=key)
        logger.warning("contact code refused: person=%s channel=%s", person.pk, channel.value)
        raise _code_error(
            _("Mã không đúng hoặc đã hết hạn. Hãy kiểm tra lại hoặc bấm “Gửi lại mã”.")
        )
    assert row is not None
    logger.info("contact confirmed: person=%s channel=%s", person.pk, channel.value)
    return row
