"""The shared Django cache (Redis in production), used so that a cache outage degrades the
service instead of breaking it.

Rate limits and the generation counters of the per-process caches go through `shared_call`:
when the cache backend raises (Redis refused the connection, timed out, ...), the call
answers the caller's fallback instead, the cache is considered *down* for
`settings.MOTCUA_CACHE_RETRY_SECONDS` (no further attempt in this process meanwhile, so an
outage costs no time per request), and one warning is logged per down period — not one per
request. The next call after the period tries the cache again.

Callers decide what "fall back" means: rate limits count in this process
(`motcua.core.ratelimit`), generation caches stop caching and read the database
(`motcua.core.generation_cache`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

logger = logging.getLogger("motcua.cache")

T = TypeVar("T")


def _backend_errors() -> tuple[type[BaseException], ...]:
    """What a cache backend raises when its server is unreachable or misbehaves (a bug in
    the caller, a TypeError say, is not an outage and is not swallowed)."""
    errors: list[type[BaseException]] = [OSError, TimeoutError]
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    else:
        errors.append(RedisError)
    return tuple(errors)


CACHE_ERRORS = _backend_errors()

_lock = threading.Lock()
_down_until = 0.0
_listeners: list[Callable[[], None]] = []


def _retry_seconds() -> float:
    return float(getattr(settings, "MOTCUA_CACHE_RETRY_SECONDS", 30))


def shared_cache_available() -> bool:
    """False while the cache is considered down in this process."""
    return time.monotonic() >= _down_until


def shared_cache_on_failure(listener: Callable[[], None]) -> None:
    """Call `listener()` whenever the cache is found down (e.g. to forget cached values that
    were only valid while the shared counters could be read)."""
    _listeners.append(listener)


def shared_call(operation: Callable[[Any], T], fallback: Callable[[], T]) -> T:
    """`operation(cache)` on the shared cache, or `fallback()` while the cache is down or when
    the operation fails."""
    from django.core.cache import cache

    if not shared_cache_available():
        return fallback()
    try:
        return operation(cache)
    except CACHE_ERRORS as exc:
        _mark_down(exc)
        return fallback()


def _mark_down(exc: BaseException) -> None:
    global _down_until
    retry = _retry_seconds()
    with _lock:
        was_up = time.monotonic() >= _down_until
        _down_until = time.monotonic() + retry
    if was_up:
        logger.warning(
            "shared cache unavailable (%s: %s): rate limits count per process and the "
            "reference-data caches read the database; next attempt in %.0f s",
            type(exc).__name__,
            exc,
            retry,
        )
    for listener in list(_listeners):
        listener()


def shared_cache_reset() -> None:
    """Consider the cache up again (tests call it between cases)."""
    global _down_until
    with _lock:
        _down_until = 0.0
