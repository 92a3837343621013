from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from motcua.core.ratelimit import rate_limit_hit


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@override_settings(MOTCUA_RATE_LIMITS={"lookup": (3, 60)})
def test_limit_counts_per_key_and_window() -> None:
    hits = [rate_limit_hit(name="lookup", key="1.2.3.4", now=1000.0) for _ in range(4)]
    assert hits == [False, False, False, True]
    assert rate_limit_hit(name="lookup", key="5.6.7.8", now=1000.0) is False
    assert rate_limit_hit(name="lookup", key="1.2.3.4", now=1060.0) is False  # next window


@pytest.mark.django_db
@override_settings(MOTCUA_RATE_LIMITS={"login": (2, 60), "lookup": (100, 60)})
def test_admin_sign_in_is_rate_limited() -> None:
    client = Client()
    statuses = [
        client.post("/admin/login/", {"username": "x", "password": "wrong"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert "quá nhiều lần" in client.post("/admin/login/", {}).content.decode()
