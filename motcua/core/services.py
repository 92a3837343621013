from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from .models import AuditEvent, DataAccessLog


def data_access_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    subject_type: str,
    subject_id: str,
    purpose: str,
    now: dt.datetime,
    channel: str = "web",
) -> DataAccessLog:
    """Log that `actor` read personal data of someone else (never the data itself)."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return DataAccessLog.objects.create(
        actor_id=actor_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        purpose=purpose,
        channel=channel,
        at=now,
    )


def data_access_record_many(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    subject_type: str,
    subject_ids: Iterable[str],
    purpose: str,
    now: dt.datetime,
    channel: str = "web",
) -> list[DataAccessLog]:
    """Log, in one insert, that `actor` read the personal data of several subjects (a list
    page): one row per subject, so "who read whose data" stays a question about one row."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return DataAccessLog.objects.bulk_create(
        DataAccessLog(
            actor_id=actor_id,
            subject_type=subject_type,
            subject_id=str(subject_id),
            purpose=purpose,
            channel=channel,
            at=now,
        )
        for subject_id in subject_ids
    )


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object,
    now: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append an audit event. Call it inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        at=now,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        reason=reason,
    )


def _jsonable(value: Any) -> Any:
    """Dates, times, decimals and lazy strings as JSON-friendly text."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def row_state(obj: models.Model, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored values of a row (foreign keys as ids, no primary key), optionally only
    `names`: the before/after of an audit event."""
    fields = [f for f in obj._meta.concrete_fields if f.name != "id"]
    if names is not None:
        wanted = set(names)
        fields = [f for f in fields if f.name in wanted]
    return {f.name: getattr(obj, f.attname) for f in fields}


def state_diff(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old values, new values) of the keys of `after` whose value changed."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
