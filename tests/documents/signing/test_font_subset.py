"""A document's font subset (`signing.fonts._FontProgram.subset`, its padded glyphs and
table checksums computed once) is byte for byte what the plain construction below gives:
each glyph copied, each table and the whole file summed again; and fontTools reads it."""

from __future__ import annotations

import io
import random
import struct
from typing import Any

from django.conf import settings
from fontTools.ttLib import TTFont

from motcua.documents.signing.fonts import (
    _HEAD_CHECKSUM_ADJUSTMENT,
    _HEAD_INDEX_TO_LOC_FORMAT,
    _checksum,
    font_program,
)
from motcua.documents.signing.services import vietnamese_font


def _reference_subset(self: Any, gids: set[int]) -> bytes:
    """The font with only `gids` (and what they need) in glyf, every glyph id kept."""
    keep = self.closure(gids)
    parts: list[bytes] = []
    offsets = [0]
    position = 0
    for gid, glyph in enumerate(self.glyphs):
        if gid in keep and glyph:
            glyph += b"\0" * (-len(glyph) % 4)
            parts.append(glyph)
            position += len(glyph)
        offsets.append(position)
    glyf = b"".join(parts)
    loca = struct.pack(f">{len(offsets)}I", *offsets)  # long offsets
    head = bytearray(self.tables["head"])
    head[_HEAD_CHECKSUM_ADJUSTMENT : _HEAD_CHECKSUM_ADJUSTMENT + 4] = b"\0\0\0\0"
    head[_HEAD_INDEX_TO_LOC_FORMAT : _HEAD_INDEX_TO_LOC_FORMAT + 2] = b"\0\1"
    tables = dict(self.tables, glyf=glyf, loca=loca, head=bytes(head))
    tags = sorted(tables)
    count = len(tags)
    entry_selector = max(count.bit_length() - 1, 0)
    search_range = (1 << entry_selector) * 16
    header = struct.pack(
        ">IHHHH", 0x00010000, count, search_range, entry_selector, count * 16 - search_range
    )
    directory = []
    body = []
    offset = 12 + 16 * count
    for tag in tags:
        table = tables[tag]
        directory.append(
            struct.pack(">4sIII", tag.encode("latin-1"), _checksum(table), offset, len(table))
        )
        table += b"\0" * (-len(table) % 4)
        body.append(table)
        offset += len(table)
    font = bytearray(header + b"".join(directory) + b"".join(body))
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    head_at = 12 + 16 * count + sum(len(t) for t in body[: tags.index("head")])
    font[head_at + _HEAD_CHECKSUM_ADJUSTMENT : head_at + _HEAD_CHECKSUM_ADJUSTMENT + 4] = (
        struct.pack(">I", adjustment)
    )
    return bytes(font)


def test_the_subset_is_the_plain_construction_byte_for_byte():
    program = font_program(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    assert program is not None
    rng = random.Random(3)
    count = len(program.glyphs)
    for size in (0, 1, 5, 50, 200, count - 1):
        gids = set(rng.sample(range(count), size))
        made = program.subset(gids)
        assert made == _reference_subset(program, gids), size
        font = TTFont(io.BytesIO(made))
        assert font["maxp"].numGlyphs == count
        assert _checksum(made) == 0xB1B0AFBA


def _reference_closure(program: Any, gids: set[int]) -> set[int]:
    """What `closure` computed before each composite's components were kept: one walk."""
    todo = [0, *gids]
    done: set[int] = set()
    while todo:
        gid = todo.pop()
        if gid in done or not 0 <= gid < len(program.glyphs):
            continue
        done.add(gid)
        todo.extend(program.components[gid])
    return done


def test_the_closure_is_the_plain_walk():
    program = font_program(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    assert program is not None
    rng = random.Random(5)
    count = len(program.glyphs)
    composites = [gid for gid in range(count) if program.components[gid]]
    assert composites
    for size in (0, 1, 5, 50, 200, count):
        gids = set(rng.sample(range(count), size)) | {count + 3, -1}  # out of range: dropped
        assert program.closure(gids) == _reference_closure(program, gids), size
        assert program.closure(gids) == _reference_closure(program, gids)  # remembered
    assert program.closure(set(composites)) == _reference_closure(program, set(composites))


def test_the_embedded_font_file_is_the_subset_at_zlib_level_1():
    import zlib

    from pyhanko.pdf_utils.writer import PdfFileWriter

    from motcua.documents.signing.fonts import FONT_FILE_LEVEL, _CIDFontType2

    program = font_program(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    assert program is not None
    cidfont = _CIDFontType2(program, "ABCDEF")
    cidfont.used_gids = {5, 40, 41, 200}
    writer = PdfFileWriter()
    stream = cidfont.set_font_file(writer).get_object()
    subset = program.subset(cidfont.used_gids)
    assert FONT_FILE_LEVEL == 1
    assert stream["/Filter"] == "/FlateDecode"
    assert stream.encoded_data == zlib.compress(subset, 1)
    assert zlib.decompress(stream.encoded_data) == subset == stream.data
