"""A document motcua lays out is signed as it is written (`text_pdf_signed`, one revision):
the same signature as `document_sign` gives the same file after an incremental update, read
as valid by pyHanko's validator and by poppler's pdfsig, and a changed byte is caught."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import shutil
import subprocess
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter

from motcua.documents.pdf import Block, text_pdf_pages, text_pdf_signed
from motcua.documents.signing.services import document_sign, writer_sign
from motcua.documents.signing.validation import document_validate

from .test_sign import _actual_texts

NOW = dt.datetime(2026, 12, 1, 8, 5, tzinfo=dt.UTC)  # 15:05 in Hà Nội
LAYOUT: dict[str, Any] = {
    "blocks": [Block("BIÊN LAI THU PHÍ, LỆ PHÍ", size=14, centred=True), Block("Ban sao")],
    "qr_data": "https://dichvucong.example.vn/verify/7K3MZQ2R/",
    "qr_caption": "Mã: 7K3M-ZQ2R",
}
SIGNATURE: dict[str, Any] = {
    "unit_name": "UBND Phường Hoàn Kiếm",
    "signer_name": "Nguyễn Thị Hằng",
    "reason": "Lập biên lai điện tử thu phí, lệ phí",
    "now": NOW,
}


def _font_refs(pdf: bytes) -> dict[str, int]:
    """The object numbers of the page's font and of the stamp's font."""
    reader = PdfFileReader(io.BytesIO(pdf))
    page = reader.root["/Pages"]["/Kids"][0]
    field = reader.root["/AcroForm"]["/Fields"][0]
    stamp = field["/AP"]["/N"]
    return {
        "page": page["/Resources"]["/Font"].raw_get("/F1").idnum,
        "stamp": stamp["/Resources"]["/Font"].raw_get("/F1").idnum,
    }


@pytest.fixture(scope="module")
def one_pass(hoankiem) -> bytes:
    signed, pages = text_pdf_signed(**LAYOUT, signer=hoankiem, **SIGNATURE)
    assert pages == 1
    return signed


def test_one_pass_signing_validates_like_an_incremental_signature(
    signing_settings, hoankiem, one_pass
):
    # one revision: one cross-reference section, one end of file
    assert one_pass.count(b"%%EOF") == 1
    report = document_validate(pdf=one_pass)
    assert report.ok is True
    [check] = report.signatures
    assert (check.signer_unit, check.signing_time, check.trusted) == ("00070", NOW, True)
    assert (check.integrity, check.coverage) == ("intact", "ENTIRE_FILE")
    assert check.modification_level == "NONE"
    # and the signature's fields are those document_sign writes on the same layout
    incremental = document_sign(pdf=text_pdf_pages(**LAYOUT)[0], signer=hoankiem, **SIGNATURE)
    mine = PdfFileReader(io.BytesIO(one_pass)).embedded_signatures[0]
    theirs = PdfFileReader(io.BytesIO(incremental)).embedded_signatures[0]
    assert mine.field_name == theirs.field_name == "motcua-signature-1"
    for key in ("/SubFilter", "/Reason", "/Location", "/Name", "/M", "/Filter"):
        assert mine.sig_object[key] == theirs.sig_object[key], key
    assert mine.signer_cert.dump() == theirs.signer_cert.dump()
    field = PdfFileReader(io.BytesIO(one_pass)).root["/AcroForm"]["/Fields"][0]
    assert [float(v) for v in field["/Rect"]] == [36.0, 36.0, 316.0, 112.0]
    assert _actual_texts(field["/AP"]["/N"].data) == [
        "UBND Phường Hoàn Kiếm",
        "Người ký: Nguyễn Thị Hằng",
        "Thời gian ký: 01/12/2026 15:05",
    ]
    # the stamp is drawn with the page's font: one embedded subset holds the glyphs of both
    fonts = _font_refs(one_pass)
    assert fonts["page"] == fonts["stamp"]
    fonts = _font_refs(incremental)
    assert fonts["page"] != fonts["stamp"]  # document_sign's stamp brings its own subset


def test_a_changed_byte_of_a_one_pass_signature_is_caught(signing_settings, one_pass):
    tampered = bytearray(one_pass)
    tampered[tampered.index(b"Span")] = ord("X")
    report = document_validate(pdf=bytes(tampered))
    assert report.ok is False


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_pdfsig_reads_a_one_pass_signature_as_valid(one_pass, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(one_pass)
    (tmp_path / "home").mkdir()

    def pdfsig() -> str:
        done = subprocess.run(
            ["pdfsig", "-no-ocsp", str(path)],
            env={**os.environ, "HOME": str(tmp_path / "home")},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.stdout + done.stderr

    out = pdfsig()
    assert "Signer Certificate Common Name: Phường Hoàn Kiếm (DEMO)" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Total document signed" in out
    assert "Signature Validation: Signature is Valid." in out
    tampered = bytearray(one_pass)
    tampered[tampered.index(b"Span")] = ord("X")
    path.write_bytes(bytes(tampered))
    assert "Signature Validation: Digest Mismatch." in pdfsig()


def test_writer_sign_refuses_a_writer_that_already_has_a_form(hoankiem):
    writer = PdfFileWriter()
    writer.root["/AcroForm"] = writer.add_object(generic.DictionaryObject())
    with pytest.raises(ValueError):
        writer_sign(writer=writer, pages=1, signer=hoankiem, **SIGNATURE)


def _garbage_after_signing(hoankiem) -> int:
    """How many objects the collector finds left in reference cycles by one signature."""
    gc.collect()
    gc.disable()
    try:
        text_pdf_signed(**LAYOUT, signer=hoankiem, **SIGNATURE)
        return gc.collect()
    finally:
        gc.enable()


def test_a_signed_documents_writer_is_released_without_the_collector(
    signing_settings, hoankiem, monkeypatch
):
    """`writer_release` breaks the writer's cycles: its objects go with their last reference,
    not at the collector's next pass (pyHanko's own few cycles are left)."""
    from motcua.documents import pdf

    text_pdf_signed(**LAYOUT, signer=hoankiem, **SIGNATURE)  # warm: caches filled
    released = _garbage_after_signing(hoankiem)
    monkeypatch.setattr(pdf, "writer_release", lambda writer: None)
    kept = _garbage_after_signing(hoankiem)
    assert kept > 150
    assert released < kept / 3


def test_a_released_writer_is_empty(signing_settings):
    from motcua.documents.pdf import writer_release

    writer = PdfFileWriter()
    writer.add_object(generic.DictionaryObject())
    writer_release(writer)
    assert writer.objects == {}
    assert writer._resolves_objs_from == ()


def test_the_file_is_dated_by_the_signing_time_not_the_wall_clock(one_pass, hoankiem) -> None:
    """/ModDate and /CreationDate are `now` (15:05 in Hà Nội), as the signature's /M is."""
    info = PdfFileReader(io.BytesIO(one_pass)).trailer["/Info"]
    assert str(info["/ModDate"]).startswith("D:20261201")
    assert generic.parse_pdf_date(str(info["/ModDate"])) == NOW
    assert generic.parse_pdf_date(str(info["/CreationDate"])) == NOW
    # a document signed again later (an incremental update) is modified then
    later = NOW + dt.timedelta(days=3)
    again = document_sign(pdf=one_pass, signer=hoankiem, **{**SIGNATURE, "now": later})
    info = PdfFileReader(io.BytesIO(again)).trailer["/Info"]
    assert generic.parse_pdf_date(str(info["/ModDate"])) == later
    assert generic.parse_pdf_date(str(info["/CreationDate"])) == NOW
