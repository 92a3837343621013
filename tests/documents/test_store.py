"""Storing files: streamed, hashed, sniffed, checked; refused with a code and nothing stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader

from motcua.core.errors import ValidationError
from motcua.documents.models import StoredFile
from motcua.documents.services import (
    AntivirusUnavailable,
    documents_storage,
    file_name_sanitise,
    file_store,
    file_store_images_as_pdf,
    file_store_pdf,
)
from tests.factories import UserFactory

from .samples import EICAR, fake_clamd, free_port, image_bytes, pdf_bytes, stored_names

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _refused(code: str, data: bytes, name: str = "a.pdf", **kw: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        file_store(actor=None, upload=io.BytesIO(data), name=name, now=NOW, **kw)
    assert caught.value.code == code
    assert caught.value.errors == [
        {"field": "file", "code": code, "message": caught.value.render()}
    ]
    assert StoredFile.objects.count() == 0
    assert stored_names() == []
    return caught.value


def test_a_pdf_is_stored_with_its_facts_sniffed_from_the_bytes() -> None:
    # given a three-page PDF uploaded under a misleading name
    data = pdf_bytes(3)
    user = UserFactory()

    # when it is stored
    stored = file_store(
        actor=user,
        upload=SimpleUploadedFile("anh.png", data, "image/png"),
        name="anh.png",
        now=NOW,
    )

    # then the facts come from the bytes and the bytes are in the documents storage
    assert stored.content_type == "application/pdf"
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.pages == 3
    assert stored.name == "anh.png"
    assert stored.added_by == user
    assert stored.added_at == NOW
    assert stored.version == 1
    assert stored.scanned is False
    assert stored.storage_name.startswith("2026/03/")
    assert stored.storage_name.endswith(".pdf")
    with documents_storage().open(stored.storage_name) as handle:
        assert handle.read() == data


def test_images_are_one_page_and_a_new_version_points_at_the_old() -> None:
    first = file_store(actor=None, upload=io.BytesIO(image_bytes("JPEG")), name="a.jpg", now=NOW)
    second = file_store(
        actor=None, upload=io.BytesIO(image_bytes("PNG")), name="a.png", now=NOW, previous=first
    )

    assert (first.content_type, first.pages) == ("image/jpeg", 1)
    assert (second.content_type, second.pages, second.version) == ("image/png", 1, 2)
    assert second.previous == first


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\an\\giay khai sinh.pdf", "giay khai sinh.pdf"),
        ("to\x00khai\x1b\u202e.pdf", "tokhai.pdf"),
        ("  ..  ", "tep"),
        ("", "tep"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_names_lose_paths_and_control_characters(raw: str, clean: str) -> None:
    assert file_name_sanitise(raw) == clean


def test_a_path_in_the_name_is_sanitised_not_refused() -> None:
    stored = file_store(
        actor=None, upload=io.BytesIO(pdf_bytes()), name="../../x/ho so.pdf", now=NOW
    )

    assert stored.name == "ho so.pdf"
    assert "ho so" not in stored.storage_name


def test_bytes_of_another_type_are_refused_whatever_the_name() -> None:
    error = _refused("file_type_not_allowed", b"MZ\x90\x00 not a pdf", name="a.pdf")
    assert error.render() == "Loại tệp không được chấp nhận: chỉ nhận PDF, JPEG, PNG."


def test_a_type_the_component_does_not_allow_is_refused() -> None:
    error = _refused(
        "file_type_not_allowed", image_bytes("PNG"), name="a.png", allowed_types=["application/pdf"]
    )
    assert error.render() == "Loại tệp không được chấp nhận: chỉ nhận PDF."


def test_an_empty_file_is_refused() -> None:
    _refused("file_empty", b"")


def test_a_file_over_the_limit_is_refused_while_streaming() -> None:
    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            Counting.read_bytes += len(chunk)
            return chunk

    data = pdf_bytes(padding=300_000)
    upload = Counting(data)
    with pytest.raises(ValidationError) as caught:
        file_store(actor=None, upload=upload, name="a.pdf", now=NOW, max_bytes=100_000)

    assert caught.value.code == "file_too_large"
    assert caught.value.render() == "Tệp quá lớn: tối đa 100000 byte."
    assert Counting.read_bytes < 200_000  # it stopped reading soon after the limit
    assert StoredFile.objects.count() == 0


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    data = pdf_bytes()
    stored = file_store(
        actor=None, upload=io.BytesIO(data), name="a.pdf", now=NOW, max_bytes=len(data)
    )
    assert stored.size == len(data)


def test_an_encrypted_pdf_is_refused() -> None:
    _refused("pdf_encrypted", pdf_bytes(password="bimat"))


def test_a_broken_pdf_is_refused() -> None:
    _refused("pdf_broken", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")


def test_a_truncated_pdf_is_refused() -> None:
    _refused("pdf_broken", pdf_bytes(2)[:200])


def test_a_pdf_with_a_long_tail_after_its_end_is_refused_quickly() -> None:
    started = time.perf_counter()
    _refused("pdf_broken", pdf_bytes(extra=b"0" * 2_000_000))
    assert time.perf_counter() - started < 1.0


def test_a_broken_image_is_refused() -> None:
    _refused("image_broken", image_bytes("PNG")[:30], name="a.png")


def test_an_image_with_too_many_pixels_is_refused() -> None:
    with override_settings(MOTCUA_DOCUMENTS_MAX_IMAGE_PIXELS=100):
        error = _refused("image_too_large", image_bytes("PNG", size=(20, 10)), name="a.png")
    assert error.render() == "Ảnh có quá nhiều điểm ảnh (tối đa 100)."


def test_pillows_decompression_bomb_error_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # given Pillow's own limit far below ours (it raises past twice its limit)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)
    _refused("image_too_large", image_bytes("PNG", size=(20, 10)), name="a.png")


def test_an_infected_file_is_refused_by_clamd() -> None:
    with (
        fake_clamd() as clamd,
        override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=clamd.port),
    ):
        error = _refused("file_infected", pdf_bytes(extra=EICAR))
    assert error.render() == "Tệp có chứa mã độc (Eicar-Test-Signature) nên không được nhận."


def test_a_clean_file_is_scanned_and_stored() -> None:
    data = pdf_bytes()
    with (
        fake_clamd() as clamd,
        override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=clamd.port),
    ):
        stored = file_store(actor=None, upload=io.BytesIO(data), name="a.pdf", now=NOW)

    assert stored.scanned is True
    assert clamd.received == [data]


def test_a_clamd_that_does_not_answer_refuses_the_file() -> None:
    with (
        fake_clamd(answer=b"INSTREAM size limit exceeded. ERROR\0") as clamd,
        override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=clamd.port),
        pytest.raises(AntivirusUnavailable) as caught,
    ):
        file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="a.pdf", now=NOW)

    assert caught.value.status == 503
    assert StoredFile.objects.count() == 0
    assert stored_names() == []


def test_an_unreachable_clamd_refuses_the_file() -> None:
    port = free_port()
    with (
        override_settings(
            MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=port, MOTCUA_CLAMAV_TIMEOUT=2
        ),
        pytest.raises(AntivirusUnavailable),
    ):
        file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="a.pdf", now=NOW)
    assert StoredFile.objects.count() == 0


def test_scanned_pages_become_one_pdf_in_order() -> None:
    # given three images of different sizes, one with transparency
    pages = [
        SimpleUploadedFile("trang1.jpg", image_bytes("JPEG", size=(30, 10))),
        SimpleUploadedFile("trang2.png", image_bytes("PNG", size=(10, 40), mode="RGBA")),
        SimpleUploadedFile("trang3.png", image_bytes("PNG", size=(50, 20))),
    ]

    stored = file_store_images_as_pdf(actor=None, uploads=pages, name=None, now=NOW)

    assert stored.content_type == "application/pdf"
    assert stored.pages == 3
    assert stored.name == "trang1.pdf"
    with documents_storage().open(stored.storage_name) as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    widths = [round(float(p.mediabox.width) / float(p.mediabox.height), 2) for p in reader.pages]
    assert widths == [3.0, 0.25, 2.5]


def test_scanned_pages_that_are_not_images_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        file_store_images_as_pdf(
            actor=None,
            uploads=[io.BytesIO(image_bytes()), io.BytesIO(pdf_bytes())],
            name="x",
            now=NOW,
        )
    assert caught.value.code == "file_type_not_allowed"
    assert StoredFile.objects.count() == 0
    assert stored_names() == []


def test_no_scanned_pages_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        file_store_images_as_pdf(actor=None, uploads=[], name="x", now=NOW)
    assert caught.value.code == "images_required"


def test_a_pdf_motcua_laid_out_is_stored_with_the_page_count_it_gives() -> None:
    data = pdf_bytes(pages=2)
    stored = file_store_pdf(actor=None, data=data, name="ket-qua.pdf", now=NOW, pages=2)
    # then it is kept as given, not parsed again: the same bytes, hash and count
    assert (stored.pages, stored.size) == (2, len(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with documents_storage().open(stored.storage_name) as handle:
        assert handle.read() == data
    # and without a count it is parsed as before
    again = file_store_pdf(actor=None, data=data, name="ket-qua.pdf", now=NOW)
    assert again.pages == 2


def test_a_pdf_given_with_its_page_count_must_still_look_like_a_whole_pdf() -> None:
    before = stored_names()
    with pytest.raises(ValidationError) as caught:
        file_store_pdf(actor=None, data=pdf_bytes()[:-50], name="a.pdf", now=NOW, pages=1)
    assert caught.value.code == "pdf_broken"
    with pytest.raises(ValueError):
        file_store_pdf(
            actor=None, data=b"PK\x03\x04 not a pdf %%EOF", name="a.pdf", now=NOW, pages=1
        )
    assert stored_names() == before
