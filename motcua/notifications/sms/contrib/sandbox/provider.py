"""The built-in sandbox: an in-database inbox that deduplicates by client reference, as a
real provider's idempotency does. A second send with the same reference adds a hit and
returns the first message's id; `SandboxSms` then holds exactly one row per message."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ....models import SandboxSms
from ...base import SmsProvider, SmsResult


class SandboxProvider(SmsProvider):
    name = "sandbox"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)

    def send(self, *, to: str, text: str, reference: str) -> SmsResult:
        try:
            with transaction.atomic():
                row = SandboxSms.objects.create(
                    reference=reference, to=to, text=text, received_at=timezone.now()
                )
        except IntegrityError:
            SandboxSms.objects.filter(reference=reference).update(hits=F("hits") + 1)
            row = SandboxSms.objects.get(reference=reference)
        return SmsResult(provider=self.name, message_id=f"sandbox:{row.pk}")
