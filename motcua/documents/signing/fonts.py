"""The embedded font of motcua's generated PDFs and signature stamps, prepared once per process.

pyHanko's `GlyphAccumulator` opens and parses the font file for every document, then embeds
the glyphs used by running fontTools' subsetter on it and compiling the result: ~40 ms per
font per document, most of a receipt's layout and of a visible signature. The font never
changes while the process runs, so `FastGlyphAccumulatorFactory` does that work once
(`_FontProgram`: the HarfBuzz font, the widths, the reverse cmap, each glyph's bytes and
composite components) and embeds a document's subset by copying the bytes of the glyphs it
uses into a new `glyf`/`loca` pair, the other tables as they are: the same kind of subset
fontTools makes with `retain_gids` (the glyph ids, hence the text operators, unchanged; an
unused glyph is empty), in well under a millisecond.

A font without TrueType outlines (CFF) goes through pyHanko's own accumulator. Positioning is
pyHanko's own code; shaping is pyHanko's for anything but the simple case
`FastGlyphAccumulator.shape` writes itself (byte for byte, remembered per text); the subset,
the widths (/W) and the ToUnicode CMap are written here, byte for byte what pyHanko writes
(docs/adr/0030-faster-pdf-serialisation.md, docs/adr/0032-receipt-statements-compiled-once.md).
"""

from __future__ import annotations

import functools
import io
import itertools
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import uharfbuzz as hb
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory, ShapeResult
from pyhanko.pdf_utils.font.opentype import (
    CIDFontType2,
    GlyphAccumulator,
    GlyphAccumulatorFactory,
    _read_ps_name,
)

from motcua.documents.signing.serialise import FixedNumberArray, NumberArray

#: How pyHanko writes a byte of a literal string (`generic.TextStringObject`): letters,
#: digits and the space as they are, every other byte as an octal escape.
_LITERAL = [bytes([c]) if bytes([c]).isalnum() or c == 0x20 else b"\\%03o" % c for c in range(256)]
_HEAD_CHECKSUM_ADJUSTMENT = 8  # byte offset of head.checkSumAdjustment
_HEAD_INDEX_TO_LOC_FORMAT = 50  # byte offset of head.indexToLocFormat


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


class _NotTrueType(ValueError):
    pass


