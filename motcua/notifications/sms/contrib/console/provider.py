"""The demo provider: writes the message to the log with the number masked (the full text
is in the NotificationDelivery row, which the admin shows to those allowed to see it)."""

from __future__ import annotations

import logging
from typing import Any

from ....text import mask_phone
from ...base import SmsProvider, SmsResult

logger = logging.getLogger("motcua.notifications.sms.console")


class ConsoleProvider(SmsProvider):
    name = "console"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)

    def send(self, *, to: str, text: str, reference: str) -> SmsResult:
        logger.info("sms to %s (%d chars) ref %s", mask_phone(to), len(text), reference)
        return SmsResult(provider=self.name, message_id=f"console:{reference}")
