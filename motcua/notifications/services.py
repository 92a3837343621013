"""Sending: one `NotificationDelivery` per delivery key, inserted before the provider is
called, so a redelivered envelope never sends twice on the same channel.

Insert first, then send with the delivery key as the provider's client reference, then mark
it sent. A crash after the insert and before the mark leaves the row `sending`: the next
attempt sends again *with the same reference*, which the provider deduplicates (the HTTP
providers' idempotency header, the sandbox's unique reference). A row already `sent` (or
`opted_out`) is never sent again. E-mail has no such deduplication at the far end: a crash in
that window can send one e-mail twice, never more (docs/adr/0023-notifications.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError
from motcua.core.services import audit_record

from .defaults import DEFAULTS
from .marks import mark_sent_relaxed, server_binding_cursor
from .models import (
    OPT_OUT_EVENTS,
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationTemplate,
)
from .rendering import Rendered, render, template_check, templates_cache_clear
from .sms.registry import sms_send

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None


def delivery_key(*, idempotency_key: str, channel: str, recipient: str) -> str:
    """`<outbox idempotency key>:<channel>:<16 hex of the recipient's hash>`: stable across
    attempts, different per recipient, and no personal data in it (it travels to the
    provider as the client reference and may appear in logs)."""
    digest = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:16]
    return f"{idempotency_key}:{channel}:{digest}"


@dataclass(frozen=True)
class Outgoing:
    key: str
    channel: str
    event: str
    language: str
    dossier_code: str
    person_id: int | None
    recipient: str  # phone, e-mail address, or "" for in-app
    rendered: Rendered
    stored_body: str | None = None  # what the log keeps, when not the text sent (a code)


def channel_allowed(*, person_id: int | None, channel: str, event: str) -> bool:
    """A person's opt-out, except for sign-in and reset codes (they asked for them just now)."""
    if event in ("sign_in_code", "reset_code") or person_id is None:
        return True
    preference = NotificationPreference.objects.filter(person_id=person_id).first()
    return preference is None or preference.allows(channel, event)


def deliver_once(
    outgoing: Outgoing,
    *,
    now: dt.datetime,
    final_attempt: bool = False,
    allowed: bool | None = None,
) -> NotificationDelivery:
    """Send `outgoing` unless its key was already sent; raises when the send failed (the
    outbox retries), after recording the failure (`dead` on the final attempt). `allowed`:
    whether the person accepts this channel, when the caller knows (else it is looked up);
    an opted-out send is recorded as such and never reaches a provider."""
    if allowed is None:
        allowed = channel_allowed(
            person_id=outgoing.person_id, channel=outgoing.channel, event=outgoing.event
        )
    row = _new_row(outgoing, now=now, allowed=allowed)
    try:
        # A savepoint only inside a transaction (the outbox calls with none open: autocommit).
        with _savepoint():
            row.save(force_insert=True)
    except IntegrityError:
        row = NotificationDelivery.objects.get(delivery_key=outgoing.key)
    return deliver_prepared(outgoing, row, now=now, final_attempt=final_attempt)


def _new_row(outgoing: Outgoing, *, now: dt.datetime, allowed: bool) -> NotificationDelivery:
    return NotificationDelivery(
        delivery_key=outgoing.key,
        channel=outgoing.channel,
        event=outgoing.event,
        language=outgoing.language,
        dossier_code=outgoing.dossier_code,
        person_id=outgoing.person_id,
        recipient=outgoing.recipient,
        subject=outgoing.rendered.subject[:200],
        body=outgoing.rendered.body if outgoing.stored_body is None else outgoing.stored_body,
        created_at=now,
        status=DeliveryStatus.SENDING if allowed else DeliveryStatus.OPTED_OUT,
    )


def deliveries_insert(
    outgoing: Iterable[tuple[Outgoing, bool]], *, now: dt.datetime
) -> dict[str, NotificationDelivery]:
    """The first half of `deliver_once` for a batch: insert the rows of these (outgoing,
    allowed) pairs that do not exist yet (one INSERT), and return every row by delivery key
    as stored (one SELECT), ready for `deliver_prepared`. Outside a transaction: the rows
    are committed before anything is sent."""
    rows = [_new_row(item, now=now, allowed=allowed) for item, allowed in outgoing]
    if not rows:
        return {}
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _insert_returning(rows)
    NotificationDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.delivery_key for row in rows]
    return {
        row.delivery_key: row for row in NotificationDelivery.objects.filter(delivery_key__in=keys)
    }


