"""The error shape, its language, unknown paths and the public rate limit."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.organisation.models import Unit
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_messages_are_vietnamese_by_default_and_english_on_request(client: Client) -> None:
    vi = client.post("/api/v1/dossiers", "{}", content_type="application/json")
    en = client.post(
        "/api/v1/dossiers", "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert vi.json() == {
        "code": "unauthenticated",
        "message": "Cần đăng nhập hoặc gửi khoá API hợp lệ.",
    }
    assert en.json() == {
        "code": "unauthenticated",
        "message": "Authentication required: sign in or send a valid API token.",
    }
    assert (vi["Content-Language"], en["Content-Language"]) == ("vi", "en")


def test_field_errors_are_translated_too(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    response = client.post(
        "/api/v1/dossiers",
        json.dumps({"procedure": "1.001193"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8",
        **bearer(citizen),
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "The request data is invalid.",
        "errors": [
            {
                "field": "receiving_unit",
                "code": "missing",
                "message": "This field is required.",
                "location": "body",
            }
        ],
    }


def test_an_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/khong-co", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"code": "not_found", "message": "Not found."}


def test_broken_json_is_invalid(client: Client, citizen: User) -> None:
    response = client.post(
        "/api/v1/dossiers", "{not json", content_type="application/json", **bearer(citizen)
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Không đọc được nội dung yêu cầu: cần JSON hợp lệ.",
    }


@override_settings(MOTCUA_RATE_LIMITS={"login": (10, 60), "lookup": (2, 60)})
def test_public_lookups_are_rate_limited_per_client_address(
    client: Client, procedure: Procedure
) -> None:
    statuses = [client.get("/api/v1/procedures").status_code for _ in range(2)]
    limited = client.get("/api/v1/units")
    elsewhere = client.get("/api/v1/procedures", REMOTE_ADDR="10.0.0.2")

    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited.json() == {
        "code": "rate_limited",
        "message": "Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
    }
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert elsewhere.status_code == 200


def test_health_answers_without_the_database(
    client: Client, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = client.get("/api/v1/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
