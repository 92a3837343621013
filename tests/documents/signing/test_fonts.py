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


def _drawn(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    font = reader.pages[0]["/Resources"]["/Font"]["/F1"]["/DescendantFonts"][0]
    data = font["/FontDescriptor"]["/FontFile2"].get_data()
    embedded = TTFont(io.BytesIO(data))
    return [g for g in embedded.getGlyphOrder() if embedded["glyf"][g].numberOfContours]


def test_the_laid_out_text_reads_back_with_the_common_subset_made_once() -> None:
    """Vietnamese and English text embeds the common subset (every Vietnamese letter, ASCII,
    the usual signs: a few hundred glyphs of DejaVu's thousands), the same bytes for every
    document of the process."""
    from motcua.documents.signing.fonts import COMMON_TEXT

    text = "Số tiền viết bằng chữ: Một triệu hai trăm năm mươi nghìn đồng"
    first = text_pdf(blocks=[Block(text)])
    reader = PdfReader(io.BytesIO(first))
    assert " ".join(reader.pages[0].extract_text().split()) == text
    drawn = _drawn(first)
    assert 200 < len(drawn) < 400  # the common subset, not the repertoire (~6,000)
    assert _drawn(text_pdf(blocks=[Block("Nguyễn Thị Hằng, 1.250.000 đ")])) == drawn
    # every character of the common subset the font has is drawn, and reads back
    letters = "".join(c for c in COMMON_TEXT if not c.isspace() and ord(c) in _cmap())
    every = text_pdf(blocks=[Block(letters[i : i + 40]) for i in range(0, len(letters), 40)])
    assert "".join(PdfReader(io.BytesIO(every)).pages[0].extract_text().split()) == letters
    assert _drawn(every) == drawn


def _cmap() -> dict[int, str]:
    from django.conf import settings

    from motcua.documents.signing.fonts import font_program
    from motcua.documents.signing.services import vietnamese_font

    program = font_program(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    assert program is not None
    return program.tt.getBestCmap()


def test_a_rarer_letter_gets_a_small_subset_of_its_own() -> None:
    from motcua.documents.signing.fonts import COMMON_TEXT

    # letters the font has outside the common subset (Latin Extended-A: Ā ā Ă...)
    rare = [chr(c) for c in range(0x100, 0x180) if c in _cmap() and chr(c) not in COMMON_TEXT]
    text = "".join(rare[:3]) + " mega"
    pdf = text_pdf(blocks=[Block(text)])
    assert " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split()) == text
    assert 3 <= len(_drawn(pdf)) < 20  # the letters used and their parts


def test_the_signs_forms_and_receipts_carry_are_drawn_not_left_as_notdef() -> None:
    """The euro and numero signs, typographic quotes, dashes, the ellipsis and bullet, ×, °
    and §: the font's subset (`VIETNAMESE_UNICODES`) keeps every one the configured font
    has, and a text with them is shaped one glyph per character (no .notdef) and reads
    back."""
    signs = "€№“”‘’–—…•×°§"
    source = TTFont(str(settings.MOTCUA_SIGNING_FONT)).getBestCmap()
    assert all(ord(c) in source for c in signs)  # DejaVu Sans has them all
    assert all(ord(c) in _cmap() for c in signs)
    text = "Giá 5 € – hồ sơ № 12 “trích” ‘dẫn’ — xem … • 3×4 m, 20°C, §2"
    assert _program().shaped(text) is not None  # no glyph 0 among its glyphs
    pdf = text_pdf(blocks=[Block(text)])
    assert " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split()) == text


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
