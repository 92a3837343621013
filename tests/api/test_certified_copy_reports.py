"""POST /dossiers/{code}/certified-copy-reports (the applicant) and
GET /reports/certified-copy-requests (supervisors)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import CertifiedCopyReport
from motcua.organisation.models import Role, Unit
from tests.api.conftest import bearer
from tests.factories import RoleAssignmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}


@pytest.fixture(autouse=True)
def _procedure(procedure: Procedure, ward: Unit) -> None:
    """The birth registration procedure in force at ward 00070."""


@pytest.fixture
def supervisor(province: Unit) -> User:
    user = StaffFactory(username="giamsat")
    RoleAssignmentFactory(user=user, unit=province, role=Role.SUPERVISOR, covers_subunits=True)
    return user


def _dossier(client: Client, citizen: User) -> str:
    response = client.post(
        "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(citizen)
    )
    assert response.status_code == 201, response.content[:300]
    return str(response.json()["code"])


def _report(client: Client, code: str, auth: dict[str, Any], **body: Any) -> Any:
    body = {"component": "GCS", "note": "Bị yêu cầu bản sao chứng thực", **body}
    return client.post(
        f"/api/v1/dossiers/{code}/certified-copy-reports",
        body,
        content_type="application/json",
        **auth,
    )


@freeze_time("2026-03-03 03:00:00")
def test_the_applicant_reports_and_the_supervisor_counts(client, citizen, officer, supervisor):
    code = _dossier(client, citizen)

    response = _report(client, code, bearer(citizen))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["component"], body["component_name"], body["allowed"]) == (
        "GCS",
        "Giấy chứng sinh",
        False,
    )
    assert body["reported_at"] == "2026-03-03T10:00:00+07:00"
    assert _report(client, code, bearer(citizen)).json()["code"] == "already_reported"

    counts = client.get(
        "/api/v1/reports/certified-copy-requests",
        {"unit": "00070", "from": "2026-03-01", "to": "2026-03-31"},
        **bearer(supervisor),
    )
    assert counts.status_code == 200, counts.content
    assert counts.json() == {
        "items": [
            {
                "unit": "00070",
                "unit_name": "Phường Hoàn Kiếm",
                "procedure": "1.001193",
                "procedure_name": "Đăng ký khai sinh",
                "reports": 1,
                "not_allowed": 1,
            }
        ],
        "total": 1,
    }


@freeze_time("2026-03-03 03:00:00")
def test_others_may_not_report(client, citizen, other_citizen, officer):
    code = _dossier(client, citizen)
    assert _report(client, code, bearer(other_citizen)).status_code == 404  # not theirs
    refused = _report(client, code, bearer(officer))  # sees it, is not the applicant
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    unknown = _report(client, code, bearer(citizen), component="XX")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_component")
    assert not CertifiedCopyReport.objects.exists()


def test_counts_are_for_supervisors_only(client, officer, citizen, supervisor):
    query = {"from": "2026-03-01", "to": "2026-03-31"}
    for user in (officer, citizen):
        response = client.get("/api/v1/reports/certified-copy-requests", query, **bearer(user))
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    bad = client.get(
        "/api/v1/reports/certified-copy-requests",
        {"from": "2026-03-31", "to": "2026-03-01"},
        **bearer(supervisor),
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "period_invalid")
    missing = client.get(
        "/api/v1/reports/certified-copy-requests", {**query, "unit": "99999"}, **bearer(supervisor)
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
