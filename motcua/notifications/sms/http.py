"""What the HTTP-style providers share: a JSON POST with a timeout, errors sorted into
temporary (timeout, connection, 5xx, 429: fail over, retry) and permanent (other 4xx)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from .base import SmsError, SmsTemporaryError


def post_json(
    *, url: str, body: dict[str, Any], headers: dict[str, str], timeout: float, provider: str
) -> dict[str, Any]:
    if not url:
        raise SmsError(f"{provider}: no URL configured")
    if not url.startswith(("https://", "http://")):
        raise SmsError(f"{provider}: the URL must be http(s)")
    data = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise SmsTemporaryError(f"{provider}: HTTP {exc.code}") from None
        raise SmsError(f"{provider}: HTTP {exc.code}") from None
    except (TimeoutError, OSError) as exc:  # URLError is an OSError; so is a reset
        raise SmsTemporaryError(f"{provider}: {type(exc).__name__}") from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise SmsTemporaryError(f"{provider}: answer is not JSON") from None
    return answer if isinstance(answer, dict) else {}
