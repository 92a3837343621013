from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from motcua.core.ratelimit import (
    client_ip,
    rate_limit_exceeded,
    rate_limit_hit,
    rate_limit_record,
    sliding_add,
    sliding_count,
)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@override_settings(MOTCUA_RATE_LIMITS={"lookup": (3, 60)})
def test_limit_counts_per_key_and_window() -> None:
    hits = [rate_limit_hit(name="lookup", key="1.2.3.4", now=1000.0) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert rate_limit_hit(name="lookup", key="5.6.7.8", now=1000.0) is False
    assert rate_limit_hit(name="lookup", key="1.2.3.4", now=1060.0) is False  # next window


@override_settings(MOTCUA_RATE_LIMITS={"login": (2, 60)})
def test_asking_counts_nothing_recording_does() -> None:
    assert [rate_limit_exceeded(name="login", key="a", now=10.0) for _ in range(5)] == [False] * 5
    rate_limit_record(name="login", key="a", now=10.0)
    assert rate_limit_exceeded(name="login", key="a", now=10.0) is False
    rate_limit_record(name="login", key="a", now=10.0)
    assert rate_limit_exceeded(name="login", key="a", now=10.0) is True
    assert rate_limit_exceeded(name="login", key="a", now=70.0) is False  # window over


def test_a_sliding_window_forgets_gradually() -> None:
    for _ in range(10):
        sliding_add(name="q", key="u1", window=3600, now=3600.0 * 5 + 10)
    assert sliding_count(name="q", key="u1", window=3600, now=3600.0 * 5 + 20) == 10
    # Half-way through the next hour about half of the previous one still counts.
    assert sliding_count(name="q", key="u1", window=3600, now=3600.0 * 6 + 1800) == 5
    assert sliding_count(name="q", key="u1", window=3600, now=3600.0 * 7 + 1) == 0
    assert sliding_count(name="q", key="u2", window=3600, now=3600.0 * 5 + 20) == 0


def _request(peer: str, forwarded: str | None = None) -> object:
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        # No trusted proxy configured: the header is ignored, whoever sends it.
        ([], "127.0.0.1", "203.0.113.7", "127.0.0.1"),
        # From a trusted proxy: the right-most address it did not add itself.
        (["127.0.0.1"], "127.0.0.1", "203.0.113.7", "203.0.113.7"),
        (["127.0.0.1"], "127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # Several trusted hops (a CIDR): skipped from the right.
        (["10.0.0.0/8", "127.0.0.1"], "127.0.0.1", "1.2.3.4, 203.0.113.7, 10.1.2.3", "203.0.113.7"),
        # The client forged the left part: never believed.
        (["127.0.0.1"], "127.0.0.1", "10.9.9.9, 127.0.0.1, 203.0.113.7", "203.0.113.7"),
        # Not from a trusted proxy: the header is the client's own, ignored.
        (["127.0.0.1"], "198.51.100.9", "203.0.113.7", "198.51.100.9"),
        # Only trusted hops, or no header: the left-most trusted one / the peer.
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "10.0.0.5", "10.0.0.5"),
        (["127.0.0.1"], "127.0.0.1", None, "127.0.0.1"),
        # Garbage added before our proxy: stop at the last address that parses.
        (["127.0.0.1"], "127.0.0.1", "203.0.113.7, nonsense", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_the_client_address_behind_trusted_proxies(
    trusted: list[str], peer: str, forwarded: str | None, client: str
) -> None:
    with override_settings(MOTCUA_TRUSTED_PROXIES=trusted):
        assert client_ip(_request(peer, forwarded)) == client  # type: ignore[arg-type]
