"""Electronic certified copies from the original: the book number, the stamped and signed
copy, the issued document, at home, refusals that leave nothing behind."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from unittest import mock

import pytest

from motcua.core.errors import NotFound, PermissionDenied, ValidationError
from motcua.core.models import AuditEvent
from motcua.documents import certification
from motcua.documents.certification import Place, copy_certify
from motcua.documents.issued import verify_code_display, verify_url
from motcua.documents.models import (
    CertificationCounter,
    CertificationEntry,
    IssuedDocument,
    StoredFile,
)
from motcua.documents.signing.validation import document_validate
from motcua.organisation.models import Role
from tests.factories import RoleAssignmentFactory, UnitFactory

from .samples import image_bytes, pdf_bytes, stored_names

NOW = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội


@pytest.fixture
def ward(db):
    # the demo PKI has a key for Hoàn Kiếm (00070)
    return UnitFactory(code="00070", name="UBND Phường Hoàn Kiếm")


@pytest.fixture
def officer(ward):
    return RoleAssignmentFactory(unit=ward, role=Role.OFFICER, user__full_name="Trần Thị Lan").user


def certify(officer, ward, **overrides):
    values = {
        "actor": officer,
        "unit": ward,
        "upload": io.BytesIO(pdf_bytes(2)),
        "requester_name": "Nguyễn Văn An",
        "requester_id_number": "001090000123",
        "document_title": "Bằng tốt nghiệp đại học",
        "document_issuer": "Trường Đại học Bách khoa Hà Nội",
        "compared_with_original": True,
        "copies": 2,
        "fee_vnd": 4000,
        "now": NOW,
    }
    values.update(overrides)
    return copy_certify(**values)


def pdftotext(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def read(stored: StoredFile) -> bytes:
    from motcua.documents.services import documents_storage

    with documents_storage().open(stored.storage_name) as f:
        return f.read()


def test_a_certified_copy_is_numbered_stamped_signed_and_issued(signing_settings, officer, ward):
    entry = certify(officer, ward)

    assert entry.book_number == "1/2026/SCT/BS"
    assert (entry.number, entry.year) == (1, 2026)
    assert entry.pages == 2
    assert entry.copies == 2
    assert entry.fee_vnd == 4000
    assert entry.officer == officer
    assert entry.signer_name == "Trần Thị Lan"
    assert entry.requester_id_number == "001090000123"
    assert entry.at_home is False
    issued = entry.issued
    assert issued.kind == IssuedDocument.Kind.CERTIFIED_COPY
    assert issued.reference == "1/2026/SCT/BS"
    assert issued.subject_masked == "Nguyễn V. A."
    assert issued.file == entry.file
    assert issued.unit == ward

    data = read(entry.file)
    report = document_validate(pdf=data)
    assert report.ok is True, report.failures
    [check] = report.signatures
    assert check.signer_unit == "00070"
    assert check.signing_time == NOW
    text = pdftotext(data)
    assert "CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH" in text
    assert "Số chứng thực: 1/2026/SCT/BS" in text
    assert "Ngày 02/12/2026" in text
    assert "UBND Phường Hoàn Kiếm" in text
    assert f"Mã kiểm tra: {verify_code_display(issued.code)}" in text
    assert verify_url(issued.code) in text
    assert entry.file.pages == 3  # two pages of the copy, the certification page

    [event] = AuditEvent.objects.filter(action="copy_certify")
    assert event.after["book_number"] == "1/2026/SCT/BS"


def test_numbers_follow_each_other_and_restart_each_year(signing_settings, officer, ward):
    first = certify(officer, ward)
    second = certify(officer, ward, upload=None, uploads=[io.BytesIO(image_bytes("PNG"))])
    next_year = certify(officer, ward, now=dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.UTC))

    assert [first.book_number, second.book_number] == ["1/2026/SCT/BS", "2/2026/SCT/BS"]
    assert second.pages == 1  # one scanned page
    assert next_year.book_number == "1/2027/SCT/BS"
    # a book of another unit has its own numbers
    other = UnitFactory(code="01.STP", name="Sở Tư pháp Hà Nội")
    leader = RoleAssignmentFactory(unit=other, role=Role.LEADER).user
    assert certify(leader, other).book_number == "1/2026/SCT/BS"


def test_at_home_records_the_place(signing_settings, officer, ward):
    entry = certify(
        officer,
        ward,
        place=Place(address="Số 5 ngõ Huế, phường Hoàn Kiếm", reason="Người cao tuổi, 92 tuổi"),
    )
    assert entry.at_home is True
    assert entry.place_address == "Số 5 ngõ Huế, phường Hoàn Kiếm"
    assert entry.place_reason == "Người cao tuổi, 92 tuổi"
    assert "Chứng thực tại: Số 5 ngõ Huế, phường Hoàn Kiếm" in pdftotext(read(entry.file))


def test_at_home_without_a_reason_is_refused(signing_settings, officer, ward):
    with pytest.raises(ValidationError) as refused:
        certify(officer, ward, place=Place(address="Số 5 ngõ Huế", reason=" "))
    assert refused.value.errors[0]["field"] == "place_reason"
    assert not CertificationCounter.objects.exists()


def _nothing_left() -> None:
    assert not CertificationEntry.objects.exists()
    assert not IssuedDocument.objects.exists()
    assert not StoredFile.objects.exists()
    assert stored_names() == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"compared_with_original": False}, "original_not_compared"),
        ({"requester_name": "  "}, "required"),
        ({"requester_id_number": "12/34"}, "id_number_invalid"),
        ({"copies": 0}, "copies_invalid"),
        ({"fee_vnd": -1}, "fee_invalid"),
        ({"upload": None}, "file_required"),
        ({"upload": image_bytes("PNG")}, "file_type_not_allowed"),
        ({"upload": b"%PDF-1.4 broken"}, "pdf_broken"),
    ],
)
def test_refused_requests_take_no_number(signing_settings, officer, ward, overrides, code):
    if isinstance(overrides.get("upload"), bytes):  # a fresh stream for every run
        overrides = {**overrides, "upload": io.BytesIO(overrides["upload"])}
    with pytest.raises(ValidationError) as refused:
        certify(officer, ward, **overrides)
    assert refused.value.code == code
    _nothing_left()
    assert not CertificationCounter.objects.exists()


def test_someone_outside_the_unit_may_not_certify(signing_settings, ward):
    specialist = RoleAssignmentFactory(unit=ward, role=Role.SPECIALIST).user
    elsewhere = RoleAssignmentFactory(role=Role.OFFICER).user
    for actor in (specialist, elsewhere):
        with pytest.raises(PermissionDenied):
            certify(actor, ward)
    _nothing_left()


def test_a_unit_without_a_key_is_refused_before_numbering(signing_settings, db):
    unit = UnitFactory(code="99999")
    officer = RoleAssignmentFactory(unit=unit, role=Role.OFFICER).user
    with pytest.raises(NotFound) as refused:
        certify(officer, unit)
    assert refused.value.code == "no_signer"
    assert not CertificationCounter.objects.exists()


def test_a_failure_after_numbering_gives_the_number_back(signing_settings, officer, ward):
    # given a certification that fails after its number was taken and its bytes stored
    certify(officer, ward)
    with (
        mock.patch.object(certification, "document_issue", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        certify(officer, ward)
    # then nothing of it is left and the next one takes the number it would have had
    assert CertificationEntry.objects.count() == 1
    assert StoredFile.objects.count() == 1
    assert len(stored_names()) == 1
    assert CertificationCounter.objects.get(unit=ward, year=2026).last == 1
    assert certify(officer, ward).book_number == "2/2026/SCT/BS"


def test_the_book_exports_as_csv_and_xlsx(signing_settings, officer, ward, tmp_path):
    from django.core.management import call_command
    from openpyxl import load_workbook

    certify(officer, ward)
    certify(officer, ward, place=Place(address="Số 5 ngõ Huế", reason="Người khuyết tật"))
    csv_path, xlsx_path = tmp_path / "so.csv", tmp_path / "so.xlsx"
    call_command("certification_book_export", unit="00070", year=2026, output=str(csv_path))
    call_command(
        "certification_book_export", unit="00070", year=2026, format="xlsx", output=str(xlsx_path)
    )
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Số thứ tự,Số chứng thực,Ngày chứng thực,Họ tên người yêu cầu")
    assert lines[1].startswith("1,1/2026/SCT/BS,02/12/2026,Nguyễn Văn An,001090000123")
    assert "Số 5 ngõ Huế (Người khuyết tật)" in lines[2]
    sheet = load_workbook(xlsx_path).active
    assert [c.value for c in sheet[3]][:3] == [2, "2/2026/SCT/BS", "02/12/2026"]


def test_the_book_is_read_by_the_unit_and_its_supervisors_only(signing_settings, officer, ward):
    from motcua.core.models import DataAccessLog
    from motcua.documents.selectors import certification_book_for_actor

    certify(officer, ward)
    supervisor = RoleAssignmentFactory(unit=ward, role=Role.SUPERVISOR).user
    book = certification_book_for_actor(actor=supervisor, unit=ward, year=2026, now=NOW)
    assert [e.book_number for e in book] == ["1/2026/SCT/BS"]
    assert DataAccessLog.objects.filter(actor=supervisor, subject_id="00070/2026").exists()
    stranger = RoleAssignmentFactory(role=Role.SUPERVISOR).user
    with pytest.raises(PermissionDenied):
        certification_book_for_actor(actor=stranger, unit=ward, year=2026, now=NOW)


def test_the_book_admin_is_read_only_and_logs_each_page(signing_settings, officer, ward):
    from django.test import Client

    from motcua.core.models import DataAccessLog
    from tests.factories import UserFactory

    entry = certify(officer, ward)
    client = Client()
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)

    listing = client.get("/admin/documents/certificationentry/?year=2026")
    assert listing.status_code == 200
    assert "1/2026/SCT/BS" in listing.content.decode()
    assert DataAccessLog.objects.filter(actor=root, purpose="certification_book").count() == 1
    assert client.get("/admin/documents/certificationentry/add/").status_code == 403
    page = client.get(f"/admin/documents/certificationentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="requester_name"' not in page.content.decode()  # no input: read only
