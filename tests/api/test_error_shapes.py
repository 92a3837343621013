"""Errors raised outside the operations — routing (405, 404), a crash past ninja — answer
the API's JSON shape too, never Django's HTML or plain-text pages."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseServerError
from django.test import Client, RequestFactory

from motcua.api.middleware import ApiErrorShapeMiddleware

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/procedures", {"GET"}),
        ("put", "/api/v1/dossiers", {"GET", "POST"}),
        ("post", "/api/v1/health", {"GET"}),
        ("get", "/api/v1/auth/token", {"POST"}),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(
    client: Client, method: str, path: str, allowed: set[str]
) -> None:
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"code": "method_not_allowed", "message": "Method not allowed."}
    assert {m.strip() for m in response["Allow"].split(",")} == allowed


@pytest.mark.parametrize("path", ["/api/v1/khong-co", "/api/v1/dossiers/a/b/c", "/api/v2/x"])
def test_an_unknown_api_path_is_a_json_404(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy."}


def test_a_crash_outside_ninja_still_answers_json() -> None:
    def crashing(request: object) -> HttpResponse:
        return HttpResponseServerError("<h1>Server Error (500)</h1>")

    middleware = ApiErrorShapeMiddleware(crashing)  # type: ignore[arg-type]

    response = middleware(RequestFactory().get("/api/v1/units"))
    page = middleware(RequestFactory().get("/admin/"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content.decode().startswith('{"code": "server_error"')
    assert page.content == b"<h1>Server Error (500)</h1>"  # outside the API: untouched


def test_a_bad_authorization_scheme_is_a_json_401(client: Client) -> None:
    response = client.get("/api/v1/dossiers", HTTP_AUTHORIZATION="Basic abc")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
