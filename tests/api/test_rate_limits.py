"""Rate limits behind the reverse proxy, and the per-account submission quota."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

LIMITS = {"login": (10, 60), "login_account": (10, 900), "auth_token": (20, 60), "lookup": (2, 60)}


@override_settings(MOTCUA_RATE_LIMITS=LIMITS, MOTCUA_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_the_proxy_each_client_has_its_own_bucket(
    client: Client, procedure: Procedure
) -> None:
    def via_proxy(address: str) -> int:
        return client.get(
            "/api/v1/procedures", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address
        ).status_code

    first = [via_proxy("203.0.113.7") for _ in range(3)]
    second = [via_proxy("198.51.100.1") for _ in range(2)]

    assert first == [200, 200, 429]
    assert second == [200, 200]


@override_settings(MOTCUA_RATE_LIMITS=LIMITS, MOTCUA_TRUSTED_PROXIES=["127.0.0.1"])
def test_a_forged_header_from_outside_changes_nothing(client: Client, procedure: Procedure) -> None:
    statuses = [
        client.get(
            "/api/v1/procedures", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def _submit(client: Client, user: User, key: str | None = None) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/dossiers",
        json.dumps(
            {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}
        ),
        content_type="application/json",
        **bearer(user),
        **extra,
    )


@override_settings(MOTCUA_SUBMISSION_QUOTAS={"default": (2, 3600), "integrator": (3, 3600)})
def test_an_account_past_its_hourly_quota_gets_429(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, other_citizen: User
) -> None:
    statuses = [_submit(client, citizen).status_code for _ in range(2)]
    refused = _submit(client, citizen)
    someone_else = _submit(client, other_citizen)

    assert statuses == [201, 201]
    assert refused.status_code == 429
    assert refused.json() == {
        "code": "submission_quota_exceeded",
        "message": "Tài khoản đã nộp 2 hồ sơ trong 60 phút qua, mức tối đa cho phép. "
        "Vui lòng thử lại sau.",
    }
    assert int(refused["Retry-After"]) > 0
    assert someone_else.status_code == 201
    assert Dossier.objects.filter(applicant=citizen).count() == 2


@override_settings(MOTCUA_SUBMISSION_QUOTAS={"default": (1, 3600), "integrator": (1, 3600)})
def test_a_replay_is_not_counted_and_still_answers_past_the_quota(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    first = _submit(client, citizen, key="k1")
    replay = _submit(client, citizen, key="k1")
    new = _submit(client, citizen, key="k2")

    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert new.status_code == 429
    assert Dossier.objects.count() == 1


@override_settings(MOTCUA_SUBMISSION_QUOTAS={"default": (1, 3600), "integrator": (5, 3600)})
def test_integrators_have_their_own_quota(
    client: Client, procedure: Procedure, ward: Unit, integrator: User
) -> None:
    body = {
        "procedure": "1.001193",
        "receiving_unit": "00070",
        "form_data": {"ten_tre": "An"},
        "applicant": {"name": "Lê Văn C", "id_number": "001090000009"},
    }
    auth = bearer(integrator)
    statuses = [
        client.post(
            "/api/v1/dossiers", json.dumps(body), content_type="application/json", **auth
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [201, 201, 201]
