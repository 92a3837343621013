"""Input the database or the JSON standard cannot take is refused at the input layer (the
request guard middleware, the API's JSON parser) with a 4xx and a code — never a 500, on
SQLite and PostgreSQL alike (PostgreSQL cannot store NUL in text)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.db.utils import DataError
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Yêu cầu chứa ký tự không hợp lệ (ký tự NUL)."
BODY_CHARACTERS = (
    "Nội dung chứa ký tự không hợp lệ (ký tự NUL, ký tự Unicode lẻ hoặc không phải UTF-8)."
)
NON_FINITE = "Số không hợp lệ: JSON không cho phép NaN, Infinity hay số quá lớn."


def _submit(client: Client, body: str | bytes, user: User, **extra: Any) -> Any:
    return client.post(
        "/api/v1/dossiers", body, content_type="application/json", **bearer(user), **extra
    )


def _body(**form_data: Any) -> str:
    return json.dumps({"procedure": "1.001193", "receiving_unit": "00070", "form_data": form_data})


def _error(code: str, message: str, field: str, location: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "errors": [{"field": field, "code": code, "message": message, "location": location}],
    }


# --- NUL in the path, the query string, a header ------------------------------------------


@pytest.mark.parametrize(
    ("url", "location", "field"),
    [
        ("/api/v1/procedures?q=a%00b", "query", "q"),
        ("/api/v1/units?province=0%00", "query", "province"),
        ("/api/v1/procedures/1.0%00", "path", ""),
    ],
)
def test_a_nul_in_an_anonymous_lookup_is_refused(
    client: Client, procedure: Procedure, url: str, location: str, field: str
) -> None:
    response = client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == _error("invalid_characters", NUL_MESSAGE, field, location)


def test_a_nul_in_a_dossier_code_or_a_header_is_refused(client: Client, citizen: User) -> None:
    in_path = client.get("/api/v1/dossiers/00070%00", **bearer(citizen))
    in_header = _submit(client, _body(ten_tre="An"), citizen, HTTP_IDEMPOTENCY_KEY="k\x00")

    assert in_path.status_code == 400
    assert in_path.json()["code"] == "invalid_characters"
    assert in_header.status_code == 400
    assert in_header.json() == _error(
        "invalid_characters", NUL_MESSAGE, "Idempotency-Key", "header"
    )
    assert Dossier.objects.count() == 0


def test_the_nul_message_follows_the_language(client: Client) -> None:
    response = client.get("/api/v1/units?q=%00", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["message"] == "The request contains an invalid character (NUL)."


@pytest.mark.parametrize("url", ["/?q=%00", "/admin/login/?next=%00", "/admin/%00"])
def test_pages_outside_the_api_answer_400_too(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == NUL_MESSAGE


def test_the_admin_search_box_with_a_nul_is_400_not_500(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)

    response = client.get("/admin/accounts/user/?q=an%00")

    assert response.status_code == 400
    assert client.get("/admin/accounts/user/?q=an").status_code == 200


def test_postgresql_really_cannot_take_a_nul() -> None:
    """Why the guard exists: on PostgreSQL the query itself fails (SQLite stores it)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (run with DATABASE_URL=postgres://…)")
    with pytest.raises(DataError, match="NUL"):
        User.objects.filter(username="a\x00").exists()


# --- the JSON body ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "message", "field"),
    [
        (_body(ten_tre="a\x00b"), "invalid_characters", BODY_CHARACTERS, "form_data.ten_tre"),
        (
            '{"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"a\\u0000": 1}}',
            "invalid_characters",
            BODY_CHARACTERS,
            "form_data.a\x00",
        ),
        (
            '{"procedure": "1.00\\u0000", "receiving_unit": "00070"}',
            "invalid_characters",
            BODY_CHARACTERS,
            "procedure",
        ),
        (
            '{"procedure": "1.001193", "receiving_unit": "00070", '
            '"form_data": {"ten_tre": "\\ud800"}}',
            "invalid_characters",
            BODY_CHARACTERS,
            "form_data.ten_tre",
        ),
        (
            '{"procedure": "1.001193", "receiving_unit": "00070", '
            '"representative": {"names": ["x", "\\udfff"]}}',
            "invalid_characters",
            BODY_CHARACTERS,
            "representative.names.1",
        ),
        (
            '{"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"n": 1e999}}',
            "non_finite_number",
            NON_FINITE,
            "form_data.n",
        ),
        (
            '{"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"n": NaN}}',
            "non_finite_number",
            NON_FINITE,
            "form_data.n",
        ),
        (
            '{"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"n": [-Infinity]}}',
            "non_finite_number",
            NON_FINITE,
            "form_data.n.0",
        ),
    ],
)
def test_what_json_or_the_database_cannot_hold_is_refused_with_its_field(
    client: Client,
    procedure: Procedure,
    ward: Unit,
    citizen: User,
    body: str,
    code: str,
    message: str,
    field: str,
) -> None:
    response = _submit(client, body, citizen)

    assert response.status_code == 400, response.content
    expected = _error(code, message, field, "body")
    if "\x00" in field:  # a key with a NUL: reported as sent
        expected["errors"][0]["field"] = field
    assert response.json() == expected
    assert Dossier.objects.count() == 0


