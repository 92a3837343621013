"""`Idempotency-Key` for writes: a retried request returns the first response, once.

The record is written in the transaction of the change, so it exists exactly when the change
committed. The key is not looked up first: a reused key (a retry, or two concurrent requests
with one key) fails on the (principal, key) unique constraint, the whole transaction (its
dossier included) rolls back and the first response is replayed; a retry whose re-run fails
with an error also gets the first response when there is one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

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
