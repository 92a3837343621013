"""The OpenAPI document: complete, and equal to the committed snapshot (a schema diff gate).

After a deliberate API change regenerate the snapshot and commit the diff:
    .venv/bin/python manage.py export_openapi docs/openapi.json --settings=config.settings.test
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from ninja.openapi.schema import OpenAPISchema

from motcua.api.main import openapi_document
from motcua.api.management.commands.export_openapi import openapi_document_text

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
OPERATIONS = {
    ("/api/v1/procedures", "get"),
    ("/api/v1/procedures/{code}", "get"),
    ("/api/v1/life-events", "get"),
    ("/api/v1/units", "get"),
    ("/api/v1/dossiers", "get"),
    ("/api/v1/dossiers", "post"),
    ("/api/v1/dossiers/{code}", "get"),
    ("/api/v1/dossiers/{code}/events", "get"),
    ("/api/v1/dossiers/{code}/notifications", "get"),
    ("/api/v1/auth/token", "post"),
    ("/api/v1/auth/tokens", "get"),
    ("/api/v1/auth/tokens/{token_id}", "delete"),
    ("/api/v1/dossiers/{code}/actions", "get"),
    ("/api/v1/dossiers/{code}/actions/{action}", "post"),
    ("/api/v1/dossiers/{code}/actions/issue_result", "post"),
    ("/api/v1/dossiers/{code}/files", "get"),
    ("/api/v1/dossiers/{code}/files", "post"),
    ("/api/v1/files/{file_id}", "get"),
    ("/api/v1/me/data-store", "get"),
    ("/api/v1/me/notifications", "get"),
    ("/api/v1/me/notifications/read", "post"),
    ("/api/v1/dossiers/{code}/reuse", "post"),
    ("/api/v1/dossiers/{code}/national-data", "post"),
    ("/api/v1/dossiers/{code}/forms/{number}", "get"),
    ("/api/v1/units/{code}/tracking-book", "get"),
    ("/api/v1/dossiers/{code}/certified-copy-reports", "post"),
    ("/api/v1/dossiers/{code}/rating", "get"),
    ("/api/v1/dossiers/{code}/rating", "post"),
    ("/api/v1/reports/certified-copy-requests", "get"),
    ("/api/v1/health", "get"),
    ("/api/v1/ready", "get"),
    ("/api/v1/verify/{code}", "get"),
    ("/api/v1/verify/{code}", "post"),
    ("/api/v1/payments/callback/{gateway}", "get"),
    ("/api/v1/payments/callback/{gateway}", "post"),
    ("/api/v1/lookup", "get"),
    ("/api/v1/receipts", "get"),
    ("/api/v1/receipts/{number}", "get"),
    ("/api/v1/receipts/{number}/pdf", "get"),
    ("/api/v1/dossiers/{code}/fees", "get"),
    ("/api/v1/dossiers/{code}/payments", "post"),
    ("/api/v1/webhooks", "get"),
    ("/api/v1/webhooks", "post"),
    ("/api/v1/webhooks/topics", "get"),
    ("/api/v1/webhooks/{endpoint_id}", "get"),
    ("/api/v1/webhooks/{endpoint_id}", "patch"),
    ("/api/v1/webhooks/{endpoint_id}", "delete"),
    ("/api/v1/webhooks/{endpoint_id}/rotate-secret", "post"),
    ("/api/v1/webhooks/{endpoint_id}/test", "post"),
    ("/api/v1/webhooks/{endpoint_id}/deliveries", "get"),
    ("/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}", "get"),
    ("/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver", "post"),
    ("/api/v1/feedback", "post"),
    ("/api/v1/feedback", "get"),
    ("/api/v1/feedback/{code}", "get"),
    ("/api/v1/feedback/{code}/attachments/{file_id}", "get"),
    ("/api/v1/payments/reconciliations", "get"),
    ("/api/v1/payments/reconciliations", "post"),
    ("/api/v1/payments/reconciliations/{run_id}", "get"),
}
#: Public operations that also take a token or a session when sent (security lists `{}`).
OPTIONAL_AUTH = {
    ("/api/v1/feedback", "post"),
    ("/api/v1/feedback/{code}", "get"),
    ("/api/v1/feedback/{code}/attachments/{file_id}", "get"),
}
PUBLIC = {"/api/v1/health", "/api/v1/ready", "/api/v1/auth/token"}
#: Operations answering 200 with a file's bytes (not JSON), and the types they answer.
BINARY = {
    ("/api/v1/files/{file_id}", "get"): {"application/pdf", "image/jpeg", "image/png"},
    ("/api/v1/feedback/{code}/attachments/{file_id}", "get"): {
        "application/pdf",
        "image/jpeg",
        "image/png",
    },
    ("/api/v1/dossiers/{code}/forms/{number}", "get"): {"application/pdf"},
    ("/api/v1/receipts/{number}/pdf", "get"): {"application/pdf"},
    ("/api/v1/units/{code}/tracking-book", "get"): {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
}
#: Authenticated operations outside /dossiers, /auth/tokens and /files.
AUTHENTICATED = {
    "/api/v1/units/{code}/tracking-book",
    "/api/v1/receipts",
    "/api/v1/receipts/{number}",
    "/api/v1/receipts/{number}/pdf",
    "/api/v1/feedback",
    "/api/v1/payments/reconciliations",
    "/api/v1/payments/reconciliations/{run_id}",
}


def test_every_operation_is_documented_with_an_id_and_response_schemas() -> None:
    schema = openapi_document()

    listed = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert listed == OPERATIONS
    ids = [schema["paths"][path][method]["operationId"] for path, method in OPERATIONS]
    assert len(set(ids)) == len(OPERATIONS)
    for path, method in OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["summary"], (path, method)
        assert operation["tags"], (path, method)
        for status, response in operation["responses"].items():
            if status == "204":
                assert "content" not in response, (path, status)
                continue
            if status == "200" and (path, method) in BINARY:
                assert set(response["content"]) == BINARY[(path, method)]
                continue
            assert "$ref" in response["content"]["application/json"]["schema"], (path, status)
        errors = {s for s in operation["responses"] if s.startswith("4")}
        for status in errors:
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[-1] in {"ErrorOut", "ValidationErrorOut"}, (path, status)
        if (path, method) in OPTIONAL_AUTH:
            assert {"400", "401", "429"} <= errors
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}, {}]
        elif path in AUTHENTICATED or path.startswith(
            (
                "/api/v1/dossiers",
                "/api/v1/auth/tokens",
                "/api/v1/files",
                "/api/v1/me/",
                "/api/v1/reports",
                "/api/v1/webhooks",
            )
        ):
            assert {"400", "401"} <= errors
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
        elif path not in PUBLIC:
            assert {"400", "429"} <= errors


def test_the_document_names_the_api_the_auth_schemes_and_the_tags() -> None:
    schema = openapi_document()

    assert schema["info"]["title"] == "motcua API"
    assert schema["info"]["version"] == "1.0.0"
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert [tag["name"] for tag in schema["tags"]] == [
        "procedures",
        "units",
        "dossiers",
        "data-store",
        "notifications",
        "payments",
        "receipts",
        "verify",
        "lookup",
        "feedback",
        "reports",
        "auth",
        "webhooks",
        "system",
    ]
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message"]


def test_the_served_document_is_the_exported_one(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == json.loads(openapi_document_text())
    assert client.get("/api/v1/docs").status_code == 200


def test_the_live_schema_matches_the_committed_snapshot() -> None:
    live = openapi_document_text()
    committed = SNAPSHOT.read_text(encoding="utf-8")

    assert live == committed, (
        "The API schema changed. If intended, run "
        "`.venv/bin/python manage.py export_openapi docs/openapi.json"
        " --settings=config.settings.test` and commit the diff."
    )


def test_no_component_is_defined_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ninja merges each schema's definitions by name: a second, different definition under a
    name already taken (two enums both called "Kind") would silently replace the first."""
    collisions: list[tuple[str, Any, Any]] = []
    original = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                collisions.append((name, self.schemas[name], definition))
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)

    schema = openapi_document()

    assert collisions == []
    components = schema["components"]["schemas"]
    assert "Kind" not in components
    units = components["UnitOut"]["properties"]
    assert units["kind"]["title"] == "UnitKind"
    assert "ward" in units["kind"]["enum"]
    assert components["FeeOut"]["properties"]["kind"]["enum"] == ["fee", "charge"]