class _FontProgram:
    """One TrueType font, read once: what every document's subset and shaping need."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as handle:
            data = handle.read()
        self.hb_font = hb.Font(hb.Face(data))
        tt = TTFont(io.BytesIO(data))
        if "glyf" not in tt or "CFF " in tt:
            raise _NotTrueType(path)
        self.tt = tt
        self.ps_name = _read_ps_name(tt)
        self.units_per_em = tt["head"].unitsPerEm
        order = tt.getGlyphOrder()
        hmtx = tt["hmtx"]
        self.widths = [hmtx[name][0] for name in order]
        #: each glyph's (id, width), the value a glyph accumulator keeps for it
        self.cid_widths = [(gid, width) for gid, width in enumerate(self.widths)]
        self.reverse_cmap = tt["cmap"].buildReversed()
        # the raw tables, and each glyph's raw bytes from glyf by loca
        self.tables = {tag: tt.reader[tag] for tag in sorted(tt.reader.keys())}
        glyf = self.tables["glyf"]
        loca = tt["loca"]
        self.glyphs = [bytes(glyf[loca[i] : loca[i + 1]]) for i in range(len(order))]
        glyf_table = tt["glyf"]
        index = {name: gid for gid, name in enumerate(order)}
        self.components: list[tuple[int, ...]] = []
        for name in order:
            glyph = glyf_table[name]
            if glyph.isComposite():
                names = glyph.getComponentNames(glyf_table)
                self.components.append(tuple(index[n] for n in names))
            else:
                self.components.append(())
        # the font descriptor reads these tables: load them now (TTFont loads lazily and
        # is then shared by threads)
        for tag in ("head", "hhea", "OS/2", "post", "name", "maxp"):
            tt[tag]
        self._advances: dict[str, float] = {}
        self._closures: dict[int, frozenset[int]] = {}
        self._padded: list[bytes] | None = None
        self._shaped: dict[str, tuple[tuple[int, ...], float, bytes, bytes] | None] = {}
        self._common_tables: _CommonTables | None = None

    def advance(self, text: str) -> float:
        """The width of `text` in em, shaped by HarfBuzz (remembered: words repeat)."""
        found = self._advances.get(text)
        if found is None:
            buffer = hb.Buffer()
            buffer.add_str(text)
            buffer.guess_segment_properties()
            hb.shape(self.hb_font, buffer, None)
            found = sum(p.x_advance for p in buffer.glyph_positions) / self.units_per_em
            if len(self._advances) < 100_000:
                self._advances[text] = found
        return found

    def shaped(self, text: str) -> tuple[tuple[int, ...], float, bytes, bytes] | None:
        """`text` shaped by HarfBuzz for the one case `FastGlyphAccumulator.shape` writes
        itself (one glyph per character, each advanced by its width, no offsets, left to
        right): its glyph ids, its width in em, the ids in hex and the /ActualText string's
        bytes; None otherwise. Remembered per process: a receipt's labels, headings and
        figures repeat."""
        if text in self._shaped:
            return self._shaped[text]
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        hb.shape(self.hb_font, buffer, None)
        infos = buffer.glyph_infos
        found: tuple[tuple[int, ...], float, bytes, bytes] | None = None
        if len(infos) == len(text) and buffer.direction == "ltr":
            widths = self.widths
            gids = []
            total = 0
            for index, (info, position) in enumerate(
                zip(infos, buffer.glyph_positions, strict=True)
            ):
                gid = info.codepoint
                if (
                    gid == 0
                    or info.cluster != index
                    or position.x_offset
                    or position.y_offset
                    or position.x_advance != widths[gid]
                ):
                    break
                gids.append(gid)
                total += widths[gid]
            else:
                try:
                    encoded = generic.encode_pdfdocencoding(text)
                except UnicodeEncodeError:
                    encoded = b"\xfe\xff" + text.encode("utf-16be")
                found = (
                    tuple(gids),
                    total / self.units_per_em,
                    "".join(f"{gid:04x}" for gid in gids).encode("ascii"),
                    b"".join([_LITERAL[c] for c in encoded]),
                )
        if len(self._shaped) < 100_000:
            self._shaped[text] = found
        return found

    def closure(self, gids: set[int]) -> set[int]:
        """`gids`, .notdef, and the components of composite glyphs, recursively (each
        composite's components found once per process)."""
        count = len(self.glyphs)
        done = {gid for gid in gids if 0 <= gid < count}
        done.add(0)
        components = self.components
        for gid in [gid for gid in done if components[gid]]:
            done |= self._composite_closure(gid)
        return done

    def _composite_closure(self, gid: int) -> frozenset[int]:
        found = self._closures.get(gid)
        if found is None:
            todo = [gid]
            seen: set[int] = set()
            while todo:
                at = todo.pop()
                if at in seen or not 0 <= at < len(self.glyphs):
                    continue
                seen.add(at)
                todo.extend(self.components[at])
            found = self._closures[gid] = frozenset(seen)
        return found

    def subset(self, gids: set[int]) -> bytes:
        """The font with only `gids` (and what they need) in glyf, every glyph id kept.

        The glyphs' padded bytes, their checksums and the checksums of the tables that never
        change are computed once (`_prepare_subsets`); glyf's checksum is the sum of its
        glyphs', loca's the sum of its offsets, and the file's checksum adjustment the sum of
        its pieces' checksums (each a multiple of 4 bytes), so nothing is summed again."""
        if self._padded is None:
            self._prepare_subsets()
        padded = self._padded
        assert padded is not None
        keep = sorted(self.closure(gids))
        lengths = [0] * len(padded)
        sizes = self._sizes
        for gid in keep:
            lengths[gid] = sizes[gid]
        offsets = [0, *itertools.accumulate(lengths)]
        glyf = b"".join([padded[gid] for gid in keep])
        loca = struct.pack(f">{len(offsets)}I", *offsets)  # long offsets
        tables = dict(self.tables, glyf=glyf, loca=loca, head=self._head)
        # each glyph starts on a 4-byte boundary and is padded to one, so glyf sums as its
        # glyphs do; each long loca entry is one 4-byte word, so loca sums as its offsets
        glyf_sum = sum([self._glyph_sums[gid] for gid in keep]) & 0xFFFFFFFF
        checksums = dict(self._checksums, glyf=glyf_sum, loca=sum(offsets) & 0xFFFFFFFF)
        tags = self._tags
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
                struct.pack(">4sIII", tag.encode("latin-1"), checksums[tag], offset, len(table))
            )
            table += b"\0" * (-len(table) % 4)
            body.append(table)
            offset += len(table)
        head_piece = header + b"".join(directory)
        total = (_checksum(head_piece) + sum(checksums.values())) & 0xFFFFFFFF
        adjustment = (0xB1B0AFBA - total) & 0xFFFFFFFF
        font = bytearray(head_piece + b"".join(body))
        head_at = 12 + 16 * count + sum(len(t) for t in body[: tags.index("head")])
        font[head_at + _HEAD_CHECKSUM_ADJUSTMENT : head_at + _HEAD_CHECKSUM_ADJUSTMENT + 4] = (
            struct.pack(">I", adjustment)
        )
        return bytes(font)

    def font_file(self, gids: set[int]) -> tuple[bytes, bytes]:
        """The font file to embed for a document showing `gids`, and its Flate encoding.

        A document whose glyphs are all in the common subset (every character Vietnamese
        and English text and their numbers and punctuation use: `COMMON_TEXT`) embeds that
        one subset, made and compressed once per process (at zlib's best level, as it is
        done once); any other document (a name with a rarer letter) gets its own subset of
        exactly its glyphs, as before. Either way only glyphs shown are referenced."""
        common = self.common_tables()
        if gids <= common.glyphs:
            return common.font_file, common.font_file_encoded
        data = self.subset(gids)
        return data, zlib.compress(data, FONT_FILE_LEVEL)

    def common_tables(self) -> _CommonTables:
        """The common subset, made once: its glyphs (the characters' and their composite
        parts, and .notdef) and font file (`font_file`), and the /W array and ToUnicode CMap
        of its characters (each glyph with the character the font maps to it, the later one
        where two share a glyph), which a document that showed only those glyphs, each for
        that character, writes instead of its own (`FastGlyphAccumulator.prepare_write`)."""
        found = self._common_tables
        if found is None:
            cmap = self.tt.getBestCmap()
            characters: dict[int, str] = {}
            for c in COMMON_TEXT:
                if ord(c) in cmap:
                    characters[self.tt.getGlyphID(cmap[ord(c)])] = c
            glyphs = frozenset(self.closure({0, *characters}))
            data = self.subset(set(glyphs))
            widths = widths_array((gid, self.widths[gid]) for gid in characters)
            text = tounicode_cmap(characters)
            found = self._common_tables = _CommonTables(
                glyphs=glyphs,
                font_file=data,
                font_file_encoded=zlib.compress(data, 9),
                characters=characters,
                widths=FixedNumberArray(widths),
                tounicode=text,
                tounicode_encoded=zlib.compress(text, 9),
            )
        return found

    def _prepare_subsets(self) -> None:
        # `_padded` last: another thread that sees it set finds the rest set too
        head = bytearray(self.tables["head"])
        head[_HEAD_CHECKSUM_ADJUSTMENT : _HEAD_CHECKSUM_ADJUSTMENT + 4] = b"\0\0\0\0"
        head[_HEAD_INDEX_TO_LOC_FORMAT : _HEAD_INDEX_TO_LOC_FORMAT + 2] = b"\0\1"
        self._head = bytes(head)
        self._tags = sorted({*self.tables, "glyf", "loca", "head"})
        self._checksums = {
            tag: _checksum(table)
            for tag, table in dict(self.tables, head=self._head).items()
            if tag not in ("glyf", "loca")
        }
        padded = [glyph + b"\0" * (-len(glyph) % 4) for glyph in self.glyphs]
        self._sizes = [len(glyph) for glyph in padded]
        self._glyph_sums = [_checksum(glyph) for glyph in padded]
        self._padded = padded


