"""`accounts.passwords`: setting a password (validators, audited) and the reset grant that
lies between a checked texted code and the new password (spent once, short-lived, unforgeable)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import User
from motcua.accounts.passwords import (
    GRANT_MINUTES,
    password_reset_grant,
    password_reset_grant_user,
    user_password_set,
)
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def test_a_weak_password_is_refused_with_every_reason_and_nothing_changes() -> None:
    user = User.objects.create_user("nguyenvanan", phone="0912345678")
    with pytest.raises(ValidationError) as caught:
        user_password_set(user=user, password="1234", how="profile", now=NOW)
    assert caught.value.code == "password_weak"
    assert len(caught.value.errors) >= 2  # too short and entirely numeric
    assert {e["field"] for e in caught.value.errors} == {"password"}
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert not AuditEvent.objects.filter(action="account.password_set").exists()


def test_an_unknown_way_is_a_programming_error() -> None:
    user = User.objects.create_user("cd")
    with pytest.raises(ValueError):
        user_password_set(user=user, password="mua-xuan-ha-noi-2026", how="email", now=NOW)


def test_the_grant_is_spent_once_the_password_is_set() -> None:
    user = User.objects.create_user("cd", phone="0912345678")
    grant = password_reset_grant(user=user, now=NOW)
    assert password_reset_grant_user(grant=grant, now=NOW) == user
    user_password_set(user=user, password="mua-xuan-ha-noi-2026", how="reset_sms", now=NOW)
    assert password_reset_grant_user(grant=grant, now=NOW) is None


def test_the_grant_expires_and_cannot_be_forged_or_moved() -> None:
    user = User.objects.create_user("cd", phone="0912345678")
    other = User.objects.create_user("khac", phone="0987654321")
    grant = password_reset_grant(user=user, now=NOW)
    later = NOW + dt.timedelta(minutes=GRANT_MINUTES, seconds=1)
    assert password_reset_grant_user(grant=grant, now=later) is None
    assert password_reset_grant_user(grant={**grant, "user": other.pk}, now=NOW) is None
    assert (
        password_reset_grant_user(grant={**grant, "until": grant["until"] + 600}, now=NOW) is None
    )
    for broken in (None, "x", {}, {"user": "a", "until": 1, "stamp": ""}):
        assert password_reset_grant_user(grant=broken, now=NOW) is None
    user.is_active = False
    user.save()
    assert password_reset_grant_user(grant=grant, now=NOW) is None
