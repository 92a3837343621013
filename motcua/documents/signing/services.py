"""Signing a PDF: a PAdES signature with a visible stamp (unit, signer, time)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
import tempfile
import unicodedata
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko import stamp
from pyhanko.pdf_utils import generic, text
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.writer import BasePdfFileWriter, PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign._session_scope import run_and_release
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.sign.signers.pdf_signer import PdfSigningSession

from motcua.core.clock import format_vn_moment
from motcua.core.errors import ValidationError
from motcua.documents.signing import serialise
from motcua.documents.signing._sync import run_coroutine
from motcua.documents.signing.base import Signer
from motcua.documents.signing.fonts import FastGlyphAccumulatorFactory, SharedFontEngine

serialise.install()

# fontTools logs every subset at INFO (long glyph lists): keep it to warnings.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FIELD_PREFIX = "motcua-signature"
# The stamp: bottom-left of the last page, in PDF points (1/72 inch); each later signature's
# stamp sits STAMP_STEP higher, so that none covers another.
STAMP_BOX = (36, 36, 316, 112)
STAMP_STEP = 84
SIGNATURE_BYTES = 16 * 1024
STAMP_TEXT = "%(unit)s\nNgười ký: %(signer)s\nThời gian ký: %(when)s"


# What the stamp and motcua's PDFs can print: Latin-1 (° § ×), Latin Extended-A/B (ơ, ư, đ),
# combining marks and the Vietnamese block of Latin Extended Additional, dashes, quotes, the
# ellipsis and the bullet, the đồng and euro signs and the numero sign (№).
VIETNAMESE_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1EFA),
    *range(0x2010, 0x2027),
    0x20AB,
    0x20AC,
    0x2116,
]


@functools.lru_cache(maxsize=4)
def vietnamese_font(font_path: str) -> str:
    """The configured font cut down once per process to `VIETNAMESE_UNICODES`.

    Every document embeds only the glyphs it uses (`signing.fonts`, which reads this file
    once per process); starting from a few hundred glyphs instead of DejaVu's six thousand,
    without layout tables, keeps that and the font's tables small.
    Refuses a font that lacks a Vietnamese letter (`font_incomplete`).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(font_path)
    cmap = font.getBestCmap()
    missing = [c for c in (0x1EA0, 0x1EF9, 0x01A1, 0x01B0, 0x0111) if c not in cmap]
    if missing:
        raise ValidationError(
            _("Phông chữ ký số %(font)s thiếu chữ tiếng Việt."),
            code="font_incomplete",
            font=font_path,
        )
    options = subset.Options()
    # No OpenType layout tables: the stamp's text is NFC (precomposed letters), so no mark
    # positioning is needed, and re-reading GPOS was most of the per-signature cost.
    options.layout_features = []
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "MATH", "FFTM"]
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=VIETNAMESE_UNICODES)
    subsetter.subset(font)
    # pyHanko writes the widths (/W) and metrics in font units, which PDF reads as 1/1000 em:
    # right only for a 1000-unit em. DejaVu and Liberation have 2048, so scale once here.
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    handle, name = tempfile.mkstemp(prefix="motcua-stamp-font-", suffix=".ttf")
    with os.fdopen(handle, "wb") as out:
        font.save(out)
    return name


def _stamp_style_with(font: FontEngineFactory) -> stamp.TextStampStyle:
    return stamp.TextStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=text.TextBoxStyle(font=font, font_size=9, leading=12),
        border_width=1,
        background=None,
    )


@functools.lru_cache(maxsize=4)
def _stamp_style(font_path: str) -> stamp.TextStampStyle:
    # An OpenType font with every Vietnamese glyph (DejaVu Sans by default).
    return _stamp_style_with(FastGlyphAccumulatorFactory(vietnamese_font(font_path)))


