"""Erasing the secrets a rotation replaced once their grace period is over (ADR 0027).

A previous secret stops signing at `previous_secret_expires_at`
(`WebhookEndpoint.signing_secrets`); it is then erased from its column, not only ignored, so
a copy of the database taken afterwards holds no secret that ever authenticated us beyond
the current one. Two ways, either is enough: the delivery that signs after the expiry erases
that endpoint's, and the hourly beat job (`webhook_secrets_erase`, also a management
command) erases every endpoint's, those that deliver nothing included.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from motcua.core.services import audit_record

from .models import WebhookEndpoint

OBJECT_TYPE = "notifications.WebhookEndpoint"


def _expired(now: dt.datetime) -> Q:
    return ~Q(previous_secret="") & (
        Q(previous_secret_expires_at__lte=now) | Q(previous_secret_expires_at__isnull=True)
    )


@transaction.atomic
def webhook_previous_secrets_erase(
    *, now: dt.datetime, endpoint: WebhookEndpoint | None = None
) -> int:
    """Empty `previous_secret` of every endpoint (or only `endpoint`, whose row in memory is
    emptied too) whose grace ended at or before `now`; returns how many were erased. The
    expiry stays (when the old secret stopped); one audit event
    `webhook.previous_secret_erase` per endpoint, without the secret. A rotation running at
    the same time waits for the row lock, or is waited for and its new grace is kept."""
    rows = WebhookEndpoint.objects.filter(_expired(now))
    if endpoint is not None:
        rows = rows.filter(pk=endpoint.pk)
    found = list(
        rows.select_for_update().order_by("pk").values_list("pk", "previous_secret_expires_at")
    )
    if not found:
        return 0
    WebhookEndpoint.objects.filter(pk__in=[pk for pk, _at in found]).update(previous_secret="")
    for pk, expires in found:
        audit_record(
            actor=None,
            action="webhook.previous_secret_erase",
            object_type=OBJECT_TYPE,
            object_id=pk,
            now=now,
            before={"previous_secret_expires_at": expires},
            after={"previous_secret": "erased"},
        )
    if endpoint is not None:
        endpoint.previous_secret = ""
    return len(found)