def test_a_body_that_is_not_utf8_is_refused(client: Client, citizen: User) -> None:
    response = _submit(client, b'{"procedure": "\xff"}', citizen)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"


def test_a_20_mb_body_is_413_json_and_never_read(client: Client, citizen: User) -> None:
    response = _submit(client, _body(ten_tre="x" * 20_000_000), citizen)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "code": "payload_too_large",
        "message": "Nội dung yêu cầu quá lớn (tối đa 1048576 byte).",
    }
    assert Dossier.objects.count() == 0


@override_settings(
    MOTCUA_API_INPUT_LIMITS={
        "body_bytes": 10_000_000,
        "string_length": 100,
        "depth": 4,
        "items": 50,
    },
    DATA_UPLOAD_MAX_MEMORY_SIZE=1000,
)
def test_a_body_over_djangos_own_limit_is_413_too(client: Client, citizen: User) -> None:
    response = _submit(client, _body(ten_tre="x" * 2000), citizen)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


@override_settings(
    MOTCUA_API_INPUT_LIMITS={"body_bytes": 100_000, "string_length": 100, "depth": 4, "items": 50}
)
@pytest.mark.parametrize(
    ("document", "code", "field", "message"),
    [
        (
            {"form_data": {"ten_tre": "x" * 101}},
            "string_too_long",
            "form_data.ten_tre",
            "Chuỗi quá dài (tối đa 100 ký tự).",
        ),
        (
            {"representative": {"name": "x" * 101}},
            "string_too_long",
            "representative.name",
            "Chuỗi quá dài (tối đa 100 ký tự).",
        ),
        (
            {"form_data": {"k" * 101: 1}},
            "string_too_long",
            "form_data." + "k" * 101,
            "Chuỗi quá dài (tối đa 100 ký tự).",
        ),
        (
            {"form_data": {"a": {"b": {"c": {"d": 1}}}}},
            "document_too_deep",
            "form_data.a.b.c",
            "Tài liệu JSON lồng quá sâu (tối đa 4 cấp).",
        ),
        (
            {"form_data": {"list": list(range(60))}},
            "document_too_large",
            "form_data.list.45",
            "Tài liệu JSON có quá nhiều giá trị (tối đa 50).",
        ),
    ],
)
def test_free_form_objects_are_capped_in_length_depth_and_size(
    client: Client,
    procedure: Procedure,
    ward: Unit,
    citizen: User,
    document: dict[str, Any],
    code: str,
    field: str,
    message: str,
) -> None:
    body = json.dumps({"procedure": "1.001193", "receiving_unit": "00070", **document})

    response = _submit(client, body, citizen)

    assert response.status_code == 422, response.content
    assert response.json() == _error(code, message, field, "body")
    assert Dossier.objects.count() == 0


def test_a_deeply_nested_body_is_refused_not_a_recursion_crash(
    client: Client, citizen: User
) -> None:
    response = _submit(client, "[" * 200_000 + "]" * 200_000, citizen)

    assert response.status_code == 422
    assert response.json()["code"] == "document_too_deep"


def test_a_body_within_the_limits_still_submits(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    # The e-form takes a long note and a number (unknown e-form fields are refused).
    version = procedure.versions.get(status="published")
    version.eform = {
        "fields": [
            *version.eform["fields"],
            {"name": "ghi_chu", "label": "Ghi chú", "type": "textarea", "max_length": 10_000},
            {"name": "so", "label": "Số", "type": "number"},
        ]
    }
    version.save(update_fields=["eform"])
    response = _submit(client, _body(ten_tre="Nguyễn An", ghi_chu="x" * 10_000, so=1.5), citizen)

    assert response.status_code == 201, response.content
    assert Dossier.objects.get().form_data["so"] == 1.5
