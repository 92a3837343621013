"""The reconciliation API (/api/v1/payments/reconciliations) for accountants: the runs
(paginated, filtered), one run with its differences, uploading a day's statement (201, the
same file again 200), a bad file refused with every row named, and who may call it."""

from __future__ import annotations

import datetime as dt
import io
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from motcua.accounts.models import User
from motcua.organisation.models import Role, Unit
from motcua.paygate_demo.services import bank_statement_write
from motcua.payments.models import ReconciliationRun
from motcua.payments.reconcile import payments_reconcile
from tests.api.conftest import bearer
from tests.factories import RoleAssignmentFactory, StaffFactory
from tests.payments.test_reconcile import DAY, HEADER, RUN_AT, _pay, _statement

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/reconciliations"


@pytest.fixture
def accountant(ward: Unit) -> User:
    user = cast(User, StaffFactory(username="ketoan", full_name="Trần Thị Kế Toán"))
    RoleAssignmentFactory(user=user, unit=ward, role=Role.ACCOUNTANT)
    return user


def _bank_file() -> bytes:
    out = io.StringIO()
    bank_statement_write(day=DAY, out=out)
    return out.getvalue().encode()


def _post(client: Client, content: bytes | None, auth: dict, **fields: str):  # type: ignore[no-untyped-def]
    data: dict = {"gateway": "sandbox", "date": "2026-12-01", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("saoke.csv", content, content_type="text/csv")
    return client.post(URL, data, **auth)


def _run(day: dt.date = DAY, *, gateway: str = "sandbox", lines=None, actor=None):  # type: ignore[no-untyped-def]
    return payments_reconcile(
        gateway=gateway, day=day, lines=lines or [], actor=actor, now=RUN_AT
    ).run


def test_uploading_a_statement_creates_a_run_and_the_same_file_again_answers_it(
    client: Client, ward: Unit, accountant: User
) -> None:
    lost, result = _pay(ward, "H-LOST", 105_000, deliver=False)
    _pay(ward, "H-1", 50_000)
    auth = bearer(accountant)

    response = _post(client, _bank_file(), auth)

    assert response.status_code == 201, response.content
    body = response.json()
    run = ReconciliationRun.objects.get()
    assert body["id"] == run.pk
    assert (body["gateway"], body["day"], body["status"], body["created"]) == (
        "sandbox",
        "2026-12-01",
        "differences",
        True,
    )
    assert body["matched"] == {"count": 1, "amount_vnd": 50_000}
    assert body["statement"] == {"count": 2, "paid_vnd": 155_000, "refunded_vnd": 0}
    assert body["motcua"] == {"count": 1, "paid_vnd": 50_000, "refunded_vnd": 0}
    assert body["created_by"] == "ketoan"
    assert body["created_at"].endswith("+07:00")
    (difference,) = body["differences"]
    assert difference == {
        "kind": "missing_in_motcua",
        "kind_label": "Ngân hàng đã thu, hệ thống chưa ghi nhận",
        "reference": lost.order_ref,
        "order": lost.order_ref,
        "dossier": "H-LOST",
        "gateway_reference": result["vnp_TransactionNo"],
        "statement_amount_vnd": 105_000,
        "motcua_amount_vnd": None,
        "statement_status": "paid",
        "motcua_status": "pending",
        "row": difference["row"],
        "note_code": "order_status",
        "note_params": {"status": "pending"},
        "note": "Giao dịch đang ở trạng thái Đang chờ thanh toán",
    }
    assert difference["row"] in {2, 3}
    with translation.override("vi"):  # the request switches the thread to English
        english = client.get(f"{URL}/{run.pk}", **auth, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["differences"][0]["note_code"] == "order_status"
    assert english["differences"][0]["note"] == "The order is Waiting for payment"

    again = _post(client, _bank_file(), auth)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["created"]) == (run.pk, False)
    assert ReconciliationRun.objects.count() == 1


def test_a_bad_file_is_refused_with_every_bad_row_and_nothing_is_kept(
    client: Client, accountant: User
) -> None:
    text = (
        HEADER + "M,MC1,1,01,10500000,VND,NCB,20261201090000,00,ok\n"
        "M,MC2,2,01,10500050,VND,NCB,20261201090000,00,odd dong\n"
        "M,,4,01,100,VND,NCB,20261201090000,00,no reference\n"
    )

    response = _post(client, text.encode(), bearer(accountant))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "statement_invalid"
    assert "2 lỗi" in body["message"]
    found = [(e["field"], e["code"], e["reason"], e["column"], e["row"]) for e in body["errors"]]
    assert found == [
        ("file", "statement_row", "amount_invalid", "vnp_Amount", 3),
        ("file", "statement_row", "value_empty", "vnp_TxnRef", 4),
    ]
    assert body["errors"][1]["message"] == "Cột vnp_TxnRef để trống."
    english = _post(client, text.encode(), {**bearer(accountant), "HTTP_ACCEPT_LANGUAGE": "en"})
    assert english.json()["errors"][1] == {
        "field": "file",
        "code": "statement_row",
        "reason": "value_empty",
        "column": "vnp_TxnRef",
        "message": "vnp_TxnRef is empty.",
        "row": 4,
    }
    assert ReconciliationRun.objects.count() == 0


def test_an_empty_file_a_gateway_without_statements_and_missing_fields_are_refused(
    client: Client, accountant: User
) -> None:
    auth = bearer(accountant)
    empty = _post(client, b"", auth)
    assert (empty.status_code, empty.json()["code"]) == (400, "statement_empty")
    counter = _post(client, _bank_file(), auth, gateway="counter")
    assert (counter.status_code, counter.json()["code"]) == (404, "statement_not_supported")
    unknown = _post(client, _bank_file(), auth, gateway="momo")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "statement_not_supported")
    missing = _post(client, None, auth)
    assert (missing.status_code, missing.json()["code"]) == (422, "invalid")
    assert {e["field"] for e in missing.json()["errors"]} == {"file"}
    bad_date = _post(client, _bank_file(), auth, date="01/12/2026")
    assert bad_date.status_code == 422
    assert ReconciliationRun.objects.count() == 0


