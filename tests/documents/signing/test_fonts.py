"""The font read once per process (`signing.fonts`): the subset a document embeds is a valid
TrueType font holding exactly the outlines it uses (and their components), every glyph id
kept, with right checksums; the text laid out with it reads back."""

from __future__ import annotations

import io
import struct

from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from motcua.documents.pdf import Block, text_pdf
from motcua.documents.signing.fonts import _checksum, font_program
from motcua.documents.signing.services import vietnamese_font


def _program():
    program = font_program(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    assert program is not None
    return program


def test_a_subset_keeps_the_glyphs_used_with_their_components_and_empties_the_rest() -> None:
    program = _program()
    cmap = program.tt.getBestCmap()
    order = program.tt.getGlyphOrder()
    used = {order.index(cmap[ord(c)]) for c in "Đồng ắ Ỹ"}
    data = program.subset(used)

    font = TTFont(io.BytesIO(data))
    assert font.getGlyphOrder() == order  # glyph ids, hence the text operators, unchanged
    glyf = font["glyf"]
    original = program.tt["glyf"]
    kept = program.closure(used)
    assert any(program.components[g] for g in used)  # a composite: its parts come along
    for gid, name in enumerate(order):
        if gid in kept:
            assert glyf[name].numberOfContours == original[name].numberOfContours
            if glyf[name].numberOfContours > 0:
                assert glyf[name].coordinates == original[name].coordinates
        else:
            assert glyf[name].numberOfContours == 0, name
    # every table's checksum and the whole file's adjustment (0xB1B0AFBA) hold
    count = struct.unpack(">H", data[4:6])[0]
    for i in range(count):
        tag, checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        table = bytearray(data[offset : offset + length])
        if tag == b"head":
            table[8:12] = b"\0\0\0\0"
        assert _checksum(bytes(table)) == checksum, tag
    assert _checksum(data) == 0xB1B0AFBA


def test_the_laid_out_text_reads_back_with_one_small_embedded_subset() -> None:
    text = "Số tiền viết bằng chữ: Một triệu hai trăm năm mươi nghìn đồng"
    pdf = text_pdf(blocks=[Block(text)])
    reader = PdfReader(io.BytesIO(pdf))
    assert " ".join(reader.pages[0].extract_text().split()) == text
    font = reader.pages[0]["/Resources"]["/Font"]["/F1"]["/DescendantFonts"][0]
    data = font["/FontDescriptor"]["/FontFile2"].get_data()
    embedded = TTFont(io.BytesIO(data))
    drawn = [g for g in embedded.getGlyphOrder() if embedded["glyf"][g].numberOfContours]
    assert 20 < len(drawn) < 80  # the letters used and their parts, not the repertoire


def test_a_font_without_truetype_outlines_goes_through_pyhankos_own_accumulator(tmp_path) -> None:
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.pdf_utils.writer import PdfFileWriter

    from motcua.documents.signing.fonts import FastGlyphAccumulator, FastGlyphAccumulatorFactory

    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((250, 700))
    pen.closePath()
    builder.setupCFF(
        "TestCFF",
        {"FullName": "TestCFF"},
        {".notdef": pen.getCharString(), "A": pen.getCharString()},
        {},
    )
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "TestCFF", "styleName": "Regular", "psName": "TestCFF"})
    builder.setupOS2()
    builder.setupPost()
    path = tmp_path / "cff.otf"
    builder.save(str(path))

    engine = FastGlyphAccumulatorFactory(str(path)).create_font_engine(PdfFileWriter())
    assert isinstance(engine, GlyphAccumulator)
    assert not isinstance(engine, FastGlyphAccumulator)


def test_shaping_writes_what_pyhankos_own_shaping_writes_byte_for_byte() -> None:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.pdf_utils.writer import PdfFileWriter

    from motcua.documents.signing.fonts import FastGlyphAccumulatorFactory

    factory = FastGlyphAccumulatorFactory(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    ours = factory.create_font_engine(PdfFileWriter())
    theirs = factory.create_font_engine(PdfFileWriter())
    texts = [
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "Người nộp: Nguyễn Văn Ánh (ông) – 001090000001",
        "Số tiền viết bằng chữ: Một trăm linh năm nghìn đồng; 105.000 ₫ \"trọn\" 'gói' (a\\b)",
        "Thời gian ký: 01/12/2026 15:05",
        "plain ASCII only",
        "x",
    ]
    for size in (8, 9, 11, 14):
        for text in texts:
            ours.font_size = theirs.font_size = size
            mine = ours.shape(text)
            reference = GlyphAccumulator.shape(theirs, text)
            assert mine.graphics_ops == reference.graphics_ops, text
            assert (mine.x_advance, mine.y_advance) == (reference.x_advance, reference.y_advance)
    # and the same glyphs and ToUnicode entries are kept for the embedded subset
    assert ours._glyphs == theirs._glyphs
    assert ours._cid_to_unicode == theirs._cid_to_unicode
    # a character the font lacks still goes through pyHanko (a .notdef, no ToUnicode entry)
    ours.font_size = theirs.font_size = 10
    assert ours.shape("中 x").graphics_ops == GlyphAccumulator.shape(theirs, "中 x").graphics_ops
