"""POST /dossiers/{code}/actions/issue_result: JSON (a generated result) or multipart with the
officer's PDF; the files list then says which files are signed and their verification codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import User
from motcua.documents.models import IssuedDocument
from tests.api.actions.helpers import People, ok, submit
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db


def _ready(people: People, leader: User) -> str:
    code = submit(people)
    ok(people.officer.act(code, "receive"))
    ok(people.specialist.act(code, "forward", to_user=leader.pk))
    return code


def _files(people: People, code: str) -> list[dict[str, Any]]:
    response = people.leader.get(f"/dossiers/{code}/files")
    assert response.status_code == 200
    return list(response.json()["items"])


def test_multipart_with_the_officers_pdf(people: People, leader: User) -> None:
    code = _ready(people, leader)
    version = people.leader.actions(code)["version"]
    response = people.leader.client.post(
        f"/api/v1/dossiers/{code}/actions/issue_result",
        {
            "expected_version": str(version),
            "outcome": "granted",
            "reason": "Cấp giấy khai sinh.",
            "file": SimpleUploadedFile("giay-khai-sinh.pdf", pdf_bytes()),
        },
        **people.leader.headers,
    )
    body = ok(response)
    assert body["status"] == 9
    files = _files(people, code)
    result = next(f for f in files if f["kind"] == "result")
    assert result["name"] == "giay-khai-sinh.pdf"
    assert result["signed"] is True
    issued = IssuedDocument.objects.get(kind="result")
    assert result["verify_code"] == issued.code
    assert issued.reference == code
    # and anyone can check it
    public = people.leader.client.get(f"/api/v1/verify/{issued.code}")
    assert public.json()["reference"] == code


def test_json_generates_the_result_and_a_component_file_stays_unsigned(
    people: People, leader: User
) -> None:
    code = _ready(people, leader)
    uploaded = people.leader.client.post(
        f"/api/v1/dossiers/{code}/files",
        {"component": "GCS", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
        **people.leader.headers,
    )
    assert uploaded.status_code == 201, uploaded.content
    assert (uploaded.json()["signed"], uploaded.json()["verify_code"]) == (False, None)

    ok(people.leader.act(code, "issue_result"))

    by_kind = {f["kind"]: f for f in _files(people, code)}
    assert by_kind["component"]["signed"] is False
    assert by_kind["result"]["signed"] is True
    assert by_kind["result"]["verify_code"]
    assert by_kind["result"]["name"] == f"{code}.pdf"


def test_a_field_the_action_does_not_take_is_refused_in_multipart(
    people: People, leader: User
) -> None:
    code = _ready(people, leader)
    version = people.leader.actions(code)["version"]
    response = people.leader.client.post(
        f"/api/v1/dossiers/{code}/actions/issue_result",
        {"expected_version": str(version), "to_unit": "00004"},
        **people.leader.headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "to_unit"
    assert IssuedDocument.objects.count() == 0
