"""motcua.core.shared_cache: a failing shared cache degrades, it does not break."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from motcua.core.generation_cache import Generation, GenerationCache
from motcua.core.ratelimit import rate_limit_hit
from motcua.core.shared_cache import shared_cache_available, shared_cache_reset, shared_call

CLOSED_PORT = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6391/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def _down() -> Any:
    return override_settings(CACHES=CLOSED_PORT, MOTCUA_CACHE_RETRY_SECONDS=3600)


def test_a_failure_answers_the_fallback_and_stops_trying(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def failing(c: Any) -> str:
        calls.append("tried")
        raise ConnectionError("refused")

    caplog.set_level(logging.WARNING, logger="motcua.cache")
    with override_settings(MOTCUA_CACHE_RETRY_SECONDS=3600):
        results = [shared_call(failing, lambda: "fallback") for _ in range(5)]

    assert results == ["fallback"] * 5
    assert calls == ["tried"]  # no attempt while down
    assert shared_cache_available() is False
    assert [r.name for r in caplog.records] == ["motcua.cache"]
    shared_cache_reset()
    assert shared_call(lambda c: "up", lambda: "fallback") == "up"


@override_settings(MOTCUA_RATE_LIMITS={"lookup": (2, 60)})
def test_rate_limits_fall_back_to_the_process() -> None:
    with _down():
        hits = [rate_limit_hit(name="lookup", key="1.2.3.4", now=1000.0) for _ in range(3)]
        other = rate_limit_hit(name="lookup", key="5.6.7.8", now=1000.0)

    assert hits == [False, False, True]
    assert other is False


def test_nothing_is_cached_while_down_and_a_lost_bump_is_sent_when_back() -> None:
    cache.clear()
    generation = Generation("test.outage")
    values: GenerationCache[str] = GenerationCache(generation)
    loads: list[str] = []

    def load() -> str:
        loads.append("db")
        return "v"

    values.get("k", load)  # cached while up
    values.get("k", load)
    assert loads == ["db"]
    with _down():
        values.get("k", load)
        values.get("k", load)
        generation.bump()  # a write during the outage: cannot reach the shared counter
    assert loads == ["db", "db", "db"]  # read the database every time

    shared_cache_reset()  # the cache is back
    values.get("k", load)
    values.get("k", load)

    assert loads == ["db", "db", "db", "db"]  # values from before the outage were dropped
    assert cache.get(generation.shared_key) == 1  # the lost bump reached the other processes


def test_a_bug_is_not_mistaken_for_an_outage() -> None:
    def buggy(c: Any) -> str:
        raise TypeError("a bug")

    with pytest.raises(TypeError):
        shared_call(buggy, lambda: "fallback")
    assert shared_cache_available() is True
