"""`http_b`: a second gateway, in the "X-Api-Key + client reference" style.

POST `<MOTCUA_SMS_HTTP_B_URL>` with `{"phone", "message", "sender", "client_ref"}`, headers
`X-Api-Key: <MOTCUA_SMS_HTTP_B_API_KEY>` and `X-Client-Reference: <reference>`; answers
`{"message_id": "..."}`. Settings (environment): `MOTCUA_SMS_HTTP_B_URL`,
`MOTCUA_SMS_HTTP_B_API_KEY`, `MOTCUA_SMS_HTTP_B_SENDER`, `MOTCUA_SMS_HTTP_B_TIMEOUT_S`
(default 5)."""

from __future__ import annotations

from typing import Any

from ...base import SmsProvider, SmsResult
from ...http import post_json


class HttpBProvider(SmsProvider):
    name = "http_b"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.url = str(options.get("url", ""))
        self.api_key = str(options.get("api_key", ""))
        self.sender = str(options.get("sender", "MOTCUA"))
        self.timeout = float(options.get("timeout_s", 5))

    def send(self, *, to: str, text: str, reference: str) -> SmsResult:
        answer = post_json(
            url=self.url,
            body={"phone": to, "message": text, "sender": self.sender, "client_ref": reference},
            headers={"X-Api-Key": self.api_key, "X-Client-Reference": reference},
            timeout=self.timeout,
            provider=self.name,
        )
        return SmsResult(provider=self.name, message_id=str(answer.get("message_id", "")))