def _insert_returning(rows: list[NotificationDelivery]) -> dict[str, NotificationDelivery]:
    """PostgreSQL: one `INSERT ... SELECT FROM unnest(<one array per column>) ON CONFLICT DO
    NOTHING RETURNING`; a row it inserted is stored as built (its id set from the answer),
    so only the rows that already existed (a redelivered envelope) are read back, as stored.
    The statement's text is the same whatever the batch's size (one array a column, not a
    placeholder a value), so the server prepares it once per connection."""
    first: dict[str, NotificationDelivery] = {}
    for row in rows:
        first.setdefault(row.delivery_key, row)
    unique = list(first.values())
    sql, fields = _insert_statement()
    # The values as built by `_new_row` (strings, an int or None, aware datetimes): what the
    # fields' `get_db_prep_save` would pass on unchanged on PostgreSQL, without its cost.
    params = [[getattr(row, f.attname) for row in unique] for f in fields]
    cursor = server_binding_cursor()
    cursor.execute(sql, params)
    inserted = {key: pk for pk, key in cursor.fetchall()}
    stored: dict[str, NotificationDelivery] = {}
    for row in unique:
        if row.delivery_key in inserted:
            row.pk = inserted[row.delivery_key]
            row._state.adding, row._state.db = False, connection.alias
            stored[row.delivery_key] = row
    existing = [row.delivery_key for row in unique if row.delivery_key not in inserted]
    if existing:
        for row in NotificationDelivery.objects.filter(delivery_key__in=existing):
            stored[row.delivery_key] = row
    return stored


_insert_sql: list[tuple[str, list[Any]]] = []  # built once per process


def _insert_statement() -> tuple[str, list[Any]]:
    """The batch INSERT's text and the fields of its columns, in order."""
    if not _insert_sql:
        meta = NotificationDelivery._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        # varchar(n) as text: the column's own length check then refuses an overlong value
        # as a plain INSERT would (a cast to varchar(n) would cut it silently).
        types = [str(f.db_type(connection)) for f in fields]
        types = ["text" if t.startswith("varchar") else t for t in types]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        sql = (  # the table's and columns' names and types are the model's, not input
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT * FROM unnest({arrays}) "
            "ON CONFLICT (delivery_key) DO NOTHING RETURNING id, delivery_key"
        )
        _insert_sql.append((sql, fields))
    return _insert_sql[0]


def deliver_prepared(
    outgoing: Outgoing, row: NotificationDelivery, *, now: dt.datetime, final_attempt: bool = False
) -> NotificationDelivery:
    """The second half of `deliver_once`: `row` is the committed row of `outgoing.key`."""
    if row.status in (DeliveryStatus.SENT, DeliveryStatus.OPTED_OUT):
        return row  # a redelivered envelope: already done (or opted out)
    try:
        provider, message_id = _SENDERS[outgoing.channel](outgoing, row)
    except Exception as exc:
        NotificationDelivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.DEAD if final_attempt else DeliveryStatus.FAILED,
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        raise
    _mark_sent(row, provider=provider, message_id=message_id[:100], now=now)
    return row


#: Channels whose far end deduplicates by the delivery key (the SMS providers' client
#: reference, the in-app row's unique key): their "sent" mark may commit asynchronously.
_DEDUPLICATED = frozenset({Channel.SMS, Channel.INAPP})


