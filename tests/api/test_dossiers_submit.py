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
        "applicant": {"phone": "0987 654 321", "address": "5 Lý Thái Tổ"},
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
    assert (data["channel"], data["result_kind"]) == ("online", "electronic")


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
    assert refused.json()["code"] == "form_invalid"
    assert refused.json()["errors"] == [
        {
            "field": "ten_tre",
            "code": "required",
            "message": "Trường này là bắt buộc.",
            "location": "form_data",
        }
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


# --- submission rules (issue 6): channel, own name, representative, e-form --------------------

TYPED_EFORM = {
    "fields": [
        {"name": "ten_tre", "label": "Họ tên trẻ", "type": "text", "required": True},
        {"name": "ho_ten", "label": "Họ tên người đi khai", "type": "text", "required": True,
         "prefill": "profile.full_name"},
        {"name": "so_dinh_danh", "label": "Số định danh", "type": "personal_id",
         "required": True, "prefill": "profile.personal_id"},
        {"name": "ngay_sinh_tre", "label": "Ngày sinh của trẻ", "type": "date",
         "required": True, "max": "today"},
        {"name": "gioi_tinh", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"]},
        {"name": "noi_sinh", "label": "Nơi sinh", "type": "address"},
    ]
}  # fmt: skip
TYPED_BODY = {
    **BODY,
    "form_data": {
        "ten_tre": "Nguyễn Minh Khôi",
        "ngay_sinh_tre": "10/02/2026",
        "gioi_tinh": "Nam",
        "noi_sinh": {"province": "01", "ward": "00070", "street": "Bệnh viện Phụ sản"},
    },
}


@pytest.fixture
def typed_form(procedure: Procedure) -> None:
    procedure.versions.filter(number=2).update(eform=TYPED_EFORM)


@pytest.mark.parametrize("channel", ["counter", "post"])
def test_a_citizen_sending_the_counter_channel_is_refused(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, channel: str
) -> None:
    procedure.versions.filter(number=2).update(online_level="none")

    response = post(client, {**BODY, "channel": channel}, bearer(citizen))

    assert response.status_code == 400
    assert response.json()["code"] == "channel_not_allowed"
    assert not Dossier.objects.exists()


def test_filing_under_another_persons_name_is_refused(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {**BODY, "applicant": {"name": "Trần Thị Bình", "id_number": "001190000001"}}

    response = post(client, body, bearer(citizen))

    assert response.status_code == 400
    assert response.json() == {
        "code": "applicant_mismatch",
        "message": (
            "Tài khoản chỉ nộp hồ sơ đứng tên chính mình; nộp thay người khác thì ghi người đó "
            "vào mục người ủy quyền (representative)."
        ),
        "errors": [
            {
                "field": "applicant_name",
                "code": "applicant_mismatch",
                "message": (
                    "Tài khoản chỉ nộp hồ sơ đứng tên chính mình; nộp thay người khác thì ghi "
                    "người đó vào mục người ủy quyền (representative)."
                ),
            },
            {
                "field": "applicant_id_number",
                "code": "applicant_mismatch",
                "message": (
                    "Tài khoản chỉ nộp hồ sơ đứng tên chính mình; nộp thay người khác thì ghi "
                    "người đó vào mục người ủy quyền (representative)."
                ),
            },
        ],
    }
    assert not Dossier.objects.exists()


def test_a_representative_is_accepted_and_recorded(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {
        **BODY,
        "representative": {
            "principal_name": "Trần Thị Bình",
            "principal_id_number": "001190000001",
            "relationship": "vợ",
        },
    }

    response = post(client, body, bearer(citizen))

    assert response.status_code == 201
    data = response.json()
    assert data["applicant"]["name"] == "Nguyễn Văn An"
    assert data["representative"] == {
        "principal_kind": "person",
        "principal_name": "Trần Thị Bình",
        "principal_id_number": "001190000001",
        "relationship": "vợ",
    }
    assert Dossier.objects.get().applicant == citizen


def test_a_representative_without_basis_is_refused(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {
        **BODY,
        "representative": {"principal_name": "Trần Thị Bình", "principal_id_number": "abc"},
    }

    response = post(client, body, bearer(citizen))

    assert response.status_code == 400
    assert response.json()["code"] == "representative_invalid"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("representative.principal_id_number", "personal_id_format"),
        ("representative.authorisation_document", "representative_basis_required"),
    ]
    assert not Dossier.objects.exists()


def test_an_unknown_representative_key_is_a_422(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {**BODY, "representative": {"ho_ten": "Lê Văn Cường", "so_dinh_danh": "1"}}

    response = post(client, body, bearer(citizen))

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "representative.principal_name",
        "representative.principal_id_number",
        "representative.ho_ten",
        "representative.so_dinh_danh",
    }


@pytest.mark.usefixtures("typed_form")
def test_the_findings_are_refused_field_by_field_and_nothing_is_saved(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    body = {
        **BODY,
        "form_data": {
            "ten_tre": "Nguyễn Minh Khôi",
            "so_dinh_danh": "abc",
            "ngay_sinh_tre": "2026-02-30",
            "gioi_tinh": "Khác",
            "noi_sinh": {"province": "01", "ward": "26506"},
            "ghi_chu": "x",
        },
    }

    response = post(client, body, bearer(citizen), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "form_invalid"
    assert payload["message"] == (
        "The form is not valid: Số định danh, Ngày sinh của trẻ, Giới tính, Nơi sinh, ghi_chu."
    )
    assert [(e["field"], e["code"], e["location"]) for e in payload["errors"]] == [
        ("so_dinh_danh", "personal_id_format", "form_data"),
        ("ngay_sinh_tre", "invalid_date", "form_data"),
        ("gioi_tinh", "invalid_choice", "form_data"),
        ("noi_sinh", "ward_not_in_province", "form_data"),
        ("ghi_chu", "unknown_field", "form_data"),
    ]
    assert payload["errors"][3]["message"] == "Phường Vũng Tàu is not in Thành phố Hà Nội."
    assert not Dossier.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.usefixtures("typed_form")
def test_prefill_is_applied_and_values_normalised(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    response = post(client, TYPED_BODY, bearer(citizen))

    assert response.status_code == 201
    assert response.json()["form_data"] == {
        "ten_tre": "Nguyễn Minh Khôi",
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "001090000001",
        "ngay_sinh_tre": "2026-02-10",
        "gioi_tinh": "Nam",
        "noi_sinh": {
            "province": "01",
            "ward": "00070",
            "street": "Bệnh viện Phụ sản",
            "text": "Bệnh viện Phụ sản, Phường Hoàn Kiếm, Thành phố Hà Nội",
        },
    }


@pytest.mark.usefixtures("typed_form")
def test_a_verified_identity_cannot_be_changed_through_the_api(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    User.objects.filter(pk=citizen.pk).update(
        identity_verified_at="2026-01-01T00:00:00Z", date_of_birth="1990-05-12"
    )
    body = {**TYPED_BODY, "form_data": {**TYPED_BODY["form_data"], "ho_ten": "Trần Thị Bình"}}

    response = post(client, body, bearer(citizen))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("ho_ten", "identity_locked")
    ]
    assert not Dossier.objects.exists()


@pytest.mark.usefixtures("typed_form")
def test_an_integrator_files_for_a_named_applicant_with_a_checked_form(
    client: Client, procedure: Procedure, ward: Unit, integrator: User
) -> None:
    body = {**TYPED_BODY, "applicant": {"name": "Trần Thị Bình", "id_number": "001190000001"}}

    bad = post(client, {**body, "applicant": {"name": "X", "id_number": "123"}}, bearer(integrator))
    good = post(client, body, bearer(integrator))

    assert bad.status_code == 400
    assert bad.json()["code"] == "applicant_invalid"
    assert good.status_code == 201
    assert good.json()["form_data"]["ho_ten"] == "Trần Thị Bình"
    assert good.json()["applicant"]["id_number"] == "001190000001"
    assert Dossier.objects.count() == 1
