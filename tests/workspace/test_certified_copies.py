"""/workspace/certified-copies/: the unit's certification book (newest first, each line shown
logged), certifying a copy through copy_certify (the comparison box never pre-ticked), the
signed copy's page and download, the export of the book for a period."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from freezegun import freeze_time
from openpyxl import load_workbook

from motcua.core.models import DataAccessLog
from motcua.documents.certification import copy_certify
from motcua.documents.models import CertificationEntry
from tests.documents.samples import pdf_bytes
from tests.dossiers.helpers import World, vn

pytestmark = pytest.mark.django_db
NOW = vn(2026, 12, 2, 9, 0)


@pytest.fixture(autouse=True)
def _frozen():
    # one instant for the whole test: the staff session's idle limit never strikes
    with freeze_time(NOW):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**overrides):
    values = {
        "unit": "00070",
        "file": SimpleUploadedFile("scan.pdf", pdf_bytes(2), content_type="application/pdf"),
        "requester_name": "Nguyễn Văn An",
        "requester_id_number": "001090000123",
        "document_title": "Bằng tốt nghiệp đại học",
        "document_issuer": "Trường Đại học Bách khoa Hà Nội",
        "copies": "2",
        "fee_vnd": "4000",
        "compared_with_original": "on",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def _certify(world: World, n: int, *, now=NOW) -> CertificationEntry:
    return copy_certify(
        actor=world.officer,
        unit=world.ward,
        upload=io.BytesIO(pdf_bytes(1)),
        requester_name=f"Người Số {n}",
        requester_id_number=f"00109000{n:04d}",
        document_title=f"Giấy tờ {n}",
        document_issuer="UBND Phường Hoàn Kiếm",
        compared_with_original=True,
        now=now,
    )


def test_certify_a_copy_then_its_page_and_the_signed_file(world: World) -> None:
    client = _client(world.officer)
    with freeze_time(NOW):
        page = client.get("/workspace/certified-copies/new/").content.decode()
        # the confirmation is offered, never pre-ticked
        box = re.search(r'<input type="checkbox" id="id_compared_with_original"[^>]*>', page)
        assert box is not None
        assert "checked" not in box.group(0)
        response = client.post("/workspace/certified-copies/new/", _form())
    assert response.status_code == 302
    entry = CertificationEntry.objects.get()
    assert response["Location"] == f"/workspace/certified-copies/{entry.pk}/"
    assert (entry.book_number, entry.pages, entry.copies, entry.fee_vnd) == (
        "1/2026/SCT/BS",
        2,
        2,
        4000,
    )
    assert entry.officer == world.officer
    page = client.get(response["Location"]).content.decode()
    assert "Đã chứng thực bản sao, số chứng thực 1/2026/SCT/BS." in page
    code = entry.issued.code
    assert f"{code[:4]}-{code[4:]}" in page  # the verification code as printed
    assert f"/verify/{code}" in page
    download = client.get(f"/workspace/certified-copies/{entry.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        DataAccessLog.objects.filter(
            actor=world.officer, subject_type="certification_entry", purpose="certification_entry"
        ).count()
        == 2
    )  # the page and the download


def test_without_the_comparison_nothing_is_certified_and_the_box_stays_unticked(
    world: World,
) -> None:
    client = _client(world.officer)
    with freeze_time(NOW):
        response = client.post(
            "/workspace/certified-copies/new/", _form(compared_with_original=None)
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Chỉ chứng thực bản sao sau khi đã đối chiếu với bản chính" in body
    assert 'value="Nguyễn Văn An"' in body  # what was typed is kept
    box = re.search(r'<input type="checkbox" id="id_compared_with_original"[^>]*>', body)
    assert box is not None
    assert "checked" not in box.group(0)
    assert not CertificationEntry.objects.exists()


def test_at_home_needs_the_address_and_reason_and_service_refusals_land_on_fields(
    world: World,
) -> None:
    client = _client(world.officer)
    with freeze_time(NOW):
        missing = client.post("/workspace/certified-copies/new/", _form(at_home="on"))
        assert missing.status_code == 400
        assert "Khi chứng thực ngoài trụ sở, nhập trường này." in missing.content.decode()
        bad_id = client.post("/workspace/certified-copies/new/", _form(requester_id_number="x"))
        assert bad_id.status_code == 400
        assert 'href="#id_requester_id_number"' in bad_id.content.decode()
        assert not CertificationEntry.objects.exists()
        done = client.post(
            "/workspace/certified-copies/new/",
            _form(at_home="on", place_address="12 Hàng Bạc", place_reason="Người cao tuổi"),
        )
    assert done.status_code == 302
    entry = CertificationEntry.objects.get()
    assert (entry.at_home, entry.place_address, entry.place_reason) == (
        True,
        "12 Hàng Bạc",
        "Người cao tuổi",
    )


def test_the_book_newest_first_paginated_and_each_line_shown_logged(world: World) -> None:
    with freeze_time(NOW):
        entries = [_certify(world, n) for n in range(1, 28)]
    client = _client(world.officer)
    with freeze_time(NOW):
        page = client.get("/workspace/certified-copies/").content.decode()
    assert 'aria-current="page">Chứng thực bản sao</a>' in page
    numbers = re.findall(r">(\d+/2026/SCT/BS)</a>", page)
    assert numbers[:2] == ["27/2026/SCT/BS", "26/2026/SCT/BS"]
    assert len(numbers) == 25
    assert "Trang 1 / 2" in page
    logged = DataAccessLog.objects.filter(subject_type="certification_entry", actor=world.officer)
    assert logged.count() == 25
    assert f"{world.ward.pk}:27/2026/SCT/BS" in set(logged.values_list("subject_id", flat=True))
    second = client.get("/workspace/certified-copies/?page=2").content.decode()
    assert re.findall(r">(\d+/2026/SCT/BS)</a>", second) == ["2/2026/SCT/BS", "1/2026/SCT/BS"]
    assert entries[0].requester_name in second


def test_who_may_read_and_who_may_certify(world: World) -> None:
    with freeze_time(NOW):
        entry = _certify(world, 1)
    # a supervisor reads the book but is not offered the form, and may not certify
    supervisor = _client(world.supervisor)
    book = supervisor.get("/workspace/certified-copies/?unit=00070").content.decode()
    assert "1/2026/SCT/BS" in book
    assert "/workspace/certified-copies/new/" not in book
    assert supervisor.get("/workspace/certified-copies/new/").status_code == 403
    # a specialist is no reader; another ward's officer does not see this entry
    assert _client(world.specialist).get("/workspace/certified-copies/").status_code == 403
    other = _client(world.other_officer)
    assert "1/2026/SCT/BS" not in other.get("/workspace/certified-copies/").content.decode()
    assert other.get("/workspace/certified-copies/?unit=00070").status_code == 403
    assert other.get(f"/workspace/certified-copies/{entry.pk}/").status_code == 404
    assert other.get(f"/workspace/certified-copies/{entry.pk}/file/").status_code == 404
    with freeze_time(NOW):
        refused = other.post("/workspace/certified-copies/new/", _form())  # unit 00070
    assert refused.status_code == 403  # another ward's officer certifies nothing here
    assert CertificationEntry.objects.count() == 1


def test_export_the_book_for_a_period(world: World) -> None:
    _certify(world, 1, now=vn(2026, 11, 30, 9))
    _certify(world, 2)
    client = _client(world.officer)
    with freeze_time(NOW):
        xlsx = client.get(
            "/workspace/certified-copies/export/",
            {"unit": "00070", "start": "01/12/2026", "end": "31/12/2026", "format": "xlsx"},
        )
        assert xlsx.status_code == 200
        assert xlsx["Content-Disposition"] == (
            'attachment; filename="so-chung-thuc-00070-20261201-20261231.xlsx"'
        )
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert [r[1] for r in rows[1:]] == ["2/2026/SCT/BS"]
        csv_answer = client.get(
            "/workspace/certified-copies/export/",
            {"unit": "00070", "start": "01/11/2026", "end": "31/12/2026", "format": "csv"},
        )
        text = csv_answer.content.decode("utf-8-sig")
        assert [r[1] for r in list(csv.reader(io.StringIO(text)))[1:]] == [
            "1/2026/SCT/BS",
            "2/2026/SCT/BS",
        ]
        bad = client.get(
            "/workspace/certified-copies/export/",
            {"unit": "00070", "start": "31/12/2026", "end": "01/12/2026", "format": "csv"},
        )
    assert bad.status_code == 400
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in bad.content.decode()
    assert (
        DataAccessLog.objects.filter(
            subject_type="certification_book", channel="export", actor=world.officer
        ).count()
        == 2
    )