@functools.lru_cache(maxsize=4)
def font_program(path: str) -> _FontProgram | None:
    """The font at `path`, read once per process; None for a font without TrueType outlines
    (CFF), which pyHanko's own accumulator embeds as before."""
    try:
        return _FontProgram(path)
    except _NotTrueType:
        return None


#: zlib's level for the embedded font file (pyHanko's `compress()` uses the default, 6): the
#: subset is most of what a receipt compresses, and level 1 takes half the time for a file
#: 280 bytes larger in 41 KB (docs/adr/0033-receipt-pdf-one-walk-and-released-writer.md).
FONT_FILE_LEVEL = 1

#: The characters of the common font subset (`_FontProgram.font_file`): the printable ASCII
#: range, every Vietnamese letter in both cases (precomposed), and the punctuation and
#: signs motcua's documents print. Rarer signs the font keeps (`VIETNAMESE_UNICODES`: € №)
#: are drawn too, from a document's own subset: in the common one they would add ~270 bytes
#: to every document for the few that show them.
_VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
COMMON_TEXT = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + _VIETNAMESE
    + _VIETNAMESE.upper()
    + "–—‘’“”…·•°±×÷§₫ "
)


@dataclass(frozen=True)
class _CommonTables:
    glyphs: frozenset[int]  # the subset's glyph ids
    font_file: bytes
    font_file_encoded: bytes
    characters: dict[int, str]  # glyph id -> the character it shows
    widths: FixedNumberArray
    tounicode: bytes
    tounicode_encoded: bytes


