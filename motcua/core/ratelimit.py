"""Fixed-window rate limits kept in the cache (Redis in production, local memory otherwise).

Limits come from `settings.MOTCUA_RATE_LIMITS[name] = (requests, seconds)`.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client address. Behind a proxy, set the proxy to overwrite REMOTE_ADDR."""
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_limit_hit(*, name: str, key: str, now: float | None = None) -> bool:
    """Count one request for (name, key); True when the limit is exceeded."""
    limit, window = settings.MOTCUA_RATE_LIMITS[name]
    moment = time.time() if now is None else now
    bucket = int(moment // window)
    # The key is hashed: an address or a user name is personal data and stays out of the cache.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{name}:{bucket}:{digest}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count > limit
