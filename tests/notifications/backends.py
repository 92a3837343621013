"""Test doubles for the channels: a mail server that is down, an SMS provider that fails
on demand (and records what it sent)."""

from __future__ import annotations

import smtplib
from typing import Any, ClassVar

from django.core.mail.backends.base import BaseEmailBackend

from motcua.notifications.sms.base import SmsProvider, SmsResult, SmsTemporaryError


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("SMTP server went away")


class FlakySms(SmsProvider):
    name = "flaky"
    fail: ClassVar[bool] = False
    sent: ClassVar[list[str]] = []

    def send(self, *, to: str, text: str, reference: str) -> SmsResult:
        if FlakySms.fail:
            raise SmsTemporaryError("flaky: HTTP 503")
        FlakySms.sent.append(text)
        return SmsResult(provider="flaky", message_id=reference)
