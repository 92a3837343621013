"""Plain generated PDFs (a result, a refusal to settle, a receipt): A4 pages of wrapped
Vietnamese text and ruled tables (`Table`: a receipt's items), written with pyHanko's own PDF
writer and the signing stamp's font (DejaVu Sans cut down to the Vietnamese repertoire,
`signing.services.vietnamese_font`), so no extra dependency.

`text_pdf` is the one place a generated document is laid out: when an HTML-to-PDF renderer
(WeasyPrint, for the official forms) is available, a caller can swap it for a template
without touching the services. The bottom of the last page is kept free for the signature
stamp (`signing.services.STAMP_BOX`), and a QR code (segno, drawn as vector squares) can sit
at its right.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from motcua.documents.qr import qr_matrix_fast
from motcua.documents.signing.base import Signer
from motcua.documents.signing.fonts import FastGlyphAccumulator, FastGlyphAccumulatorFactory
from motcua.documents.signing.services import vietnamese_font, writer_sign

PAGE = (595, 842)  # A4 in points
MARGIN_X = 72
TOP = 790
#: Below this the last page is left to the signature stamp and the QR code.
BOTTOM = 140
QR_BOX = (455, 36, 545, 126)


@dataclass(frozen=True)
class Block:
    """A paragraph: its text (wrapped to the page width), size in points, centred or not,
    and the space before it."""

    text: str
    size: int = 11
    centred: bool = False
    space_before: int = 4


@dataclass(frozen=True)
class Column:
    """A table column: its heading, its width in points and how its cells align
    (`left`, `right` or `centre`)."""

    heading: str
    width: float
    align: str = "left"


@dataclass(frozen=True)
class Table:
    """A ruled table: a heading row (repeated on a new page), rows of cells wrapped within
    their column, then footer rows (a total). Columns wider than the page are the caller's
    mistake; each row has one cell per column."""

    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    footer: Sequence[Sequence[str]] = ()
    size: int = 10
    space_before: int = 8


def _engine(writer: PdfFileWriter) -> Any:
    factory = FastGlyphAccumulatorFactory(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    return factory.create_font_engine(writer)


def _width(engine: Any, text: str, size: int) -> float:
    if not text:
        return 0.0
    if isinstance(engine, FastGlyphAccumulator):
        return engine.advance(text) * size
    engine.font_size = size
    return float(engine.shape(text).x_advance) * size


def _wrap(engine: Any, text: str, width: float, size: int) -> list[str]:
    """Greedy word wrap. Widths add up (the font has no kerning tables: see
    `vietnamese_font`), so each word is measured once; with the process's shared font
    program the lines of a text are remembered (labels, headings and most cells repeat from
    one document to the next)."""
    if isinstance(engine, FastGlyphAccumulator):
        return list(_wrapped(engine.program, text, width, size))
    return _wrap_measured(lambda word: _width(engine, word, size), text, width, size)


@functools.lru_cache(maxsize=8192)
def _wrapped(program: Any, text: str, width: float, size: int) -> tuple[str, ...]:
    return tuple(_wrap_measured(lambda word: program.advance(word) * size, text, width, size))


def _wrap_measured(
    width_of: Callable[[str], float], text: str, width: float, size: int
) -> list[str]:
    widths: dict[str, float] = {}

    def measure(word: str) -> float:
        if word not in widths:
            widths[word] = width_of(word) if word else 0.0
        return widths[word]

    space = width_of(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split():
            extent = measure(word)
            if line and used + space + extent > width:
                lines.append(line)
                line, used = word, extent
            elif line:
                line, used = f"{line} {word}", used + space + extent
            else:
                line, used = word, extent
        lines.append(line)
    return lines


def _text_ops(engine: Any, text: str, size: int, x: float, y: float) -> bytes:
    engine.font_size = size
    shaped = engine.shape(text)
    return b"BT /F1 %d Tf %.2f %.2f Td %s ET" % (size, x, y, shaped.graphics_ops)


#: The QR code's data mask (ISO/IEC 18004, 7.8.2), fixed: segno's choice of the best of the
#: eight (scoring each against the standard's penalty rules) was most of the QR code's cost.
#: Every mask is valid and read by every reader; 3 has the lowest mean penalty over verify
#: addresses and is the one segno itself picks most often for them.
QR_MASK = 3


def qr_matrix(data: str) -> tuple[bytearray, ...]:
    """The modules of the QR code of `data` (error correction M, mask `QR_MASK`), row by row
    from the top, 1 for dark: segno's symbol, made by `documents.qr` where it applies (the
    same modules in a fraction of the time)."""
    fast = qr_matrix_fast(data, error="m", mask=QR_MASK)
    if fast is not None:
        return fast
    return segno.make(data, error="m", micro=False, mask=QR_MASK).matrix


#: A run of dark modules in a row of the QR code's matrix.
_DARK_RUN = re.compile(rb"[^\x00]+")


@functools.lru_cache(maxsize=8)
def _qr_grid(count: int) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]:
    """For a QR code of `count` modules a side in QR_BOX, as `_qr_ops` writes them: the left
    edge of each column, the bottom edge of each row, and the width and height of a run of
    each length with the operator (the same numbers, formatted once per process)."""
    x1, y1, x2, _y2 = QR_BOX
    cell = (x2 - x1) / count
    lefts = tuple(b"%.3f" % (x1 + start * cell) for start in range(count))
    bottoms = tuple(b"%.3f" % (y1 + (count - 1 - r) * cell) for r in range(count))
    sizes = tuple(b"%.3f %.3f re" % (length * cell, cell) for length in range(count + 1))
    return lefts, bottoms, sizes


def _qr_ops(data: str) -> bytes:
    """The QR code of `data` as filled rectangles in QR_BOX: one per horizontal run of dark
    modules (a third of the squares, the same picture), `x y width height re` each."""
    matrix = qr_matrix(data)
    lefts, bottoms, sizes = _qr_grid(len(matrix))
    ops = [b"q 0 g"]
    add = ops.extend
    for bottom, row in zip(bottoms, matrix, strict=True):
        for run in _DARK_RUN.finditer(row):
            start, end = run.span()
            add((lefts[start], bottom, sizes[end - start]))
    ops.append(b"f Q")
    return b" ".join(ops)


CELL_PAD = 3.0


def _table(engine: Any, table: Table, pages: list[list[bytes]], y: float) -> float:
    """Lay `table` out from `y` down (a new page, with the heading again, when a row does not
    fit above BOTTOM); answers the y below it."""
    size = table.size
    leading = round(size * 1.35)
    edges = [float(MARGIN_X)]
    for column in table.columns:
        edges.append(edges[-1] + column.width)

    def cells(row: Sequence[str]) -> list[list[str]]:
        return [
            _wrap(engine, unicodedata.normalize("NFC", text), column.width - 2 * CELL_PAD, size)
            for column, text in zip(table.columns, row, strict=True)
        ]

    def draw(wrapped: list[list[str]], top: float, height: float) -> None:
        ops = pages[-1]
        for column, lines, left, right in zip(
            table.columns, wrapped, edges[:-1], edges[1:], strict=True
        ):
            for index, line in enumerate(lines):
                if not line:
                    continue
                baseline = top - CELL_PAD - size * 0.95 - index * leading
                if column.align == "right":
                    x = right - CELL_PAD - _width(engine, line, size)
                elif column.align == "centre":
                    x = left + (right - left - _width(engine, line, size)) / 2
                else:
                    x = left + CELL_PAD
                ops.append(_text_ops(engine, line, size, x, baseline))
        bottom = top - height
        rules = [b"%.2f %.2f m %.2f %.2f l" % (edges[0], bottom, edges[-1], bottom)]
        rules += [b"%.2f %.2f m %.2f %.2f l" % (x, top, x, bottom) for x in edges]
        ops.append(b"q 0.5 w 0 G " + b" ".join(rules) + b" S Q")

    def height_of(wrapped: list[list[str]]) -> float:
        return 2 * CELL_PAD + size * 1.2 + (max(len(lines) for lines in wrapped) - 1) * leading

    heading = cells([column.heading for column in table.columns])

    def start(top: float) -> float:
        pages[-1].append(
            b"q 0.5 w 0 G %.2f %.2f m %.2f %.2f l S Q" % (edges[0], top, edges[-1], top)
        )
        height = height_of(heading)
        draw(heading, top, height)
        return top - height

    y -= table.space_before
    y = start(y)
    for row in [*table.rows, *table.footer]:
        wrapped = cells(row)
        height = height_of(wrapped)
        if y - height < BOTTOM:
            pages.append([])
            y = start(float(TOP))
        draw(wrapped, y, height)
        y -= height
    return y


def text_pdf(
    *, blocks: Sequence[Block | Table], qr_data: str | None = None, qr_caption: str = ""
) -> bytes:
    """An A4 PDF of `blocks` (paragraphs and tables), one page or more; the QR code of
    `qr_data` (with a caption above it) at the bottom right of the last page. One embedded
    font subset for the whole file."""
    return text_pdf_pages(blocks=blocks, qr_data=qr_data, qr_caption=qr_caption)[0]


def text_pdf_pages(
    *, blocks: Sequence[Block | Table], qr_data: str | None = None, qr_caption: str = ""
) -> tuple[bytes, int]:
    """`text_pdf` and its page count (for storing it without parsing it again)."""
    writer, pages, _engine_used = _laid_out(blocks=blocks, qr_data=qr_data, qr_caption=qr_caption)
    out = io.BytesIO()
    try:
        writer.write(out)
    finally:
        writer_release(writer)
    return out.getvalue(), pages


def text_pdf_signed(
    *,
    blocks: Sequence[Block | Table],
    qr_data: str | None = None,
    qr_caption: str = "",
    signer: Signer,
    unit_name: str,
    signer_name: str,
    reason: str,
    now: dt.datetime,
) -> tuple[bytes, int]:
    """`text_pdf` signed as `document_sign` signs (the same signature, stamp and field), and
    its page count, written in one pass: the signature goes into the writer that lays the
    document out (`signing.services.writer_sign`) instead of an incremental update to the
    written file, which had to be parsed again (docs/adr/0028-one-pass-signing.md). The
    stamp is drawn with the text's font engine: one embedded font subset."""
    writer, pages, engine = _laid_out(blocks=blocks, qr_data=qr_data, qr_caption=qr_caption)
    try:
        signed = writer_sign(
            writer=writer,
            pages=pages,
            font=engine,
            signer=signer,
            unit_name=unit_name,
            signer_name=signer_name,
            reason=reason,
            now=now,
        )
    finally:
        writer_release(writer)
    return signed, pages


