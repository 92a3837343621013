"""POST /api/v1/dossiers: submission through dossier_submit, with Idempotency-Key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.api.models import IdempotencyRecord
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

BODY = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "Nguyễn An"}}


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with freeze_time("2026-02-13T03:00:00Z"):  # Friday 13 Feb 2026, 10:00 in Hà Nội
        yield


def post(client: Client, body: Any, headers: dict[str, Any], **extra: Any) -> Any:
    return client.post(
        "/api/v1/dossiers", json.dumps(body), content_type="application/json", **headers, **extra
    )


def test_a_citizen_submits_and_the_applicant_comes_from_the_profile(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    response = post(client, BODY, bearer(citizen))

    assert response.status_code == 201
    assert response["Location"] == "/api/v1/dossiers/00070-260213-0001"
    assert response.json() == {
        "code": "00070-260213-0001",
        "status": 1,
        "status_name": "Mới đăng ký",
        "channel": "online",
        "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh", "version": 2},
        "receiving_unit": {"code": "00070", "name": "Phường Hoàn Kiếm"},
        "submitted_at": "2026-02-13T10:00:00+07:00",
        "appointment_at": None,
        "handling_unit": {"code": "00070", "name": "Phường Hoàn Kiếm"},
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "001090000001",
            "phone": "0912345678",
            "email": "an@example.vn",
            "address": "12 Hàng Bạc, Hoàn Kiếm",
        },
        "representative": {},
        "form_data": {"ten_tre": "Nguyễn An"},
        "result_kind": "both",
        "received_at": None,
        "first_appointment_at": None,
        "finished_at": None,
        "returned_at": None,
        "closed_at": None,
        "clock_started_at": None,
        "new_appointment_at": None,
        "result_outcome": "",
        "current_step": None,
        "supplement_count": 0,
        "version": 1,
    }
    dossier = Dossier.objects.get()
    assert (dossier.applicant, dossier.procedure_version.number) == (citizen, 2)
    assert list(DossierEvent.objects.values_list("action", flat=True)) == ["submit"]
    assert not IdempotencyRecord.objects.exists()  # no key, nothing remembered


def test_applicant_fields_given_in_the_body_override_the_profile(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {
        **BODY,
        "applicant": {"phone": "0987654321", "address": "5 Lý Thái Tổ"},
        "channel": "post",
        "result_kind": "electronic",
    }

    data = post(client, body, bearer(citizen)).json()

    assert data["applicant"] == {
        "name": "Nguyễn Văn An",
        "id_number": "001090000001",
        "phone": "0987654321",
        "email": "an@example.vn",
        "address": "5 Lý Thái Tổ",
    }
    assert (data["channel"], data["result_kind"]) == ("post", "electronic")


def test_the_same_key_and_body_twice_returns_the_first_response_and_one_dossier(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    headers = bearer(citizen)

    first = post(client, BODY, headers, HTTP_IDEMPOTENCY_KEY="4f1c-aa")
    # The same document, keys in another order: the same request.
    again = post(
        client, dict(reversed(list(BODY.items()))), headers, HTTP_IDEMPOTENCY_KEY="4f1c-aa"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Dossier.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.principal, record.key, record.response_status) == (citizen, "4f1c-aa", 201)
    assert record.response_body["code"] == "00070-260213-0001"


def test_the_same_key_with_another_body_is_refused_and_nothing_is_created(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    headers = bearer(citizen)
    post(client, BODY, headers, HTTP_IDEMPOTENCY_KEY="k-1")

    response = post(
        client, {**BODY, "form_data": {"ten_tre": "Khác"}}, headers, HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_key_reused",
        "message": "Khoá Idempotency-Key này đã dùng cho một yêu cầu có nội dung khác.",
    }
    assert Dossier.objects.count() == 1


def test_keys_belong_to_their_principal(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, other_citizen: User
) -> None:
    mine = post(client, BODY, bearer(citizen), HTTP_IDEMPOTENCY_KEY="same")
    theirs = post(client, BODY, bearer(other_citizen), HTTP_IDEMPOTENCY_KEY="same")

    assert (mine.json()["code"], theirs.json()["code"]) == (
        "00070-260213-0001",
        "00070-260213-0002",
    )
    assert IdempotencyRecord.objects.count() == 2


def test_a_refused_submission_does_not_bind_the_key(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    headers = bearer(citizen)
    refused = post(client, {**BODY, "form_data": {}}, headers, HTTP_IDEMPOTENCY_KEY="retry-me")
    fixed = post(client, BODY, headers, HTTP_IDEMPOTENCY_KEY="retry-me")

    assert refused.status_code == 400
    assert refused.json()["code"] == "form_incomplete"
    assert refused.json()["errors"] == [
        {"field": "ten_tre", "code": "required", "label": "Họ tên trẻ"}
    ]
    assert fixed.status_code == 201
    assert Dossier.objects.count() == 1


def test_unknown_procedure_or_unit_is_a_field_error_of_the_body(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    headers = bearer(citizen)

    no_procedure = post(client, {**BODY, "procedure": "9.999999"}, headers)
    no_unit = post(client, {**BODY, "receiving_unit": "99999"}, headers)

    assert no_procedure.status_code == 400
    assert no_procedure.json() == {
        "code": "invalid",
        "message": "Không có thủ tục mã 9.999999.",
        "errors": [
            {
                "field": "procedure",
                "code": "procedure_not_found",
                "message": "Không có thủ tục mã 9.999999.",
                "location": "body",
            }
        ],
    }
    assert no_unit.status_code == 400
    assert no_unit.json()["errors"] == [
        {
            "field": "receiving_unit",
            "code": "not_found",
            "message": "Không tìm thấy đơn vị tiếp nhận.",
            "location": "body",
        }
    ]
    assert not Dossier.objects.exists()


def test_a_malformed_body_is_422_with_every_field_path(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {"procedure": 12, "form_data": [], "applicant": {"nickname": "x"}, "channel": "fax"}

    response = post(client, body, bearer(citizen))

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "errors": [
            {
                "field": "procedure",
                "code": "string_type",
                "message": "Phải là chuỗi ký tự.",
                "location": "body",
            },
            {
                "field": "receiving_unit",
                "code": "missing",
                "message": "Trường này là bắt buộc.",
                "location": "body",
            },
            {
                "field": "form_data",
                "code": "dict_type",
                "message": "Phải là một đối tượng JSON.",
                "location": "body",
            },
            {
                "field": "applicant.nickname",
                "code": "extra_forbidden",
                "message": "Trường không được hỗ trợ.",
                "location": "body",
            },
            {
                "field": "channel",
                "code": "literal_error",
                "message": "Giá trị không thuộc danh sách cho phép.",
                "location": "body",
            },
        ],
    }
    assert not Dossier.objects.exists()
