"""Issuing a result signs it (issue 7 item 5): a PDF signed by the handling unit, attached
as the dossier's `result` file, with a verification code; a paper result also gets its
signed electronic copy; a signing failure changes nothing and keeps no bytes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from motcua.core.errors import NotFound, ValidationError
from motcua.documents.issued import document_issue, verify_code_display
from motcua.documents.models import IssuedDocument, StoredFile
from motcua.documents.selectors import stored_file_open
from motcua.documents.signing.validation import document_validate
from motcua.dossiers.models import DossierFile
from motcua.dossiers.services import dossier_issue_result, results
from tests.documents.samples import pdf_bytes, stored_names

from .helpers import at_leader_step, state, vn

ISSUED_AT = vn(2026, 3, 4, 16)


def _bytes(stored: StoredFile) -> bytes:
    with stored_file_open(stored=stored) as handle:
        return handle.read()


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _at_leader_step(world, result_kind: str):
    dossier = at_leader_step(world)
    type(dossier).objects.filter(pk=dossier.pk).update(result_kind=result_kind)
    dossier.refresh_from_db()
    return dossier


def _electronic(world):
    return _at_leader_step(world, "electronic")


def test_a_generated_result_is_signed_by_the_handling_unit_and_given_a_code(world):
    dossier = _electronic(world)

    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=ISSUED_AT)

    [link] = DossierFile.objects.filter(dossier=dossier)
    assert link.kind == "result"
    issued = IssuedDocument.objects.get(file=link.file)
    assert issued.kind == "result"
    assert issued.reference == dossier.code
    assert issued.dossier_code == dossier.code
    assert issued.unit == world.ward
    assert issued.subject_masked == "Nguyễn V. A."  # never the full name
    assert issued.issued_at == ISSUED_AT
    assert issued.issued_by == world.leader
    data = _bytes(link.file)
    report = document_validate(pdf=data)
    assert report.ok, report.failures
    [signature] = report.signatures
    assert signature.signer_unit == "00070"
    assert signature.signing_time == ISSUED_AT
    # the generated PDF states the facts and prints its own code
    text = _text(data)
    for fact in (dossier.code, "Nguyễn Văn An", "Giải quyết", world.ward.name):
        assert fact in text
    assert verify_code_display(issued.code) in text
    # and the event records the file and the code
    event = dossier.events.get(action="issue_result")
    assert event.after["file"] == link.file_id
    assert event.after["verify_code"] == issued.code
    assert event.after["sha256"] == link.file.sha256 == issued.file.sha256


def test_an_uploaded_result_is_checked_then_signed_keeping_its_bytes(world):
    dossier = _electronic(world)
    original = pdf_bytes(2)
    upload = SimpleUploadedFile("quyet-dinh.pdf", original, content_type="application/pdf")

    dossier = dossier_issue_result(
        dossier=dossier, actor=world.leader, now=ISSUED_AT, result_file=upload
    )

    [link] = DossierFile.objects.filter(dossier=dossier)
    assert link.file.name == "quyet-dinh.pdf"
    assert link.file.pages == 2
    data = _bytes(link.file)
    assert data.startswith(original)  # an incremental update: the officer's bytes are kept
    assert document_validate(pdf=data).ok
    assert IssuedDocument.objects.filter(file=link.file, kind="result").exists()


def test_an_upload_that_is_not_a_pdf_is_refused_and_nothing_changes(world):
    dossier = _electronic(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as err:
        dossier_issue_result(
            dossier=dossier,
            actor=world.leader,
            now=ISSUED_AT,
            result_file=SimpleUploadedFile("a.pdf", b"\x89PNG\r\n\x1a\nnot really"),
        )
    assert err.value.code == "file_type_not_allowed"
    assert state(dossier) == before
    assert stored_names() == []


def test_a_paper_result_also_gets_its_signed_electronic_copy(world):
    dossier = _at_leader_step(world, "paper")

    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=ISSUED_AT)

    links = {link.kind: link for link in DossierFile.objects.filter(dossier=dossier)}
    assert set(links) == {"result", "result_copy"}
    kinds = dict(IssuedDocument.objects.values_list("kind", "file_id"))
    assert kinds == {"result": links["result"].file_id, "result_copy": links["result_copy"].file_id}
    copy = IssuedDocument.objects.get(kind="result_copy")
    assert copy.title.startswith("Bản điện tử của kết quả giấy")
    assert document_validate(pdf=_bytes(copy.file)).ok
    event = dossier.events.get(action="issue_result")
    assert event.after["copy_verify_code"] == copy.code
    assert event.after["copy_file"] == copy.file_id


def test_a_refusal_to_settle_is_signed_with_its_reasons(world):
    dossier = _electronic(world)

    dossier = dossier_issue_result(
        dossier=dossier,
        actor=world.leader,
        now=ISSUED_AT,
        outcome="refused",
        note="Thửa đất đang có tranh chấp.",
    )

    issued = IssuedDocument.objects.get()
    assert issued.title.startswith("Thông báo từ chối giải quyết hồ sơ")
    text = _text(_bytes(issued.file))
    assert "Từ chối giải quyết" in text
    assert "Thửa đất đang có tranh chấp." in text


def test_a_unit_without_a_signing_key_cannot_issue_and_nothing_changes(world, settings, tmp_path):
    dossier = _electronic(world)
    before = state(dossier)
    settings.MOTCUA_SIGNING_BACKEND = "pkcs12"
    settings.MOTCUA_SIGNING_DIR = tmp_path  # no <unit>.p12 here

    with pytest.raises(NotFound) as err:
        dossier_issue_result(dossier=dossier, actor=world.leader, now=ISSUED_AT)

    assert err.value.code == "no_signer"
    assert state(dossier) == before
    assert (StoredFile.objects.count(), IssuedDocument.objects.count()) == (0, 0)
    assert stored_names() == []


def test_a_failure_after_the_bytes_were_stored_removes_them(world):
    dossier = _at_leader_step(world, "paper")  # two documents: the first one is stored
    before = state(dossier)
    calls = []

    def fail_on_the_copy(**kwargs):
        calls.append(kwargs["kind"])
        if kwargs["kind"] == "result_copy":
            raise RuntimeError("disk full")
        return document_issue(**kwargs)

    with (
        mock.patch.object(results, "document_issue", side_effect=fail_on_the_copy),
        pytest.raises(RuntimeError),
    ):
        dossier_issue_result(dossier=dossier, actor=world.leader, now=ISSUED_AT)

    assert calls == ["result", "result_copy"]
    assert state(dossier) == before
    assert (StoredFile.objects.count(), IssuedDocument.objects.count()) == (0, 0)
    assert stored_names() == []


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_pdfsig_reads_the_signed_result_as_valid(world, tmp_path):
    dossier = _electronic(world)
    dossier_issue_result(dossier=dossier, actor=world.leader, now=ISSUED_AT)
    path = tmp_path / "result.pdf"
    path.write_bytes(_bytes(IssuedDocument.objects.get().file))
    (tmp_path / "home").mkdir()
    result = subprocess.run(
        ["pdfsig", "-no-ocsp", str(path)],
        env={**os.environ, "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = result.stdout + result.stderr
    assert "Signer Certificate Common Name: Phường Hoàn Kiếm (DEMO)" in out
    assert "Total document signed" in out
    assert "Signature Validation: Signature is Valid." in out


def test_a_result_both_on_paper_and_electronic_needs_no_copy(world):
    dossier = at_leader_step(world)
    assert dossier.result_kind == "both"
    dossier_issue_result(dossier=dossier, actor=world.leader, now=ISSUED_AT)
    assert list(IssuedDocument.objects.values_list("kind", flat=True)) == ["result"]
