"""A supplement answered with files: exactly the requested components, every file checked
before anything is stored, one transaction with the lifecycle change."""

from __future__ import annotations

import io

import pytest

from motcua.core.errors import ValidationError
from motcua.documents.models import StoredFile
from motcua.dossiers.models import DossierFile, DossierStatus
from motcua.dossiers.services import dossier_request_supplement, dossier_supplement
from tests.documents.samples import image_bytes, pdf_bytes, stored_names

from .helpers import received, state, vn

ASKED = [
    {"component": "TP1", "reason": "Tờ khai chưa ký"},
    {"component": "TP2", "reason": "Bản chụp không rõ nét"},
    {"component": "Giấy xác nhận", "reason": "Chưa nộp"},  # free text: no file for it
]


@pytest.fixture
def asked(world):
    dossier = received(world)
    return dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ASKED, now=vn(2026, 3, 3, 10)
    )


def _supplement(world, dossier, files):
    return dossier_supplement(
        dossier=dossier,
        actor=world.citizen,
        expected_version=dossier.version,
        files=files,
        now=vn(2026, 3, 4, 9),
    )


def test_files_for_exactly_the_requested_components_are_stored_with_the_supplement(world, asked):
    files = {
        "TP1": io.BytesIO(pdf_bytes(1)),
        "TP2": [io.BytesIO(image_bytes("PNG")), io.BytesIO(image_bytes("JPEG"))],  # two pages
    }

    dossier = _supplement(world, asked, files)

    assert dossier.status == DossierStatus.RECEIVED
    links = {link.component_code: link.file for link in DossierFile.objects.filter(dossier=dossier)}
    assert set(links) == {"TP1", "TP2"}
    assert links["TP2"].pages == 2
    assert links["TP2"].content_type == "application/pdf"
    [event] = dossier.events.filter(action="supplement")
    assert [(f["component"], f["file"]) for f in event.after["files"]] == [
        ("TP1", links["TP1"].pk),
        ("TP2", links["TP2"].pk),
    ]
    assert dossier.events.filter(action="file_add").count() == 0  # one change, one event
    assert len(stored_names()) == 2


@pytest.mark.parametrize(
    ("files", "code", "fields"),
    [
        (  # a file for a component the request does not name
            {"TP1": "pdf", "TP2": "pdf", "TP3": "pdf"},
            "component_not_requested",
            ["files[TP3]"],
        ),
        ({"TP1": "pdf"}, "components_missing", ["files[TP2]"]),  # a requested one missing
        ({"TP1": "pdf", "TP2": "bad"}, "file_type_not_allowed", ["files[TP2]"]),  # bad bytes
    ],
)
def test_wrong_files_change_nothing(world, asked, files, code, fields):
    uploads = {
        k: io.BytesIO(pdf_bytes(1) if v == "pdf" else b"MZ not a pdf") for k, v in files.items()
    }
    before = state(asked)

    with pytest.raises(ValidationError) as refused:
        _supplement(world, asked, uploads)

    assert refused.value.code == code
    assert [e["field"] for e in refused.value.errors] == fields
    assert state(asked) == before
    assert not StoredFile.objects.exists()
    assert stored_names() == []


def test_a_failure_after_storing_leaves_no_bytes(world, asked, monkeypatch):
    from motcua.dossiers.services import suspensions

    def broken(**kwargs):
        raise RuntimeError("the deadline service failed")

    monkeypatch.setattr(suspensions, "extend_appointment", broken)
    before = state(asked)
    with pytest.raises(RuntimeError):
        _supplement(
            world, asked, {"TP1": io.BytesIO(pdf_bytes(1)), "TP2": io.BytesIO(pdf_bytes(1))}
        )
    assert state(asked) == before
    assert not StoredFile.objects.exists()
    assert stored_names() == []


def test_without_files_the_supplement_is_as_before(world, asked):
    dossier = dossier_supplement(
        dossier=asked, actor=world.officer, expected_version=asked.version, now=vn(2026, 3, 4, 9)
    )
    assert dossier.status == DossierStatus.RECEIVED
    assert not DossierFile.objects.exists()