class _CIDFontType2(CIDFontType2):
    """pyHanko's CIDFontType2 whose font file is the program's subset of the glyphs used."""

    def __init__(self, program: _FontProgram, subset_prefix: str) -> None:
        super().__init__(program.tt, program.ps_name, subset_prefix)
        self._program = program
        self.used_gids: set[int] = set()

    def set_font_file(self, writer: Any) -> generic.IndirectObject:
        data, encoded = self._program.font_file(self.used_gids)
        name = generic.pdf_name
        stream = generic.StreamObject(
            {name("/Filter"): name("/FlateDecode")},
            stream_data=data,
            encoded_data=encoded,
        )
        ref = writer.add_object(stream)
        self._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref


def widths_array(glyphs: Any) -> NumberArray:
    """pyHanko's /W array of a CID font (`_build_type0_font_from_cidfont`) for `glyphs`
    (cid, width) pairs: each run of consecutive cids as its first cid and the array of their
    widths (`NumberObject`s in `NumberArray`s, written in one piece). A `NumberObject` is an
    immutable `int`, so one per value is kept for the process (pyHanko makes each anew, a
    Python-level `__new__`: most of the array's cost)."""
    numbers = _NUMBERS
    items: list[Any] = []
    chunk: list[Any] = []
    previous = -2
    for cid, width in sorted(glyphs):
        if cid != previous + 1:
            chunk = NumberArray()
            items += [numbers[cid] if cid in numbers else _number(cid), chunk]
        chunk.append(numbers[width] if width in numbers else _number(width))
        previous = cid
    return NumberArray(items)


#: The `NumberObject` of each cid and width written so far (at most the font's glyph count
#: and its distinct widths).
_NUMBERS: dict[int, generic.NumberObject] = {}


def _number(value: int) -> generic.NumberObject:
    found = _NUMBERS[value] = generic.NumberObject(value)
    return found


#: Each character's UTF-16BE in hexadecimal, as pyHanko's ToUnicode writes it.
_UTF16_HEX: dict[str, str] = {}
_CMAP_HEADER = (
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo <<\n"
    "/Registry (Adobe)\n"
    "/Ordering (UCS2)\n"
    "/Supplement 0\n"
    ">> def\n"
    "/CMapName /Adobe-Identity-UCS2 def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange\n"
)
_CMAP_FOOTER = "\nendcmap\nCMapName\ncurrentdict\n/CMap defineresource\npop\nend\nend"