def writer_release(writer: PdfFileWriter) -> None:
    """Drop what a written `writer` holds, so that its objects go when their last reference
    does instead of waiting for the garbage collector: the writer holds every object, each
    reference among them holds the writer, and the font engine holds the writer that holds it
    (reference cycles of a few hundred objects per document). Left to the collector they
    made it run two to three times as often while receipts were issued, and its full passes
    over the process's objects are long (docs/adr/0033-receipt-pdf-one-walk-and-released-
    writer.md). The writer cannot be written again afterwards."""
    writer.objects.clear()
    writer.object_streams.clear()
    writer.objs_in_streams.clear()
    writer._font_resources.clear()
    writer._resolves_objs_from = ()


def _laid_out(
    *, blocks: Sequence[Block | Table], qr_data: str | None, qr_caption: str
) -> tuple[PdfFileWriter, int, Any]:
    writer = PdfFileWriter()
    engine = _engine(writer)
    width = PAGE[0] - 2 * MARGIN_X
    pages: list[list[bytes]] = [[]]
    y = TOP
    for block in blocks:
        if isinstance(block, Table):
            y = round(_table(engine, block, pages, y))
            continue
        text = unicodedata.normalize("NFC", block.text)
        leading = round(block.size * 1.35)
        y -= block.space_before
        for line in _wrap(engine, text, width, block.size):
            if y - leading < BOTTOM:
                pages.append([])
                y = TOP
            y -= leading
            x = float(MARGIN_X)
            if block.centred:
                x += max(0.0, (width - _width(engine, line, block.size)) / 2)
            if line:
                pages[-1].append(_text_ops(engine, line, block.size, x, y))
    if qr_data:
        if qr_caption:
            caption = unicodedata.normalize("NFC", qr_caption)
            x = QR_BOX[2] - _width(engine, caption, 8)
            pages[-1].append(_text_ops(engine, caption, 8, x, QR_BOX[3] + 4))
        pages[-1].append(_qr_ops(qr_data))
    font = engine.as_resource()
    for ops in pages:
        stream = generic.StreamObject(stream_data=b"\n".join(ops))
        resources = generic.DictionaryObject(
            {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
        )
        page = PageObject(
            contents=writer.add_object(stream), media_box=(0, 0, *PAGE), resources=resources
        )
        writer.insert_page(page)
    return writer, len(pages), engine
