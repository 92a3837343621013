"""`Idempotency-Key` for writes: a retried request returns the first response, once.

The record is written in the transaction of the change, so it exists exactly when the change
committed. Two concurrent requests with one key race on the (principal, key) unique
constraint: the loser's whole transaction (its dossier included) rolls back and it replays
the winner's response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from motcua.accounts.models import User

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
    record = _find(principal=principal, key=key)
    if record is not None:
        return _replay(record, operation=operation, fingerprint=fingerprint)
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
