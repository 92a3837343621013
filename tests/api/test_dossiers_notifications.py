"""GET /api/v1/dossiers/{code}/notifications: what was sent about the dossier, masked,
to those who may read the dossier; a stranger gets the same 404 as for no dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive, dossier_submit
from motcua.notifications.services import preference_set
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITTED = dt.datetime(2026, 2, 13, 3, 0, tzinfo=dt.UTC)  # Fri 13 Feb 2026 10:00 +07:00


@pytest.fixture(autouse=True)
def _sandbox(settings: Any) -> None:
    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]


def _received(procedure: Procedure, ward: Unit, citizen: User, officer: User) -> str:
    code = dossier_submit(
        applicant=citizen,
        procedure_version=procedure.versions.get(number=2),
        receiving_unit=ward,
        form_data={"ten_tre": "An"},
        now=SUBMITTED,
    ).code
    with freeze_time(SUBMITTED + dt.timedelta(hours=1)):
        dossier_receive(
            dossier=Dossier.objects.get(code=code),
            actor=officer,
            now=SUBMITTED + dt.timedelta(hours=1),
        )
    return code


def test_the_applicant_and_the_officer_see_the_sends_masked(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    preference_set(person=citizen, now=SUBMITTED, sms=True, email=False, inapp=True)
    code = _received(procedure, ward, citizen, officer)

    for reader in (citizen, officer):
        response = client.get(f"/api/v1/dossiers/{code}/notifications", **bearer(reader))
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert sorted(body["items"], key=lambda i: i["channel"]) == [
            {
                "channel": "email",
                "template": "received",
                "language": "vi",
                "status": "opted_out",
                "provider": "",
                "attempts": 0,
                "created_at": "2026-02-13T11:00:00+07:00",
                "sent_at": None,
                "recipient": "a***@example.vn",
            },
            {
                "channel": "inapp",
                "template": "received",
                "language": "vi",
                "status": "sent",
                "provider": "inapp",
                "attempts": 1,
                "created_at": "2026-02-13T11:00:00+07:00",
                "sent_at": "2026-02-13T11:00:00+07:00",
                "recipient": "",
            },
            {
                "channel": "sms",
                "template": "received",
                "language": "vi",
                "status": "sent",
                "provider": "sandbox",
                "attempts": 1,
                "created_at": "2026-02-13T11:00:00+07:00",
                "sent_at": "2026-02-13T11:00:00+07:00",
                "recipient": "091****678",
            },
        ]
        assert "0912345678" not in response.content.decode()


def test_someone_who_may_not_read_the_dossier_gets_not_found(
    client: Client,
    procedure: Procedure,
    ward: Unit,
    citizen: User,
    other_citizen: User,
    other_officer: User,
    officer: User,
) -> None:
    code = _received(procedure, ward, citizen, officer)
    for stranger in (other_citizen, other_officer):
        response = client.get(f"/api/v1/dossiers/{code}/notifications", **bearer(stranger))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    missing = client.get("/api/v1/dossiers/NOPE-1/notifications", **bearer(citizen))
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    anonymous = client.get(f"/api/v1/dossiers/{code}/notifications")
    assert anonymous.status_code == 401