def _mark_sent(
    row: NotificationDelivery, *, provider: str, message_id: str, now: dt.datetime
) -> None:
    """One UPDATE (the dispatch's only per-message write, so plain SQL, not the ORM's
    query building). On PostgreSQL, for a channel that deduplicates, the commit does not
    wait for the WAL flush (`synchronous_commit = off` for this transaction only): a worker
    killed after it loses nothing (the server has it); only a crash of the database server
    itself can lose the last fraction of a second of marks, and those rows, still
    `sending`, are sent again with the same reference, which the far end absorbs, the
    guarantee the row gives anyway."""
    table = connection.ops.quote_name(NotificationDelivery._meta.db_table)
    sql = (  # the table's name is the model's, not input
        f"UPDATE {table} SET status = %s, provider = %s, provider_message_id = %s, "  # noqa: S608
        "sent_at = %s, last_error = '', attempts = attempts + 1 WHERE id = %s"
    )
    params = [
        DeliveryStatus.SENT,
        provider,
        message_id,
        connection.ops.adapt_datetimefield_value(now),
        row.pk,
    ]
    relaxed = connection.vendor == "postgresql" and row.channel in _DEDUPLICATED
    if relaxed and not connection.in_atomic_block:
        # One statement in its own (autocommit) transaction, relaxed by `set_config(...,
        # true)`, which lasts to the end of that transaction, prepared by the server after a
        # few runs (server-side binding), and within a dispatch batch pipelined: sent without
        # waiting for the answer (`marks`).
        relaxed_sql = (  # the same statement, with the table's name, not input
            "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608
            f"UPDATE {table} SET status = %s, provider = %s, provider_message_id = %s, "
            "sent_at = %s, last_error = '', attempts = attempts + 1 FROM relaxed WHERE id = %s"
        )
        mark_sent_relaxed(relaxed_sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    row.status, row.provider, row.provider_message_id = DeliveryStatus.SENT, provider, message_id
    row.sent_at, row.last_error = now, ""
    row.attempts += 1


def _savepoint() -> Any:
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return contextlib.nullcontext()


def _send_sms(outgoing: Outgoing, row: NotificationDelivery) -> tuple[str, str]:
    result = sms_send(to=outgoing.recipient, text=outgoing.rendered.body, reference=outgoing.key)
    return result.provider, result.message_id


def _send_email(outgoing: Outgoing, row: NotificationDelivery) -> tuple[str, str]:
    message = EmailMessage(
        subject=outgoing.rendered.subject,
        body=outgoing.rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.recipient],
        headers={"X-Motcua-Reference": outgoing.key},
    )
    message.send(fail_silently=False)
    return "email", outgoing.key


def _send_inapp(outgoing: Outgoing, row: NotificationDelivery) -> tuple[str, str]:
    assert outgoing.person_id is not None
    notification, _created = Notification.objects.get_or_create(
        delivery_key=outgoing.key,
        defaults={
            "person_id": outgoing.person_id,
            "event": outgoing.event,
            "dossier_code": outgoing.dossier_code,
            "title": row.subject[:200],
            "body": row.body,
            "created_at": row.created_at,
        },
    )
    return "inapp", str(notification.pk)


_SENDERS: dict[str, Callable[[Outgoing, NotificationDelivery], tuple[str, str]]] = {
    Channel.SMS: _send_sms,
    Channel.EMAIL: _send_email,
    Channel.INAPP: _send_inapp,
}


# --- the seam for sign-in codes (issue 10, item 5) -----------------------------------------


def notify_sign_in_code(
    *,
    phone: str,
    otp: str,
    minutes: int,
    reference: str,
    now: dt.datetime,
    language: str = "vi",
    person_id: int | None = None,
    event: str = "sign_in_code",
) -> NotificationDelivery:
    """Text a one-time sign-in code at once (not through the outbox: it is wanted now and
    useless later). Ignores opt-outs. `reference` identifies the code request (the same
    reference twice sends once). The code is never stored: the logged body is masked.
    `event`: `sign_in_code`, or `reset_code` for a forgotten password (the text says so)."""
    if event not in ("sign_in_code", "reset_code"):
        raise ValueError(f"not a code event: {event}")
    values = {"otp": otp, "minutes": str(minutes)}
    rendered = render(event=event, channel="sms", language=language, values=values)
    key = delivery_key(idempotency_key=f"signin:{reference}", channel="sms", recipient=phone)
    outgoing = Outgoing(
        key=key,
        channel=Channel.SMS,
        event=event,
        language=language,
        dossier_code="",
        person_id=person_id,
        recipient=phone,
        rendered=rendered,
        stored_body=rendered.body.replace(otp, "******"),
    )
    return deliver_once(outgoing, now=now, allowed=True)  # opt-outs do not apply


# --- preferences and templates -----------------------------------------------------------


