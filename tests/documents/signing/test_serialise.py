"""`signing.serialise` writes what pyHanko writes: each name, the /W array, and a whole
signed document byte for byte (docs/adr/0030-faster-pdf-serialisation.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import random

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.metadata import info
from pyhanko.pdf_utils.misc import PdfWriteError

from motcua.documents.pdf import text_pdf_signed
from motcua.documents.signing import serialise
from motcua.documents.signing.validation import document_validate

from .test_one_pass import LAYOUT, SIGNATURE


def _pyhankos_serialiser(patch: pytest.MonkeyPatch) -> None:
    """pyHanko's own writers back in place of `serialise`'s, for the rest of `patch`."""
    patch.setattr(generic.NameObject, "write_to_stream", serialise._original_name_write)
    patch.setattr(generic.DictionaryObject, "write_to_stream", serialise._original_dict_write)
    patch.setattr(generic.ArrayObject, "write_to_stream", serialise._original_array_write)
    patch.setattr(serialise.NumberArray, "write_to_stream", serialise._original_array_write)


def _original(obj: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    if isinstance(obj, generic.NameObject):
        serialise._original_name_write(obj, out)
    else:
        with pytest.MonkeyPatch.context() as patch:
            _pyhankos_serialiser(patch)
            obj.write_to_stream(out)
    return out.getvalue()


def _written(obj: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name",
    ["/Type", "/F1", "/ByteRange", "/A#B", "/Tên", "/a b", "/x(y)", "/Adobe-Identity-UCS2"],
)
def test_a_name_is_written_as_pyhanko_writes_it(name):
    serialise.install()
    obj = generic.NameObject(name)
    assert _written(obj) == _original(obj)
    assert _written(obj) == _original(obj)  # remembered


def test_a_name_without_its_slash_is_still_refused():
    serialise.install()
    with pytest.raises(PdfWriteError):
        _written(generic.NameObject("Type"))


def test_a_number_array_is_written_as_an_array_object():
    inner = generic.ArrayObject([generic.NumberObject(n) for n in (600, 0, -12, 1000)])
    items = [generic.NumberObject(3), inner, generic.NumberObject(40), generic.ArrayObject()]
    packed = serialise.NumberArray(items)
    assert _written(packed) == _written(generic.ArrayObject(items))
    assert _written(packed) == b"[ 3 [ 600 0 -12 1000 ] 40 [ ] ]"
    odd = serialise.NumberArray([generic.FloatObject("1.5"), generic.NameObject("/X")])
    assert _written(odd) == _written(generic.ArrayObject(odd))


class _Placeholder(generic.PdfObject):
    """An object with a writer of its own that notes where the stream stands (as the
    signature's /ByteRange and /Contents placeholders do)."""

    def __init__(self) -> None:
        self.at: list[int] = []

    def write_to_stream(self, stream, handler=None, container_ref=None):
        self.at.append(stream.tell())
        stream.write(b"<placeholder>")


def _every_kind() -> generic.DictionaryObject:
    name = generic.NameObject
    inner = generic.DictionaryObject(
        {
            name("/Registry"): generic.TextStringObject("Adobe"),
            name("/Supplement"): generic.NumberObject(0),
        }
    )
    forced = generic.TextStringObject("abc")
    forced.force_output_encoding = generic.TextStringEncoding.UTF16BE
    return generic.DictionaryObject(
        {
            name("/Type"): name("/Font"),
            name("/N"): generic.NumberObject(-12),
            name("/F"): generic.FloatObject("0.5"),
            name("/G"): generic.FloatObject("3.000"),
            name("/Ref"): generic.IndirectObject(7, 0, None),
            name("/On"): generic.BooleanObject(True),
            name("/Off"): generic.BooleanObject(False),
            name("/Nil"): generic.NullObject(),
            name("/Bytes"): generic.ByteStringObject(b"\x00\xffsig"),
            name("/Text"): generic.TextStringObject("Nguyễn Thị Hằng (ký) \\ 100%"),
            name("/Latin"): generic.TextStringObject("Reason: a/b"),
            name("/Forced"): forced,
            name("/Info"): inner,
            name("/Kids"): generic.ArrayObject(
                [generic.NumberObject(1), generic.ArrayObject(), inner, name("/A#B")]
            ),
            name("/W"): serialise.NumberArray([generic.NumberObject(3), serialise.NumberArray()]),
            name("/Sub"): generic.StreamObject(stream_data=b"x"),
        }
    )


def test_dictionaries_and_arrays_are_written_as_pyhanko_writes_them():
    serialise.install()
    obj = _every_kind()
    written = _written(obj)
    assert written == _original(obj)
    assert written == _written(obj)  # the text strings remembered
    assert b"/Text (\\376\\377" in written  # UTF-16BE, escaped as pyHanko escapes it
    items = generic.ArrayObject([obj, generic.NumberObject(2)])
    assert _written(items) == _original(items)


def test_an_object_with_its_own_writer_is_written_in_its_place():
    serialise.install()
    name = generic.NameObject
    first, second = _Placeholder(), _Placeholder()
    obj = generic.DictionaryObject(
        {
            name("/Type"): name("/Sig"),
            name("/ByteRange"): first,
            name("/Kids"): generic.ArrayObject([generic.NumberObject(1), second]),
            name("/Contents"): generic.NumberObject(5),
        }
    )
    out = io.BytesIO(b"%PDF")
    out.seek(4)
    obj.write_to_stream(out)
    fast = out.getvalue()
    plain = io.BytesIO(b"%PDF")
    plain.seek(4)
    with pytest.MonkeyPatch.context() as patch:
        _pyhankos_serialiser(patch)
        obj.write_to_stream(plain)
    assert fast == plain.getvalue()
    assert first.at[0] == first.at[1] == fast.index(b"<placeholder>")
    assert second.at[0] == second.at[1] == fast.rindex(b"<placeholder>")


def test_an_encrypted_dictionary_goes_through_pyhanko(monkeypatch):
    serialise.install()
    calls = []
    monkeypatch.setattr(serialise, "_original_dict_write", lambda *args: calls.append(args[2:]))
    obj = generic.DictionaryObject({generic.NameObject("/A"): generic.NumberObject(1)})
    handler, ref = object(), generic.Reference(3, 0)
    obj.write_to_stream(io.BytesIO(), handler, ref)
    assert calls == [(handler, ref)]


class _Frozen(dt.datetime):
    """The wall clock pyHanko writes as the file's /ModDate, held still."""

    @classmethod
    def now(cls, tz=None):
        return SIGNATURE["now"].astimezone(tz)


def _signed(hoankiem, monkeypatch) -> bytes:
    random.seed(7)  # the font subset's prefix
    monkeypatch.setattr(os, "urandom", lambda n: b"\x01" * n)  # the file's /ID
    monkeypatch.setattr(info, "datetime", _Frozen)  # its /ModDate
    signed, _pages = text_pdf_signed(**LAYOUT, signer=hoankiem, **SIGNATURE)
    monkeypatch.undo()
    return signed


def test_a_signed_document_is_the_same_bytes_as_with_pyhankos_serialiser(
    signing_settings, hoankiem, monkeypatch
):
    serialise.install()
    fast = _signed(hoankiem, monkeypatch)
    with monkeypatch.context() as patch:
        _pyhankos_serialiser(patch)
        plain = _signed(hoankiem, patch)
    assert fast == plain
    assert b"/W [ " in fast
    assert b"/ModDate (D\\07220261201" in fast  # held still (else a second may pass)
    report = document_validate(pdf=fast)
    assert report.ok is True
    [check] = report.signatures
    assert (check.integrity, check.coverage) == ("intact", "ENTIRE_FILE")


def test_a_signed_document_is_the_same_bytes_as_with_pyhankos_font_dictionaries(
    signing_settings, hoankiem, monkeypatch
):
    """`FastGlyphAccumulator.prepare_write` (its own /W and ToUnicode) against pyHanko's,
    for a document's own glyphs (the common tables left out: the next test has them)."""
    from motcua.documents.signing import fonts
    from motcua.documents.signing.fonts import FastGlyphAccumulator

    serialise.install()
    with monkeypatch.context() as patch:
        # the common font file still (both runs embed it), no common /W or ToUnicode
        common = fonts._FontProgram.common_tables
        patch.setattr(
            fonts._FontProgram,
            "common_tables",
            lambda self: dataclasses.replace(common(self), characters={}),
        )
        fast = _signed(hoankiem, patch)
    with monkeypatch.context() as patch:
        patch.setattr(
            FastGlyphAccumulator, "prepare_write", FastGlyphAccumulator.prepare_write_pyhanko
        )
        plain = _signed(hoankiem, patch)
    assert fast == plain
    assert document_validate(pdf=fast).ok is True


def test_a_document_of_common_glyphs_writes_the_common_widths_and_tounicode(
    signing_settings, hoankiem, monkeypatch
):
    """Its /W and ToUnicode are the common subset's (made once, a superset of its own): the
    text reads back, the signature validates; a rarer letter makes its own again."""
    import io as _io

    from pypdf import PdfReader

    from motcua.documents.pdf import Block, text_pdf
    from motcua.documents.signing.fonts import font_program

    serialise.install()
    signed = _signed(hoankiem, monkeypatch)
    assert document_validate(pdf=signed).ok is True
    from django.conf import settings

    from motcua.documents.signing.services import vietnamese_font

    program = font_program(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    assert program is not None
    common = program.common_tables()

    def font_of(pdf: bytes):  # type: ignore[no-untyped-def]
        page = PdfReader(_io.BytesIO(pdf)).pages[0]
        return page, page["/Resources"]["/Font"]["/F1"]

    text = "Số tiền: Một triệu hai trăm năm mươi nghìn đồng (1.250.000 đ)"
    page, font = font_of(text_pdf(blocks=[Block(text)]))
    assert font["/ToUnicode"].get_data() == common.tounicode
    assert font["/DescendantFonts"][0]["/W"] == list(common.widths)
    assert " ".join(page.extract_text().split()) == text
    page, font = font_of(text_pdf(blocks=[Block("Ā mega")]))
    assert font["/ToUnicode"].get_data() != common.tounicode
    assert " ".join(page.extract_text().split()) == "Ā mega"


class _Mappings:
    """What pyHanko's ToUnicode is made from: a glyph accumulator's cid -> text."""

    def __init__(self, mapping: dict[int, str]) -> None:
        self._cid_to_unicode = mapping


@pytest.mark.parametrize("seed", range(40))
def test_the_tounicode_cmap_and_the_widths_are_pyhankos(seed):
    from pyhanko.pdf_utils.font import opentype

    from motcua.documents.signing.fonts import tounicode_cmap, widths_array

    draw = random.Random(seed)
    cids = draw.sample(range(1, 400 if seed % 2 else 4000), draw.randint(1, 330))
    if seed % 5 == 0:  # long runs (blocks of more than 100 ranges or chars)
        cids = sorted(set(cids) | set(range(500, 500 + draw.randint(1, 300))))
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyÀẢẠẤẦỹỷ0123456789 .,:()/-🙂中"
    mapping = {cid: draw.choice(alphabet) for cid in cids}
    stream = opentype.GlyphAccumulator._format_tounicode_cmap(_Mappings(mapping))
    assert tounicode_cmap(mapping) == stream.data
    glyphs = {cid: (cid, draw.randint(0, 2048)) for cid in cids}
    by_cid = iter(sorted(glyphs.values(), key=lambda t: t[0]))

    class _CIDFont(dict):
        name = "X"

        def embed(self, writer, obj_stream=None):
            return None

    class _Writer:
        def add_object(self, obj, obj_stream=None):
            return generic.NullObject()

    cidfont = _CIDFont()
    opentype._build_type0_font_from_cidfont(_Writer(), cidfont, by_cid, False)
    assert _written(widths_array(glyphs.values())) == _written(generic.ArrayObject(cidfont["/W"]))
