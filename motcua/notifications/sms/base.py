"""The SMS provider interface. A provider sends one text to one number with a client
reference, and must treat a second send with the same reference as the same message (the
HTTP providers pass it as their idempotency header; the sandbox deduplicates on it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class SmsError(Exception):
    """A send that did not happen. `temporary` errors (timeout, 5xx, refused connection)
    fail over to the next provider; others (4xx: bad number, bad key) do not."""

    temporary = False


class SmsTemporaryError(SmsError):
    temporary = True


@dataclass(frozen=True)
class SmsResult:
    provider: str
    message_id: str


class SmsProvider:
    """Subclass, set `name`, implement `send`. `options` come from settings/environment."""

    name = ""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def send(self, *, to: str, text: str, reference: str) -> SmsResult:  # pragma: no cover
        raise NotImplementedError