class _DatedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is the service's `now`, not the wall clock."""

    def __init__(self, *args: Any, signing_time: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: Any, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _modified_at(writer: BasePdfFileWriter, now: dt.datetime) -> None:
    """The file's /ModDate is `now` (the signing time), not the wall clock pyHanko's writer
    stamps it with (its `_update_meta` sets "now" whatever the metadata says): the
    document's information dictionary is dated as its signature is. A fresh document is
    created then too (/CreationDate)."""
    original = writer._update_meta
    if not writer.document_meta.created and not isinstance(writer, IncrementalPdfFileWriter):
        writer.document_meta.created = now

    def dated() -> None:
        original()
        info = writer._info.get_object() if writer._info is not None else None
        if info is not None and "/ModDate" in info:
            info["/ModDate"] = generic.pdf_date(now)

    writer._update_meta = dated  # type: ignore[method-assign]


def _box(existing: int) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = STAMP_BOX
    return (x1, y1 + existing * STAMP_STEP, x2, y2 + existing * STAMP_STEP)


def stamp_time(now: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh, as printed on the stamp."""
    return format_vn_moment(now)


def document_sign(
    *,
    pdf: bytes | BinaryIO,
    signer: Signer,
    unit_name: str,
    signer_name: str,
    reason: str,
    now: dt.datetime,
) -> bytes:
    """Sign `pdf` (PAdES baseline B, no TSA) with a visible stamp; returns the signed PDF.

    The signing time is `now` (the CMS signingTime attribute and the stamp). Refuses a file
    that is not a readable PDF (`not_a_pdf`).
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime: motcua only handles aware datetimes")
    source = io.BytesIO(pdf) if isinstance(pdf, bytes | bytearray) else pdf
    try:
        writer = IncrementalPdfFileWriter(source, strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
        existing = len(writer.prev.embedded_signatures)
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise ValidationError(
            _("Tệp không phải PDF đọc được nên không ký được."), code="not_a_pdf"
        ) from exc
    return _sign_with(
        writer=writer,
        pages=pages,
        existing=existing,
        signer=signer,
        unit_name=unit_name,
        signer_name=signer_name,
        reason=reason,
        now=now,
    )


def writer_sign(
    *,
    writer: PdfFileWriter,
    pages: int,
    font: FontEngine | None = None,
    signer: Signer,
    unit_name: str,
    signer_name: str,
    reason: str,
    now: dt.datetime,
) -> bytes:
    """`document_sign` for a document motcua is writing (`writer`, fresh, unsigned, `pages`
    pages), in one pass: pyHanko's signer adds the same field, stamp and signature
    dictionary to this writer, writes the whole file once with the /ByteRange and
    /Contents placeholders, digests it and fills the CMS in. The result has one revision
    instead of the laid-out file plus an incremental update that had to parse it again
    (docs/adr/0028-one-pass-signing.md). `font`, the engine of the document's text (the
    stamp's font), draws the stamp too: one embedded subset instead of two."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: motcua only handles aware datetimes")
    if isinstance(writer, IncrementalPdfFileWriter) or "/AcroForm" in writer.root:
        raise ValueError("writer_sign signs a fresh document; use document_sign")
    return _sign_with(
        writer=writer,
        pages=pages,
        existing=0,
        stamp_style=None if font is None else _stamp_style_with(SharedFontEngine(font)),
        signer=signer,
        unit_name=unit_name,
        signer_name=signer_name,
        reason=reason,
        now=now,
    )


def _sign_with(
    *,
    writer: BasePdfFileWriter,
    pages: int,
    existing: int,
    signer: Signer,
    unit_name: str,
    signer_name: str,
    reason: str,
    now: dt.datetime,
    stamp_style: stamp.TextStampStyle | None = None,
) -> bytes:
    field_name = f"{FIELD_PREFIX}-{existing + 1}"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=signer_name,
        location=unit_name,
    )
    _modified_at(writer, now)
    pdf_signer = _DatedPdfSigner(
        meta,
        signer=signer.pyhanko_signer(),
        stamp_style=stamp_style or _stamp_style(str(settings.MOTCUA_SIGNING_FONT)),
        new_field_spec=SigFieldSpec(field_name, on_page=pages - 1, box=_box(existing)),
        signing_time=now,
    )
    # what `pdf_signer.sign_pdf` does, on the thread's reused event loop (`_sync`)
    out = run_coroutine(
        run_and_release(
            pdf_signer.async_sign_pdf(
                writer,
                # A fixed room for the CMS blob skips pyHanko's estimate (a dry-run signature:
                # a third of the time); RSA 4096 with a three-certificate chain stays well
                # under it.
                bytes_reserved=SIGNATURE_BYTES,
                appearance_text_params={
                    "unit": unicodedata.normalize("NFC", unit_name),
                    "signer": unicodedata.normalize("NFC", signer_name),
                    "when": stamp_time(now),
                },
            ),
            meta.validation_context,
        )
    )
    return out.getvalue()
