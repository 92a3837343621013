"""The files API: upload a component's file (multipart), list them, download one."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core.models import DataAccessLog
from motcua.documents.models import StoredFile
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organisation.models import Unit
from tests.api.conftest import bearer
from tests.documents.samples import image_bytes, pdf_bytes, stored_names

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _procedure(procedure: Procedure, ward: Unit) -> None:
    """The birth registration procedure in force at ward 00070."""


SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}


def _dossier(client: Client, citizen: User) -> str:
    response = client.post(
        "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(citizen)
    )
    assert response.status_code == 201, response.content[:300]
    code: str = response.json()["code"]
    return code


def _upload(client: Client, code: str, auth: dict[str, Any], data: bytes, **kw: Any) -> Any:
    body = {
        "file": SimpleUploadedFile(kw.pop("name", "giay chung sinh.pdf"), data, "text/plain"),
        "component": kw.pop("component", "GCS"),
    }
    return client.post(f"/api/v1/dossiers/{code}/files", body, **auth, **kw)


def test_the_applicant_uploads_lists_and_downloads(
    client: Client, procedure: Procedure, citizen: User
) -> None:
    # given a dossier of the citizen
    code = _dossier(client, citizen)
    auth = bearer(citizen)
    data = pdf_bytes(2)

    # when they upload a PDF for component GCS
    response = _upload(client, code, auth, data)

    # then it is stored with facts from the bytes
    assert response.status_code == 201, response.content
    body = response.json()
    stored = StoredFile.objects.get()
    assert body == {
        "id": stored.pk,
        "kind": "component",
        "component": "GCS",
        "content_type": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "pages": 2,
        "signed": False,
        "verify_code": None,
        "name": "giay chung sinh.pdf",
        "added_at": body["added_at"],
    }
    assert body["added_at"].endswith("+07:00")
    assert Dossier.objects.get(code=code).version == 2
    assert DossierEvent.objects.filter(dossier__code=code, action="file_add").count() == 1

    listed = client.get(f"/api/v1/dossiers/{code}/files", **auth)
    assert listed.status_code == 200
    assert listed.json() == {"items": [body]}

    download = client.get(f"/api/v1/files/{stored.pk}", **auth)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert DataAccessLog.objects.count() == 0  # the applicant's own file


def test_an_officer_download_is_logged_a_stranger_gets_404(
    client: Client,
    procedure: Procedure,
    citizen: User,
    officer: User,
    other_officer: User,
    other_citizen: User,
) -> None:
    code = _dossier(client, citizen)
    file_id = _upload(client, code, bearer(citizen), pdf_bytes()).json()["id"]

    for stranger in (other_officer, other_citizen):
        response = client.get(f"/api/v1/files/{file_id}", **bearer(stranger))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        listed = client.get(f"/api/v1/dossiers/{code}/files", **bearer(stranger))
        assert listed.status_code == 404
    assert DataAccessLog.objects.count() == 0

    response = client.get(f"/api/v1/files/{file_id}", **bearer(officer))
    assert response.status_code == 200
    row = DataAccessLog.objects.get()
    assert (row.actor, row.subject_type, row.subject_id, row.purpose, row.channel) == (
        officer,
        "file",
        str(file_id),
        "file_download",
        "api",
    )


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"GIF89a not allowed", "file_type_not_allowed", 400),
        (b"", "file_empty", 400),
        (pdf_bytes(password="x"), "pdf_encrypted", 400),
        (b"%PDF-1.4 broken", "pdf_broken", 400),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    client: Client, procedure: Procedure, citizen: User, data: bytes, code: str, status: int
) -> None:
    dossier = _dossier(client, citizen)

    response = _upload(client, dossier, bearer(citizen), data)

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert StoredFile.objects.count() == 0
    assert stored_names() == []
    assert Dossier.objects.get(code=dossier).version == 1


def test_the_message_is_english_on_request(
    client: Client, procedure: Procedure, citizen: User
) -> None:
    dossier = _dossier(client, citizen)

    response = _upload(client, dossier, bearer(citizen), b"MZ", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["message"] == "This file type is not accepted: only PDF, JPEG, PNG."


def test_an_unknown_component_is_refused(
    client: Client, procedure: Procedure, citizen: User
) -> None:
    dossier = _dossier(client, citizen)

    response = _upload(client, dossier, bearer(citizen), image_bytes(), component="XX")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_component"


def test_uploads_past_one_mebibyte_pass_the_guard_up_to_the_upload_limit(
    client: Client, procedure: Procedure, citizen: User
) -> None:
    dossier = _dossier(client, citizen)
    big = pdf_bytes(padding=1_500_000)

    accepted = _upload(client, dossier, bearer(citizen), big)
    with override_settings(MOTCUA_API_UPLOAD_MAX_BYTES=1_000_000):
        refused = _upload(client, dossier, bearer(citizen), big)

    assert accepted.status_code == 201, accepted.content[:300]
    assert accepted.json()["size"] == len(big)
    assert refused.status_code == 413
    assert refused.json()["code"] == "payload_too_large"
    assert StoredFile.objects.count() == 1


def test_other_api_bodies_keep_the_one_mebibyte_limit(
    client: Client, procedure: Procedure, citizen: User
) -> None:
    body = b"x" * 1_100_000
    response = client.post(
        "/api/v1/dossiers/x/actions/withdraw",
        body,
        content_type="application/json",
        **bearer(citizen),
    )
    assert response.status_code == 413


def test_several_images_are_sent_as_one_scanned_pdf(client: Client, citizen: User) -> None:
    dossier = _dossier(client, citizen)
    pages = [
        SimpleUploadedFile("trang-1.png", image_bytes("PNG", size=(30, 10))),
        SimpleUploadedFile("trang-2.jpg", image_bytes("JPEG", size=(10, 30))),
    ]

    response = client.post(
        f"/api/v1/dossiers/{dossier}/files",
        {"file": pages, "component": "TK"},
        **bearer(citizen),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content_type"], body["pages"], body["name"]) == (
        "application/pdf",
        2,
        "trang-1.pdf",
    )