def test_the_list_is_paginated_newest_day_first_and_filtered(
    client: Client, accountant: User
) -> None:
    for day in (1, 2, 3):
        _run(DAY.replace(day=day))
    vnpay = _run(DAY.replace(day=2), gateway="vnpay")
    auth = bearer(accountant)

    everything = client.get(URL, {"page_size": 2}, **auth).json()
    assert everything["count"] == 4
    assert [item["day"] for item in everything["items"]] == ["2026-12-03", "2026-12-02"]
    assert everything["items"][0]["status"] == "clean"
    assert "differences" not in everything["items"][0]

    by_gateway = client.get(URL, {"gateway": "vnpay"}, **auth).json()
    assert [item["id"] for item in by_gateway["items"]] == [vnpay.pk]
    period = client.get(URL, {"from": "2026-12-02", "to": "2026-12-02"}, **auth).json()
    assert {(i["gateway"], i["day"]) for i in period["items"]} == {
        ("sandbox", "2026-12-02"),
        ("vnpay", "2026-12-02"),
    }
    backwards = client.get(URL, {"from": "2026-12-03", "to": "2026-12-01"}, **auth)
    assert (backwards.status_code, backwards.json()["code"]) == (400, "period_invalid")


def test_one_run_with_its_differences_and_what_it_superseded(
    client: Client, ward: Unit, accountant: User
) -> None:
    _pay(ward, "H-1", 105_000)
    first = _run(lines=[])  # the bank's line not given: missing in the statement
    second = _run(lines=_statement())
    auth = bearer(accountant)

    old = client.get(f"{URL}/{first.pk}", **auth).json()
    assert (old["status"], old["superseded_by"]) == ("differences", second.pk)
    assert [d["kind"] for d in old["differences"]] == ["missing_in_statement"]
    new = client.get(f"{URL}/{second.pk}", **auth).json()
    assert (new["status"], new["supersedes"], new["differences"]) == ("clean", first.pk, [])
    assert client.get(f"{URL}/999999", **auth).status_code == 404


def test_only_accountants_may_read_or_upload(
    client: Client, officer: User, citizen: User, accountant: User
) -> None:
    run = _run()
    for user in (officer, citizen):
        auth = bearer(user)
        for response in (
            client.get(URL, **auth),
            client.get(f"{URL}/{run.pk}", **auth),
            _post(client, _bank_file(), auth),
        ):
            assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert client.get(URL).status_code == 401
    assert ReconciliationRun.objects.count() == 1


def test_a_session_upload_needs_its_csrf_token(accountant: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(accountant)
    response = _post(client, _bank_file(), {})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert client.get(URL).status_code == 200
