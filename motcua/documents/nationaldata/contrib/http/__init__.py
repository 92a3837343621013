"""The HTTP JSON connector (docs/data-store.md, "HTTP connector").

Request: `POST {base_url}/{database}/lookup` with `Content-Type: application/json`,
`Authorization: Bearer {token}` (when a token is set) and the body
`{"subject_key": "...", "purpose": "..."}` (the number is in the body, never in the URL, so
it stays out of access logs). Answers:
- 200 `{"reference": "...", "fields": {...}}`: the record;
- 404: no record for this subject (`national_record_not_found`);
- anything else, a timeout or a refused connection: retried `retries` times (5xx, timeouts
  and connection errors only; 0.2 s, then doubling), then `national_data_unavailable`.
  401/403 and other 4xx are not retried. A 200 whose body is not that shape is unavailable.
Options: `base_url` (required), `token`, `timeout` (seconds, default 5), `retries` (default 2).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from ...base import NationalDataUnavailable, NationalRecord, NationalRecordNotFound

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.2


class HttpConnector:
    name = "http"

    def __init__(
        self, *, base_url: str, token: str = "", timeout: float = 5.0, retries: int = 2
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the HTTP national-data connector needs an http(s) base_url")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))

    def _request(self, *, database: str, subject_key: str, purpose: str) -> urllib.request.Request:
        body = json.dumps({"subject_key": subject_key, "purpose": purpose}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = f"{self.base_url}/{quote(database, safe='')}/lookup"
        # The scheme is http(s), checked at construction.
        return urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310

    def fetch(
        self, *, database: str, subject_key: str, purpose: str, now: dt.datetime
    ) -> NationalRecord:
        request = self._request(database=database, subject_key=subject_key, purpose=purpose)
        for attempt in range(self.retries + 1):
            retry = False
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    data = json.loads(response.read(1_000_001))
                return self._record(data, database=database, subject_key=subject_key, now=now)
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise NationalRecordNotFound(database=database) from exc
                retry = exc.code >= 500
                logger.warning("national data %s answered HTTP %s", database, exc.code)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                retry = True
                logger.warning("national data %s unreachable: %s", database, type(exc).__name__)
            except ValueError:  # not JSON
                logger.warning("national data %s answered something that is not JSON", database)
            if not retry or attempt == self.retries:
                break
            time.sleep(BACKOFF_SECONDS * 2**attempt)
        raise NationalDataUnavailable(database=database)

    def _record(
        self, data: Any, *, database: str, subject_key: str, now: dt.datetime
    ) -> NationalRecord:
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("reference"), str)
            or not data["reference"]
            or not isinstance(data.get("fields", {}), dict)
        ):
            logger.warning("national data %s answered an unexpected shape", database)
            raise NationalDataUnavailable(database=database)
        return NationalRecord(
            database=database,
            subject_key=subject_key,
            reference=data["reference"][:100],
            fields=dict(data.get("fields") or {}),
            fetched_at=now,
            connector=self.name,
        )
