"""POST /dossiers/{code}/actions/supplement as multipart: files[<component>] for exactly the
requested components; refusals change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.documents.models import StoredFile
from motcua.dossiers.models import Dossier, DossierFile
from motcua.organisation.models import Unit
from tests.api.conftest import bearer
from tests.documents.samples import image_bytes, pdf_bytes, stored_names

pytestmark = pytest.mark.django_db

SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}


@pytest.fixture(autouse=True)
def _procedure(procedure: Procedure, ward: Unit) -> None:
    """The birth registration procedure in force at ward 00070."""


@pytest.fixture
def asked(client: Client, citizen: User, officer: User) -> str:
    """A dossier of the citizen whose supplement request asks for GCS (and free text)."""
    response = client.post(
        "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(citizen)
    )
    code = str(response.json()["code"])
    body = {
        "expected_version": 1,
        "items": [
            {"component": "GCS", "reason": "Bản chụp mờ"},
            {"component": "Giấy xác nhận", "reason": "Chưa nộp"},
        ],
    }
    response = client.post(
        f"/api/v1/dossiers/{code}/actions/request_supplement",
        json.dumps(body),
        content_type="application/json",
        **bearer(officer),
    )
    assert response.status_code == 200, response.content
    return code


def _pdf(name: str = "gcs.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(1), "application/octet-stream")


def _supplement(client: Client, code: str, auth: dict[str, Any], **parts: Any) -> Any:
    return client.post(f"/api/v1/dossiers/{code}/actions/supplement", parts, **auth)


def test_the_actions_list_names_the_requested_components(client, citizen, asked):
    actions = client.get(f"/api/v1/dossiers/{asked}/actions", **bearer(citizen)).json()
    [supplement] = [a for a in actions["items"] if a["action"] == "supplement"]
    [files] = [f for f in supplement["fields"] if f["name"] == "files"]
    assert files["kind"] == "files"
    assert files["choices"] == [{"value": "GCS", "label": "Giấy chứng sinh"}]


def test_a_multipart_supplement_stores_the_files(client, citizen, asked):
    pages = [
        SimpleUploadedFile("p1.png", image_bytes("PNG")),
        SimpleUploadedFile("p2.jpg", image_bytes("JPEG")),
    ]
    response = _supplement(
        client,
        asked,
        bearer(citizen),
        expected_version="2",
        reason="Đã bổ sung",
        form_data=json.dumps({"ten_tre": "Bình"}),
        **{"files[GCS]": pages},
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == 1
    dossier = Dossier.objects.get(code=asked)
    assert dossier.form_data["ten_tre"] == "Bình"
    [link] = DossierFile.objects.filter(dossier=dossier)
    assert (link.component_code, link.file.pages) == ("GCS", 2)
    listed = client.get(f"/api/v1/dossiers/{asked}/files", **bearer(citizen)).json()
    assert [f["component"] for f in listed["items"]] == ["GCS"]


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        ({"files[GCS]": "pdf", "files[TK]": "pdf"}, "component_not_requested"),
        ({"files[TK]": "pdf"}, "component_not_requested"),
        ({"files[GCS]": "exe"}, "file_type_not_allowed"),
        ({"file": "pdf"}, "invalid"),
    ],
)
def test_wrong_files_are_refused_and_nothing_changes(client, citizen, asked, parts, code):
    uploads = {
        name: _pdf() if kind == "pdf" else SimpleUploadedFile("a.exe", b"MZ...")
        for name, kind in parts.items()
    }
    before = Dossier.objects.get(code=asked).version

    response = _supplement(client, asked, bearer(citizen), expected_version="2", **uploads)

    assert (response.status_code, response.json()["code"]) == (400, code), response.content
    assert Dossier.objects.get(code=asked).version == before
    assert not StoredFile.objects.exists()
    assert stored_names() == []


def test_a_missing_component_is_listed(client, citizen, officer):
    response = client.post(
        "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(citizen)
    )
    code = str(response.json()["code"])
    items = [{"component": "TK", "reason": "Chưa ký"}, {"component": "GCS", "reason": "Mờ"}]
    client.post(
        f"/api/v1/dossiers/{code}/actions/request_supplement",
        json.dumps({"expected_version": 1, "items": items}),
        content_type="application/json",
        **bearer(officer),
    )

    response = _supplement(
        client, code, bearer(citizen), expected_version="2", **{"files[GCS]": _pdf()}
    )

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "components_missing"
    assert [e["field"] for e in body["errors"]] == ["files[TK]"]
    assert Dossier.objects.get(code=code).version == 2
    assert stored_names() == []


def test_files_for_another_action_are_refused(client, citizen, asked):
    response = client.post(
        f"/api/v1/dossiers/{asked}/actions/withdraw",
        {"expected_version": "2", "reason": "Không cần nữa", "files[GCS]": _pdf()},
        **bearer(citizen),
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "files"
    assert Dossier.objects.get(code=asked).version == 2


def test_the_larger_body_limit_is_for_multipart_only(client, citizen, asked, settings):
    big = json.dumps({"expected_version": 2, "reason": "x" * 1_100_000})
    response = client.post(
        f"/api/v1/dossiers/{asked}/actions/supplement",
        big,
        content_type="application/json",
        **bearer(citizen),
    )
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
