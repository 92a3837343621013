"""GET /receipts, /receipts/{number} and /receipts/{number}/pdf: staff of the collecting unit
and its supervisors, the applicant for their own dossier; nobody else; reads logged."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from freezegun import freeze_time
from pypdf import PdfReader

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core.clock import VN_TZ
from motcua.core.models import DataAccessLog
from motcua.dossiers.services.receipts import dossier_receipt_cancel, dossier_receipt_issue
from motcua.organisation.models import Role, Unit
from motcua.payments.models import Receipt
from motcua.payments.services import fee_line_add, fee_lines_pay
from tests.api.conftest import bearer
from tests.dossiers.helpers import hk_receipt_series
from tests.factories import RoleAssignmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}
NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def _procedure(procedure: Procedure, ward: Unit) -> None:
    """The birth registration procedure in force at ward 00070."""


@pytest.fixture
def supervisor(province: Unit) -> User:
    user = StaffFactory(username="giamsat")
    RoleAssignmentFactory(user=user, unit=province, role=Role.SUPERVISOR, covers_subunits=True)
    return user


@pytest.fixture
def receipt(client: Client, citizen: User, ward: Unit) -> Receipt:
    hk_receipt_series(unit=ward, now=NOW)
    with freeze_time("2026-03-03 02:00:00"):
        response = client.post(
            "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(citizen)
        )
    assert response.status_code == 201, response.content[:300]
    code = response.json()["code"]
    line = fee_line_add(
        dossier_code=code,
        collecting_unit=ward,
        name="Lệ phí cấp bản sao trích lục",
        kind="charge",
        timing="before",
        unit_amount_vnd=8_000,
        quantity=2,
        now=NOW,
    )
    payment = fee_lines_pay(lines=[line], method="cash", reference="PT-1", now=NOW)
    return dossier_receipt_issue(payment=payment, now=NOW)


def test_the_collecting_units_officer_reads_a_receipt_by_its_number(
    client, receipt, officer
) -> None:
    response = client.get("/api/v1/receipts/HK26-0000001", **bearer(officer))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == "HK26-0000001"
    assert (body["series"], body["form_symbol"], body["unit"]) == ("HK26", "01BLP", "00070")
    assert body["amount"] == 16_000
    assert body["amount_in_words"] == "Mười sáu nghìn đồng"
    assert body["items"] == [
        {
            "name": "Lệ phí cấp bản sao trích lục",
            "quantity": 2,
            "unit_amount": 8_000,
            "exempt": 0,
            "amount": 16_000,
        }
    ]
    assert body["issued_at"] == "2026-03-03T10:00:00+07:00"
    assert body["status"] == "issued"
    assert body["verify_code"] == f"{receipt.verify_code[:4]}-{receipt.verify_code[4:]}"
    assert DataAccessLog.objects.filter(
        actor=officer, subject_id=receipt.dossier_code, purpose="receipt", channel="api"
    ).exists()

    # the number is read leniently, and the PDF is the signed one
    pdf = client.get("/api/v1/receipts/hk26-1/pdf", **bearer(officer))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(pdf.streaming_content)))
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in reader.pages[0].extract_text()


def test_the_applicant_reads_their_own_receipt_and_it_is_not_logged(
    client, receipt, citizen
) -> None:
    response = client.get("/api/v1/receipts/HK26-0000001", **bearer(citizen))
    assert response.status_code == 200
    assert not DataAccessLog.objects.filter(actor=citizen, purpose="receipt").exists()


def test_another_unit_and_another_citizen_get_404(
    client, receipt, other_officer, other_citizen
) -> None:
    for user in (other_officer, other_citizen):
        response = client.get("/api/v1/receipts/HK26-0000001", **bearer(user))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/receipts/HK26-0000001").status_code == 401


def test_a_malformed_number_is_a_400_with_its_code(client, receipt, officer) -> None:
    response = client.get("/api/v1/receipts/0000001", **bearer(officer))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_receipt_number"


def test_the_list_filters_by_unit_and_period_and_shows_replacements(
    client, receipt, officer, supervisor
) -> None:
    dossier_receipt_cancel(
        receipt=receipt,
        reason="Sai địa chỉ",
        actor=officer,
        now=NOW + dt.timedelta(hours=1),
        replace_with={"payer_address": "Hàng Bạc, Hoàn Kiếm"},
    )
    response = client.get(
        "/api/v1/receipts?unit=00070&from=2026-03-03&to=2026-03-03", **bearer(supervisor)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    newest, oldest = body["items"]
    assert (newest["number"], newest["replaces"], newest["status"]) == (
        "HK26-0000002",
        "HK26-0000001",
        "issued",
    )
    assert (oldest["status"], oldest["replaced_by"], oldest["cancel_reason"]) == (
        "cancelled",
        "HK26-0000002",
        "Sai địa chỉ",
    )
    assert DataAccessLog.objects.filter(actor=supervisor, purpose="receipt").count() == 2

    empty = client.get("/api/v1/receipts?from=2026-03-04&to=2026-03-05", **bearer(supervisor))
    assert empty.json()["count"] == 0
    wrong = client.get("/api/v1/receipts?from=2026-03-04&to=2026-03-01", **bearer(supervisor))
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "period_invalid"
    assert client.get("/api/v1/receipts?unit=nope", **bearer(supervisor)).status_code == 404
