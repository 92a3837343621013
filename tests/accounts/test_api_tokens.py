from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import ApiToken
from motcua.accounts.services import api_token_authenticate, api_token_create
from motcua.core.clock import VN_TZ
from tests.factories import UserFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


def test_token_key_is_shown_once_and_only_its_hash_is_stored() -> None:
    user = UserFactory()
    token, raw = api_token_create(user=user, name="Cổng tỉnh", now=NOW)
    assert raw.startswith("mc_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.key_hash, stored.prefix + "x"}
    assert stored.key_hash == ApiToken.hash_key(raw)
    assert api_token_authenticate(raw_key=raw, now=NOW) == user


def test_creating_a_token_leaves_an_audit_event_without_the_key() -> None:
    from motcua.core.models import AuditEvent

    admin = UserFactory(username="quantri")
    token, raw = api_token_create(
        user=UserFactory(username="tichhop"), name="t", now=NOW, actor=admin
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.at, event.object_id) == (
        "api_token.create",
        admin,
        NOW,
        str(token.pk),
    )
    assert event.after["user"] == "tichhop"
    assert raw not in str(event.after)


@pytest.mark.parametrize("case", ["wrong", "revoked", "expired", "inactive", "empty"])
def test_denied_tokens(case: str) -> None:
    user = UserFactory()
    token, raw = api_token_create(
        user=user, name="t", now=NOW, expires_at=NOW + dt.timedelta(days=1)
    )
    if case == "wrong":
        raw = raw + "x"
    elif case == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=NOW)
    elif case == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=NOW)
    elif case == "inactive":
        user.is_active = False
        user.save()
    elif case == "empty":
        raw = ""
    assert api_token_authenticate(raw_key=raw, now=NOW) is None