def tounicode_cmap(cid_to_unicode: dict[int, str]) -> bytes:
    """The ToUnicode CMap pyHanko writes (`GlyphAccumulator._format_tounicode_cmap`, its
    `_segment_cmap`): runs of consecutive cids as `bfrange` lines, a cid alone as a `bfchar`
    line, at most 100 lines a block, a new block when the kind changes."""
    hexes = _UTF16_HEX
    segments: list[tuple[int, list[str]]] = []
    previous = -2
    for cid, text in sorted(cid_to_unicode.items()):
        target = hexes.get(text)
        if target is None:
            target = hexes[text] = text.encode("utf-16be").hex()
        if cid == previous + 1:
            segments[-1][1].append(target)
        else:
            segments.append((cid, [target]))
        previous = cid
    lines: list[str] = []
    block: list[str] = []
    heading = "char"

    def emit() -> None:
        lines.append(f"{len(block)} beginbf{heading}")
        lines.extend(block)
        lines.append(f"endbf{heading}")

    for start, targets in segments:
        kind = "char" if len(targets) == 1 else "range"
        if (block and heading != kind) or len(block) >= 100:
            emit()
            block = []
        heading = kind
        if kind == "range":
            values = " ".join(f"<{t}>" for t in targets)
            block.append(f"<{start:04x}> <{start + len(targets) - 1:04x}> [{values}]")
        else:
            block.append(f"<{start:04x}> <{targets[0]}>")
    if block:
        emit()
    return (_CMAP_HEADER + "\n".join(lines) + _CMAP_FOOTER).encode("ascii")


