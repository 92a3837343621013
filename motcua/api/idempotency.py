"""`Idempotency-Key` for writes: a retried request returns the first response, once.

The record is written in the transaction of the change, so it exists exactly when the change
committed. The key is not looked up first: a reused key (a retry, or two concurrent requests
with one key) fails on the (principal, key) unique constraint, the whole transaction (its
dossier included) rolls back and the first response is replayed; a retry whose re-run fails
with an error also gets the first response when there is one.

Records are kept `MOTCUA_IDEMPOTENCY_TTL_DAYS` (7) days: `idempotency_purge` (the
`purge_idempotency` command, hourly from Celery beat) deletes older ones, after which the key
counts as new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from ninja.errors import HttpError

from motcua.accounts.models import User
from motcua.core.errors import DomainError

from .errors import MESSAGES, ApiError
from .models import IdempotencyRecord

Response = tuple[int, dict[str, Any]]


def request_fingerprint(*, operation: str, payload: Any) -> str:
    """SHA-256 of the operation and the parsed body in canonical JSON: whitespace and key
    order do not matter, values do."""
    canonical = json.dumps(
        {"operation": operation, "body": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent_call(
    *,
    principal: User,
    key: str | None,
    operation: str,
    fingerprint: str,
    now: dt.datetime,
    perform: Callable[[], Response],
) -> tuple[int, dict[str, Any], bool]:
    """Run `perform` (which writes and renders its response) at most once per key.

    Returns (status, body, replayed). Raises ApiError `idempotency_key_reused` when the key
    was used by this principal for a different request."""
    if not key:
        status, body = perform()
        return status, body, False
    # No look-up first: a new key (the common case) costs no extra query. A key already used
    # makes the record insert fail, and the whole transaction (its dossier and its dossier
    # code included) rolls back before the first response is replayed.
    try:
        with transaction.atomic():
            status, body = perform()
            IdempotencyRecord.objects.create(
                principal=principal,
                key=key,
                operation=operation,
                fingerprint=fingerprint,
                response_status=status,
                response_body=body,
                created_at=now,
            )
    except IntegrityError:
        record = _find(principal=principal, key=key)
        if record is None:  # the failure was not about the key
            raise
        return _replay(record, operation=operation, fingerprint=fingerprint)
    except (DomainError, ApiError, HttpError):
        # Running the request again failed (e.g. the version it used is no longer in force):
        # a retry of a request that succeeded still gets the first response, as if the key
        # had been looked up first.
        record = _find(principal=principal, key=key)
        if record is None:
            raise
        return _replay(record, operation=operation, fingerprint=fingerprint)
    return status, body, False


def _find(*, principal: User, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(principal=principal, key=key).first()


def _replay(
    record: IdempotencyRecord, *, operation: str, fingerprint: str
) -> tuple[int, dict[str, Any], bool]:
    if record.operation != operation or record.fingerprint != fingerprint:
        raise ApiError(
            status=422, code="idempotency_key_reused", message=MESSAGES["idempotency_key_reused"]
        )
    return record.response_status, record.response_body, True


PURGE_BATCH = 5000


def idempotency_purge(*, now: dt.datetime, ttl_days: int | None = None) -> int:
    """Delete the records created more than `ttl_days` (default the setting
    `MOTCUA_IDEMPOTENCY_TTL_DAYS`) before `now`; returns how many. In batches of
    `PURGE_BATCH` rows, one transaction each, so a large backlog never holds a long lock;
    a record is only a replay cache, so a partial purge loses nothing."""
    days = settings.MOTCUA_IDEMPOTENCY_TTL_DAYS if ttl_days is None else ttl_days
    if days < 0:
        raise ValueError("ttl_days must not be negative")
    cutoff = now - dt.timedelta(days=days)
    purged = 0
    while True:
        with transaction.atomic():
            ids = list(
                IdempotencyRecord.objects.filter(created_at__lt=cutoff)
                .order_by("created_at", "id")
                .values_list("id", flat=True)[:PURGE_BATCH]
            )
            if not ids:
                return purged
            purged += IdempotencyRecord.objects.filter(id__in=ids).delete()[0]
