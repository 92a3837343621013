"""Per-client-IP rate limits for public look-ups, as a ninja throttle over
`motcua.core.ratelimit` (a fixed window in the cache; limits read from
`settings.MOTCUA_RATE_LIMITS` on every request). The client is REMOTE_ADDR: a proxy in front
must set it, never a client-supplied X-Forwarded-For, which anyone can forge.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from motcua.core.ratelimit import client_ip, rate_limit_hit


class CacheRateThrottle(BaseThrottle):
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def allow_request(self, request: HttpRequest) -> bool:
        return not rate_limit_hit(name=self.scope, key=client_ip(request))

    def wait(self) -> float | None:
        """Seconds until the current window ends (computed: the instance is shared)."""
        _, window = settings.MOTCUA_RATE_LIMITS[self.scope]
        return window - (time.time() % window)


lookup_throttle = CacheRateThrottle("lookup")
