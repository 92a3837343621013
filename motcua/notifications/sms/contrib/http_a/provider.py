"""`http_a`: a brand-name SMS gateway in the common "Bearer key + Idempotency-Key" style.

POST `<MOTCUA_SMS_HTTP_A_URL>` with `{"to", "text", "brandname", "reference"}`, headers
`Authorization: Bearer <MOTCUA_SMS_HTTP_A_API_KEY>` and `Idempotency-Key: <reference>`;
answers `{"id": "..."}`. Settings (environment): `MOTCUA_SMS_HTTP_A_URL`,
`MOTCUA_SMS_HTTP_A_API_KEY`, `MOTCUA_SMS_HTTP_A_BRANDNAME`, `MOTCUA_SMS_HTTP_A_TIMEOUT_S`
(default 5)."""

from __future__ import annotations

from typing import Any

from ...base import SmsProvider, SmsResult
from ...http import post_json


class HttpAProvider(SmsProvider):
    name = "http_a"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.url = str(options.get("url", ""))
        self.api_key = str(options.get("api_key", ""))
        self.brandname = str(options.get("brandname", "MOTCUA"))
        self.timeout = float(options.get("timeout_s", 5))

    def send(self, *, to: str, text: str, reference: str) -> SmsResult:
        answer = post_json(
            url=self.url,
            body={"to": to, "text": text, "brandname": self.brandname, "reference": reference},
            headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": reference},
            timeout=self.timeout,
            provider=self.name,
        )
        return SmsResult(provider=self.name, message_id=str(answer.get("id", "")))
