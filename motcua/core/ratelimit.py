"""Rate limits kept in the shared cache (Redis in production, local memory otherwise).

Limits come from `settings.MOTCUA_RATE_LIMITS[name] = (requests, seconds)`.

- `rate_limit_hit` counts one request in a fixed window and says whether it is over;
- `rate_limit_exceeded` / `rate_limit_record` separate the question from the count (sign-in
  failures: a refused request is asked about, only a failure is counted);
- `sliding_count` / `sliding_add` approximate a rolling window from two fixed ones
  (submission quotas: "50 in the last hour").

Keys are hashed: an address or a user name is personal data and stays out of the cache.
When the shared cache is down (`motcua.core.shared_cache`) the counters live in this process
until it is back: limits still hold per worker, looser across workers.

`client_ip` is the address limits are counted for: REMOTE_ADDR, or — only when REMOTE_ADDR is
one of `settings.MOTCUA_TRUSTED_PROXIES` — the right-most X-Forwarded-For entry that is not a
trusted proxy (a client can put anything on the left of the header, never on the right of
what our own proxy appended).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import threading
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .shared_cache import shared_call

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client address (see the module docstring)."""
    peer = str(request.META.get("REMOTE_ADDR") or "unknown")
    networks = _networks(tuple(getattr(settings, "MOTCUA_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: nothing left of it can be believed; keep the last good hop
        client = hop
        if not _trusted(hop, networks):
            break
    return client


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


# --- the process-local fallback ----------------------------------------------------------


class _LocalCounters:
    """Fixed-window counters of this process, used while the shared cache is down."""

    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[int, float]] = {}  # key -> (count, expires)

    def get(self, key: str) -> int:
        with self._lock:
            count, expires = self._values.get(key, (0, 0.0))
            return count if expires > time.monotonic() else 0

    def incr(self, key: str, timeout: float) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._values.get(key, (0, 0.0))
            if expires <= now:
                if len(self._values) >= self.MAX_KEYS:
                    self._values = {k: v for k, v in self._values.items() if v[1] > now}
                    if len(self._values) >= self.MAX_KEYS:
                        self._values.clear()
                count, expires = 0, now + timeout
            self._values[key] = (count + 1, expires)
            return count + 1

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_local = _LocalCounters()


def rate_limits_local_clear() -> None:
    """Forget the process-local counters (tests call it between cases)."""
    _local.clear()


def _incr(cache_key: str, timeout: int) -> int:
    def shared(cache: Any) -> int:
        # Incrementing first: the common case (the window's key exists) costs no `add`.
        try:
            return int(cache.incr(cache_key))
        except ValueError:  # the first of its window (or expired meanwhile)
            if cache.add(cache_key, 1, timeout=timeout):
                return 1
        try:
            return int(cache.incr(cache_key))  # another process added it first
        except ValueError:
            cache.set(cache_key, 1, timeout=timeout)
            return 1

    return shared_call(shared, lambda: _local.incr(cache_key, timeout))


def _get_many(cache_keys: list[str]) -> dict[str, int]:
    def shared(cache: Any) -> dict[str, int]:
        return {k: int(v) for k, v in cache.get_many(cache_keys).items()}

    return shared_call(shared, lambda: {k: _local.get(k) for k in cache_keys})


# --- fixed windows -----------------------------------------------------------------------


def _window_key(name: str, key: str, moment: float, window: int) -> str:
    return f"rl:{name}:{int(moment // window)}:{_digest(key)}"


def rate_limit_hit(*, name: str, key: str, now: float | None = None) -> bool:
    """Count one request for (name, key); True when the limit is exceeded."""
    limit, window = settings.MOTCUA_RATE_LIMITS[name]
    moment = time.time() if now is None else now
    return _incr(_window_key(name, key, moment, window), window + 1) > limit


def rate_limit_exceeded(*, name: str, key: str, now: float | None = None) -> bool:
    """True when (name, key) has already reached its limit in the current window (counts
    nothing)."""
    limit, window = settings.MOTCUA_RATE_LIMITS[name]
    moment = time.time() if now is None else now
    cache_key = _window_key(name, key, moment, window)
    return _get_many([cache_key]).get(cache_key, 0) >= limit


def rate_limit_record(*, name: str, key: str, now: float | None = None) -> int:
    """Count one event for (name, key) in the current window; returns the count."""
    _, window = settings.MOTCUA_RATE_LIMITS[name]
    moment = time.time() if now is None else now
    return _incr(_window_key(name, key, moment, window), window + 1)


def rate_limit_retry_after(*, name: str, now: float | None = None) -> int:
    """Seconds until the current window of `name` ends (at least 1)."""
    _, window = settings.MOTCUA_RATE_LIMITS[name]
    moment = time.time() if now is None else now
    return max(1, int(window - (moment % window)) + 1)


# --- rolling windows (two fixed windows, the previous one weighted) ----------------------


def _sliding_keys(name: str, key: str, moment: float, window: int) -> tuple[str, str, float]:
    bucket = int(moment // window)
    digest = _digest(key)
    elapsed = (moment % window) / window
    return f"sw:{name}:{bucket}:{digest}", f"sw:{name}:{bucket - 1}:{digest}", elapsed


def sliding_count(*, name: str, key: str, window: int, now: float | None = None) -> int:
    """About how many events (name, key) had in the last `window` seconds."""
    moment = time.time() if now is None else now
    current, previous, elapsed = _sliding_keys(name, key, moment, window)
    counts = _get_many([current, previous])
    return int(counts.get(current, 0) + counts.get(previous, 0) * (1 - elapsed))


def sliding_add(*, name: str, key: str, window: int, now: float | None = None) -> None:
    """Count one event for (name, key) in the rolling window."""
    moment = time.time() if now is None else now
    current, _, _ = _sliding_keys(name, key, moment, window)
    _incr(current, 2 * window + 1)
