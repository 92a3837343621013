"""GET /dossiers/{code}/fees and POST /dossiers/{code}/payments through the sandbox bank: a
verified callback pays once however often it comes, gives one signed receipt and resumes a
dossier waiting for its payment, once; a forged callback changes nothing."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierEvent, DossierStatus
from motcua.organisation.models import Unit
from motcua.paygate_demo.views import bank_result
from motcua.payments.models import FeeLine, Receipt
from motcua.payments.services import fee_line_add
from tests.api.conftest import bearer
from tests.dossiers.helpers import hk_receipt_series

pytestmark = pytest.mark.django_db

SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}


@pytest.fixture(autouse=True)
def _procedure(procedure: Procedure, ward: Unit) -> None:
    """The birth registration procedure in force at ward 00070."""


@pytest.fixture
def owing(client: Client, citizen, ward: Unit) -> str:
    now = timezone.now()
    hk_receipt_series(unit=ward, now=now)
    response = client.post(
        "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(citizen)
    )
    code = response.json()["code"]
    fee_line_add(
        dossier_code=code, collecting_unit=ward, name="Lệ phí cấp bản sao", kind="charge",
        timing="before", unit_amount_vnd=8_000, quantity=2, now=now,
    )  # fmt: skip
    return str(code)


def _start(client: Client, code: str, citizen) -> dict:
    response = client.post(
        f"/api/v1/dossiers/{code}/payments",
        {"return_url": "http://testserver/my/"},
        content_type="application/json",
        **bearer(citizen),
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_the_fees_list_says_what_is_owed(client, owing, citizen, other_citizen) -> None:
    body = client.get(f"/api/v1/dossiers/{owing}/fees", **bearer(citizen)).json()
    assert body["payable"] == 16_000
    [line] = body["items"]
    assert (line["name"], line["net"], line["state"]) == ("Lệ phí cấp bản sao", 16_000, "unpaid")
    assert client.get(f"/api/v1/dossiers/{owing}/fees", **bearer(other_citizen)).status_code == 404


def test_a_verified_callback_ten_times_pays_once_with_one_signed_receipt(
    client, owing, citizen
) -> None:
    started = _start(client, owing, citizen)
    assert started["amount"] == 16_000
    assert "/demo-bank/pay/" in started["redirect_url"]
    assert FeeLine.objects.get(dossier_code=owing).state == "pending"

    fields = dict(parse_qsl(urlsplit(started["redirect_url"]).query))
    result = bank_result(fields, paid=True)
    answers = [
        client.post("/api/v1/payments/callback/sandbox", result).json()["RspCode"]
        for _ in range(10)
    ]
    assert answers == ["00"] + ["02"] * 9  # confirmed once, then "already confirmed"
    assert FeeLine.objects.get(dossier_code=owing).state == "paid"
    [receipt] = Receipt.objects.filter(dossier_code=owing)
    assert receipt.amount_vnd == 16_000
    assert receipt.verify_code
    assert receipt.method == "online"

    again = client.post(
        f"/api/v1/dossiers/{owing}/payments", {}, content_type="application/json",
        **bearer(citizen),
    )  # fmt: skip
    assert again.status_code == 409
    assert again.json()["code"] == "nothing_payable"


def test_a_forged_callback_changes_nothing(client, owing, citizen) -> None:
    started = _start(client, owing, citizen)
    fields = dict(parse_qsl(urlsplit(started["redirect_url"]).query))
    result = bank_result(fields, paid=True)
    result["vnp_Amount"] = "100"  # changed after signing
    answer = client.post("/api/v1/payments/callback/sandbox", result).json()
    assert answer["RspCode"] == "97"
    assert FeeLine.objects.get(dossier_code=owing).state == "pending"
    assert not Receipt.objects.exists()


def test_paying_online_resumes_a_dossier_waiting_for_its_payment_once(
    client, owing, citizen, officer
) -> None:
    from motcua.dossiers.services import dossier_receive, dossier_request_payment

    dossier = Dossier.objects.get(code=owing)
    now = timezone.now()
    dossier = dossier_receive(dossier=dossier, actor=officer, now=now)
    # in processing (the internal steps are not what this test is about)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.PROCESSING)
    dossier.refresh_from_db()
    dossier = dossier_request_payment(
        dossier=dossier, actor=officer, amount_vnd=50_000, fee_name="Lệ phí", now=now
    )
    assert dossier.status == DossierStatus.PAYMENT_REQUESTED

    for _ in range(2):  # the reception fee, then the requested one (same unit: one order)
        payable = client.get(f"/api/v1/dossiers/{owing}/fees", **bearer(citizen)).json()
        if not payable["payable"]:
            break
        started = _start(client, owing, citizen)
        fields = dict(parse_qsl(urlsplit(started["redirect_url"]).query))
        for _ in range(3):
            client.post("/api/v1/payments/callback/sandbox", bank_result(fields, paid=True))

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert DossierEvent.objects.filter(dossier=dossier, action="payment_settled").count() == 1
