from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.errors import ValidationError
from motcua.documents.signing.services import document_sign, stamp_time

NOW = dt.datetime(2026, 12, 1, 8, 5, tzinfo=dt.UTC)  # 15:05 in Hà Nội


def _sign(signer, pdf, **kwargs):
    params = {
        "unit_name": "UBND Phường Hoàn Kiếm",
        "signer_name": "Nguyễn Thị Hằng",
        "reason": "Chứng thực bản sao điện tử từ bản chính",
        "now": NOW,
    }
    params.update(kwargs)
    return document_sign(pdf=pdf, signer=signer, **params)


def _actual_texts(stream: bytes) -> list[str]:
    texts = []
    for raw in re.findall(rb"/ActualText \((.*?)\)\s*>>", stream, re.S):
        unescaped = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        unescaped = re.sub(rb"\\(.)", rb"\1", unescaped)
        texts.append(unescaped.decode("utf-16"))
    return texts


def test_document_sign_makes_a_pades_signature_at_the_given_time(hoankiem, one_page):
    signed = _sign(hoankiem, one_page)
    # then the original bytes are kept (incremental update) and one signature is added
    assert signed.startswith(one_page)
    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert sig.field_name == "motcua-signature-1"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig.sig_object["/Reason"] == "Chứng thực bản sao điện tử từ bản chính"
    assert sig.sig_object["/Location"] == "UBND Phường Hoàn Kiếm"
    assert sig.self_reported_timestamp == NOW
    assert sig.signer_cert.subject.native["common_name"] == "Phường Hoàn Kiếm (DEMO)"


def test_the_stamp_shows_unit_signer_and_local_time_in_vietnamese(hoankiem, one_page):
    signed = _sign(hoankiem, one_page)
    reader = PdfFileReader(io.BytesIO(signed))
    field = reader.root["/AcroForm"]["/Fields"][0]
    appearance = field["/AP"]["/N"]
    # then the stamp (on the last page, in its box) prints the three lines
    assert [float(v) for v in field["/Rect"]] == [36.0, 36.0, 316.0, 112.0]
    assert _actual_texts(appearance.data) == [
        "UBND Phường Hoàn Kiếm",
        "Người ký: Nguyễn Thị Hằng",
        "Thời gian ký: 01/12/2026 15:05",
    ]
    # with an embedded font that has every glyph (no .notdef, gid 0, in the text)
    font = appearance["/Resources"]["/Font"]["/F1"]
    assert font["/BaseFont"].endswith("DejaVuSans-Identity-H")
    hex_runs = re.findall(rb"<([0-9a-f]+)>", appearance.data)
    glyphs = [run[i : i + 4] for run in hex_runs for i in range(0, len(run), 4)]
    assert glyphs
    assert b"0000" not in glyphs
    # and widths in thousandths of an em (a 2048-unit em would print 'H' 1,540 wide; the
    # common subset's widest, the em dash and the ellipsis, are one em)
    widths = list(font["/DescendantFonts"][0]["/W"])
    assert max(w for entry in widths[1::2] for w in entry) <= 1000


def test_decomposed_vietnamese_is_printed_precomposed(hoankiem, one_page):
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Ha\u0306\u0300ng"
    signed = _sign(hoankiem, one_page, signer_name=decomposed)
    field = PdfFileReader(io.BytesIO(signed)).root["/AcroForm"]["/Fields"][0]
    assert _actual_texts(field["/AP"]["/N"].data)[1] == "Người ký: Nguyễn Thị Hằng"


def test_stamp_time_is_hanoi_local():
    assert stamp_time(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)) == "01/01/2027 00:30"


def test_document_sign_accepts_a_file_object(hoankiem, one_page):
    signed = _sign(hoankiem, io.BytesIO(one_page))
    assert signed.startswith(one_page)
    assert len(PdfFileReader(io.BytesIO(signed)).embedded_signatures) == 1


def test_document_sign_refuses_what_is_not_a_pdf(hoankiem):
    with pytest.raises(ValidationError) as raised:
        _sign(hoankiem, b"not a pdf at all")
    assert raised.value.code == "not_a_pdf"


def test_document_sign_refuses_a_naive_time(hoankiem, one_page):
    with pytest.raises(ValueError, match="naive"):
        _sign(hoankiem, one_page, now=dt.datetime(2026, 12, 1, 8, 5))


def test_signing_and_validating_work_inside_a_running_event_loop(
    hoankiem, one_page, signing_settings
):
    # pyHanko's synchronous calls run their own event loop; an ASGI server (or Playwright's
    # synchronous API in the browser tests) already runs one in the thread.
    from motcua.documents.signing.validation import document_validate

    async def inside() -> tuple[bytes, object]:
        signed = _sign(hoankiem, one_page)
        return signed, document_validate(pdf=signed)

    # A thread of its own runs the loop: this test process may already run one (Playwright).
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed, report = pool.submit(asyncio.run, inside()).result()
    assert len(PdfFileReader(io.BytesIO(signed)).embedded_signatures) == 1
    assert report.ok is True
