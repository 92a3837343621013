"""`signing.serialise` writes what pyHanko writes: each name, the /W array, and a whole
signed document byte for byte (docs/adr/0030-faster-pdf-serialisation.md)."""

from __future__ import annotations

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


def _original(obj: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    if isinstance(obj, generic.NameObject):
        serialise._original_name_write(obj, out)
    else:
        assert isinstance(obj, generic.ArrayObject)
        generic.ArrayObject.write_to_stream(obj, out)
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
        patch.setattr(generic.NameObject, "write_to_stream", serialise._original_name_write)
        patch.setattr(serialise.NumberArray, "write_to_stream", generic.ArrayObject.write_to_stream)
        plain = _signed(hoankiem, patch)
    assert fast == plain
    assert b"/W [ " in fast
    assert b"/ModDate (D\\07220261201" in fast  # held still (else a second may pass)
    report = document_validate(pdf=fast)
    assert report.ok is True
    [check] = report.signatures
    assert (check.integrity, check.coverage) == ("intact", "ENTIRE_FILE")