@transaction.atomic
def preference_set(
    *,
    person: AbstractBaseUser,
    now: dt.datetime,
    sms: bool,
    email: bool,
    inapp: bool,
    events_off: Iterable[tuple[str, str]] = (),
) -> NotificationPreference:
    """A person's channel choices: each channel on or off, and on a channel that is on the
    (event, channel) pairs turned off. Sign-in codes are sent whatever they say and cannot
    be named here (`ValidationError` `invalid_event`, as for an unknown event or channel).
    Stored normalised: pairs of a channel that is off are dropped (the switch says it), a
    channel with every event off is stored as off. Audited (the person's own record of what
    they chose and when, for "I was never told")."""
    channels = {Channel.SMS.value: sms, Channel.EMAIL.value: email, Channel.INAPP.value: inapp}
    pairs: set[tuple[str, str]] = set()
    for event, channel in events_off:
        if event not in OPT_OUT_EVENTS or channel not in channels:
            raise ValidationError(
                _("Không tắt được thông báo %(event)s qua %(channel)s."),
                code="invalid_event",
                event=event,
                channel=channel,
            )
        pairs.add((event, channel))
    for channel in channels:
        if all((event, channel) in pairs for event in OPT_OUT_EVENTS):
            channels[channel] = False
    stored = sorted(f"{event}:{channel}" for event, channel in pairs if channels[channel])
    before = NotificationPreference.objects.select_for_update().filter(person_id=person.pk).first()
    preference, _created = NotificationPreference.objects.update_or_create(
        person_id=person.pk,
        defaults={**channels, "events_off": stored, "updated_at": now},
    )
    audit_record(
        actor=person,
        action="notifications.preference_set",
        object_type="notifications.NotificationPreference",
        object_id=preference.pk,
        now=now,
        before=None if before is None else _preference_values(before),
        after=_preference_values(preference),
    )
    return preference


def _preference_values(preference: NotificationPreference) -> dict[str, Any]:
    return {
        "sms": preference.sms,
        "email": preference.email,
        "inapp": preference.inapp,
        "events_off": list(preference.events_off or []),
    }


# --- in-app notifications ----------------------------------------------------------------


@transaction.atomic
def notification_mark_read(
    *,
    person: AbstractBaseUser,
    now: dt.datetime,
    notification_ids: Collection[int] | None = None,
    all: bool = False,  # the caller's word: "mark all as read" (shadows the builtin here only)
) -> int:
    """Mark the person's unread notifications read: those of `notification_ids`, or every
    one with `all=True` (exactly one of the two). Another person's ids are ignored (they are
    not found among this person's). Returns how many changed; already read ones keep the
    time they were first read."""
    if all == (notification_ids is not None):
        raise TypeError("give notification_ids or all=True, not both or neither")
    unread = Notification.objects.filter(person_id=person.pk, read_at__isnull=True)
    if notification_ids is not None:
        if not notification_ids:
            return 0
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=now)


@transaction.atomic
def template_reset_default(*, actor: Actor, template_ids: Iterable[int], now: dt.datetime) -> int:
    """Put the shipped text back on these templates (one audit event each)."""
    count = 0
    for template in NotificationTemplate.objects.select_for_update().filter(
        pk__in=list(template_ids)
    ):
        default = DEFAULTS.get((template.event, template.channel, template.language))
        if default is None:
            continue
        before = {"subject": template.subject, "body": template.body}
        template.subject, template.body, template.updated_at = default.subject, default.body, now
        template.save(update_fields=["subject", "body", "updated_at"])
        transaction.on_commit(templates_cache_clear)
        audit_record(
            actor=actor,
            action="notifications.template_reset",
            object_type="notifications.NotificationTemplate",
            object_id=template.pk,
            now=now,
            before=before,
            after={"subject": template.subject, "body": template.body},
        )
        count += 1
    return count


@transaction.atomic
def template_update(
    *, actor: Actor, template: NotificationTemplate, subject: str, body: str, now: dt.datetime
) -> NotificationTemplate:
    """An administrator's new text (checked: placeholders from the fixed list), audited."""
    template_check(subject)
    template_check(body)
    locked = NotificationTemplate.objects.select_for_update().get(pk=template.pk)
    before = {"subject": locked.subject, "body": locked.body}
    locked.subject, locked.body, locked.updated_at = subject, body, now
    locked.save(update_fields=["subject", "body", "updated_at"])
    transaction.on_commit(templates_cache_clear)
    audit_record(
        actor=actor,
        action="notifications.template_update",
        object_type="notifications.NotificationTemplate",
        object_id=locked.pk,
        now=now,
        before=before,
        after={"subject": subject, "body": body},
    )
    return locked


def templates_seed() -> int:
    """Create the missing default templates (migration 0002 and `load_demo`); idempotent."""
    existing = set(NotificationTemplate.objects.values_list("event", "channel", "language"))
    rows = [
        NotificationTemplate(
            event=event, channel=channel, language=language, subject=d.subject, body=d.body
        )
        for (event, channel, language), d in DEFAULTS.items()
        if (event, channel, language) not in existing
    ]
    NotificationTemplate.objects.bulk_create(rows)
    templates_cache_clear()
    return len(rows)