class FastGlyphAccumulator(GlyphAccumulator):
    """A `GlyphAccumulator` on a font program shared by the process (see the module)."""

    def __init__(
        self, writer: Any, program: _FontProgram, font_size: int, obj_stream: Any = None
    ) -> None:
        FontEngine.__init__(
            self,
            writer,
            program.ps_name,
            embedded_subset=True,
            obj_stream=obj_stream,
            font_size=font_size,
        )
        self._program = program
        self.hb_font = program.hb_font
        self.tt = program.tt
        self._font_ref = writer.allocate_placeholder()
        self.cff_charset = None
        self.use_raw_gids = True
        self._cidfont = _CIDFontType2(program, self.subset_prefix)
        self.cidfont_obj = self._cidfont
        self.features = None
        self.units_per_em = program.units_per_em
        self._glyphs: dict[int, tuple[int, int]] = {}
        self._cid_to_unicode: dict[int, str] = {}
        self._GlyphAccumulator__reverse_cmap = program.reverse_cmap
        self.ot_language_tag = None
        self.ot_script_tag = None
        self.writing_direction = None
        self.bcp47_lang_code = None
        self._subset_created = self._write_prepared = False

    @property
    def program(self) -> _FontProgram:
        """The process's font program this engine draws with."""
        return self._program

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        found = self._glyphs.get(glyph_id)
        if found is None:
            found = self._glyphs[glyph_id] = (glyph_id, self._program.widths[glyph_id])
        return found

    def advance(self, text: str) -> float:
        """The width of `text` in em, as `shape(text).x_advance` says, without the text
        operators (a word measured to wrap a line)."""
        return self._program.advance(text)

    def shape(self, txt: str, with_actual_text: bool = True) -> ShapeResult:
        """pyHanko's `GlyphAccumulator.shape`, byte for byte, written for the only case this
        font meets (no layout tables: one glyph per character, each advanced by its width,
        no offsets, horizontal): one TJ of the glyph ids, the ToUnicode entries, the
        /ActualText span. Anything else (a glyph not in the font, a mark HarfBuzz moved)
        goes through pyHanko's code."""
        if not txt or not with_actual_text or self.writing_direction is not None:
            return super().shape(txt, with_actual_text)
        found = self._program.shaped(txt)
        if found is None:
            return super().shape(txt, with_actual_text)
        gids, advance, hex_gids, actual = found
        # each glyph's (id, width) and the character it shows, as pyHanko's loop keeps them
        # (a glyph met twice: the later character), added by C-level updates
        widths = map(self._program.cid_widths.__getitem__, gids)
        self._glyphs.update(zip(gids, widths, strict=True))
        self._cid_to_unicode.update(zip(gids, txt, strict=True))
        return ShapeResult(
            graphics_ops=b"/Span <<\n/ActualText (%s)\n>> BDC [<%s>] TJ %g 0 Td EMC"
            % (actual, hex_gids, advance * self.font_size),
            x_advance=advance,
            y_advance=0,
        )

    def prepare_write(self) -> None:
        """pyHanko's `GlyphAccumulator.prepare_write` (with the `_build_type0_font_from_cidfont`
        it calls): the same objects, added in the same order, but the font's /W array built
        directly (`widths_array`) and the ToUnicode CMap written by `tounicode_cmap`. The same
        bytes: `tests/documents/signing/test_serialise.py` compares a whole signed document
        with `prepare_write_pyhanko`, and both pieces with pyHanko's functions."""
        if self._write_prepared:
            return
        if not self._glyphs or not self._cid_to_unicode:  # pyHanko says what it says of these
            self.prepare_write_pyhanko()
            return
        if not self._subset_created:
            self._extract_subset()
            self._subset_created = True
        writer, obj_stream, cidfont = self.writer, self.obj_stream, self.cidfont_obj
        cidfont.embed(writer, obj_stream=obj_stream)
        cidfont_ref = writer.add_object(cidfont, obj_stream=obj_stream)
        name = generic.pdf_name
        type0 = generic.DictionaryObject(
            {
                name("/Type"): name("/Font"),
                name("/Subtype"): name("/Type0"),
                name("/DescendantFonts"): generic.ArrayObject([cidfont_ref]),
                name("/Encoding"): name("/Identity-H"),
                name("/BaseFont"): name(f"/{cidfont.name}-Identity-H"),
            }
        )
        common = self._program.common_tables()
        characters = common.characters
        if self._glyphs.keys() <= characters.keys() and all(
            characters[gid] == text for gid, text in self._cid_to_unicode.items()
        ):
            # the document showed only common glyphs, each for its usual character: the
            # common /W and ToUnicode (a superset of its own, made and compressed once)
            cidfont[name("/W")] = common.widths
            stream = generic.StreamObject(
                {name("/Filter"): name("/FlateDecode")},
                stream_data=common.tounicode,
                encoded_data=common.tounicode_encoded,
            )
        else:
            cidfont[name("/W")] = widths_array(self._glyphs.values())
            stream = generic.StreamObject(stream_data=tounicode_cmap(self._cid_to_unicode))
            stream.compress()
        type0[name("/ToUnicode")] = writer.add_object(stream)
        writer.add_object(type0, obj_stream, idnum=self._font_ref.idnum)
        self._write_prepared = True

    def prepare_write_pyhanko(self) -> None:
        """What `prepare_write` did before: pyHanko's own, with the /W array it built written
        in one piece (kept to compare with)."""
        prepared = self._write_prepared
        super().prepare_write()
        if not prepared and "/W" in self.cidfont_obj:
            self.cidfont_obj[generic.pdf_name("/W")] = NumberArray(self.cidfont_obj["/W"])

    def _extract_subset(self, options: Any = None) -> None:
        # the shared font is never cut down: the CID font writes the subset itself
        self._cidfont.used_gids = set(self._glyphs)


@dataclass(frozen=True)
class FastGlyphAccumulatorFactory(FontEngineFactory):
    """`GlyphAccumulatorFactory` for a TrueType font read once per process."""

    font_file: str
    font_size: int = 10

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        program = font_program(self.font_file)
        if program is None:
            return GlyphAccumulatorFactory(self.font_file, self.font_size).create_font_engine(
                writer, obj_stream=obj_stream
            )
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return FastGlyphAccumulator(writer, program, self.font_size, obj_stream=obj_stream)


class SharedFontEngine(FontEngineFactory):
    """A factory that answers one font engine already in use on its writer: a signature stamp
    drawn with the engine of the document's own text adds its glyphs to the document's
    subset, so the file embeds the font once."""

    def __init__(self, engine: FontEngine) -> None:
        self.engine = engine

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> FontEngine:
        if writer is not self.engine.writer:
            raise ValueError("a shared font engine belongs to one writer")
        return self.engine
