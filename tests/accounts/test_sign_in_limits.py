"""Sign-in failures are limited per account and per address, and logged without the
password — in the admin's sign-in form and wherever `authenticate()` is used."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.accounts.signin import account_label
from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "matkhau-demo-2026"
LIMITS = {
    "login": (100, 60),
    "login_account": (3, 900),
    "auth_token": (100, 60),
    "lookup": (100, 60),
}


@pytest.fixture(autouse=True)
def _no_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff() -> User:
    user = StaffFactory(username="canbo", is_staff=True, is_superuser=True)
    assert isinstance(user, User)
    return user


def _sign_in(password: str, address: str, username: str = "canbo") -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post("/admin/login/", {"username": username, "password": password}).status_code


@override_settings(MOTCUA_RATE_LIMITS=LIMITS)
def test_an_account_is_limited_after_its_failures_even_from_elsewhere(staff: User) -> None:
    failures = [_sign_in("sai", f"10.0.0.{n}") for n in range(3)]  # 3 addresses

    right_password_elsewhere = _sign_in(PASSWORD, "10.9.9.9")
    other_account = _sign_in("wrong", "10.9.9.9", username="nguoikhac")

    assert failures == [200, 200, 200]  # the form again, with its error
    assert right_password_elsewhere == 429
    assert other_account == 200


@override_settings(MOTCUA_RATE_LIMITS=LIMITS)
def test_successes_are_not_failures(staff: User) -> None:
    statuses = [_sign_in(PASSWORD, "10.0.0.1") for _ in range(5)]

    assert statuses == [302] * 5


@override_settings(MOTCUA_RATE_LIMITS=LIMITS)
def test_the_account_limit_ends_with_its_window(staff: User) -> None:
    with freeze_time("2026-12-01 08:00:00") as frozen:  # the start of a 15-minute window
        for n in range(3):
            _sign_in("sai", f"10.0.0.{n}")
        assert _sign_in(PASSWORD, "10.9.9.9") == 429
        frozen.tick(14 * 60)
        assert _sign_in(PASSWORD, "10.9.9.9") == 429  # still the same window
        frozen.tick(60)

        assert _sign_in(PASSWORD, "10.9.9.9") == 302


@override_settings(MOTCUA_RATE_LIMITS={**LIMITS, "login": (2, 60), "login_account": (100, 900)})
def test_one_address_trying_many_accounts_is_limited(staff: User) -> None:
    tries = [_sign_in("sai", "10.0.0.1", username=f"u{n}") for n in range(2)]

    assert tries == [200, 200]
    assert _sign_in(PASSWORD, "10.0.0.1") == 429
    assert _sign_in(PASSWORD, "10.0.0.2") == 302


def test_failures_are_logged_without_the_password(
    staff: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="motcua.accounts.signin")

    _sign_in("mat-khau-bi-mat", "203.0.113.7")
    _sign_in(PASSWORD, "203.0.113.7")

    records = [r.getMessage() for r in caplog.records if r.name == "motcua.accounts.signin"]
    assert records == [
        f"sign-in refused: account={account_label('canbo')} address=203.0.113.7 "
        "reason=bad_credentials channel=web"
    ]
    assert "mat-khau-bi-mat" not in caplog.text
    assert "canbo" not in caplog.text


def test_a_phone_number_signs_in_too() -> None:
    CitizenFactory(username="an", phone="0912345678", is_staff=True)
    CitizenFactory(username="hai", phone="0987654321")
    CitizenFactory(username="ba", phone="0987654321")  # a shared number: not an identifier

    assert _sign_in(PASSWORD, "10.0.0.1", username="0912345678") == 302
    assert _sign_in(PASSWORD, "10.0.0.1", username="0987654321") == 200
