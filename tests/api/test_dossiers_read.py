"""GET /api/v1/dossiers, /{code}, /{code}/events: shapes, local times, pagination."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive, dossier_submit
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

SUBMITTED = dt.datetime(2026, 2, 13, 3, 0, tzinfo=dt.UTC)  # Fri 13 Feb 2026 10:00 +07:00


def _submit(procedure: Procedure, ward: Unit, citizen: User, at: dt.datetime) -> str:
    return dossier_submit(
        applicant=citizen,
        procedure_version=procedure.versions.get(number=2),
        receiving_unit=ward,
        form_data={"ten_tre": "An"},
        now=at,
    ).code


def _receive(code: str, officer: User, at: dt.datetime) -> None:
    dossier_receive(
        dossier=Dossier.objects.get(code=code), actor=officer, now=at, expected_version=1
    )


def test_events_are_the_trail_in_order_with_local_times(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    code = _submit(procedure, ward, citizen, SUBMITTED)
    _receive(code, officer, SUBMITTED + dt.timedelta(hours=1))

    with freeze_time(SUBMITTED + dt.timedelta(hours=2)):
        response = client.get(f"/api/v1/dossiers/{code}/events", **bearer(citizen))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "seq": 1,
                "action": "submit",
                "at": "2026-02-13T10:00:00+07:00",
                "actor_role": "applicant",
                "status_before": None,
                "status_after": 1,
                "status_name": "Mới đăng ký",
                "reason": "",
            },
            {
                "seq": 2,
                "action": "receive",
                "at": "2026-02-13T11:00:00+07:00",
                "actor_role": "officer",
                "status_before": 1,
                "status_after": 2,
                "status_name": "Đã tiếp nhận",
                "reason": "",
            },
        ],
        "count": 2,
    }


def test_a_received_dossier_shows_its_appointment_in_local_time(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    code = _submit(procedure, ward, citizen, SUBMITTED)
    _receive(code, officer, SUBMITTED)

    with freeze_time(SUBMITTED):
        data = client.get(f"/api/v1/dossiers/{code}", **bearer(officer)).json()

    assert (data["status"], data["status_name"], data["version"]) == (2, "Đã tiếp nhận", 2)
    assert data["received_at"] == "2026-02-13T10:00:00+07:00"
    assert data["appointment_at"] is not None
    assert data["appointment_at"].endswith("+07:00")
    assert data["appointment_at"] == data["first_appointment_at"]


def test_my_dossiers_newest_first_and_paginated(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, other_citizen: User
) -> None:
    codes = [
        _submit(procedure, ward, citizen, SUBMITTED + dt.timedelta(minutes=n)) for n in range(23)
    ]
    _submit(procedure, ward, other_citizen, SUBMITTED)
    headers = bearer(citizen)

    with freeze_time(SUBMITTED + dt.timedelta(hours=1)):
        first = client.get("/api/v1/dossiers", **headers).json()
        second = client.get("/api/v1/dossiers?page=2", **headers).json()

    assert first["count"] == 23
    assert [d["code"] for d in first["items"]] == codes[::-1][:20]
    assert [d["code"] for d in second["items"]] == codes[::-1][20:]
    assert first["items"][0] == {
        "code": codes[-1],
        "status": 1,
        "status_name": "Mới đăng ký",
        "channel": "online",
        "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh", "version": 2},
        "receiving_unit": {"code": "00070", "name": "Phường Hoàn Kiếm"},
        "submitted_at": "2026-02-13T10:22:00+07:00",
        "appointment_at": None,
    }
