"""The modules of a QR code, as segno makes them, in a fifth of segno's time.

segno builds every symbol from nothing: the matrix and its function patterns, the
Reed-Solomon error correction through generators of single bits, the codewords placed and
masked module by module, each module checked against the function patterns again. For a
given version and error level (and motcua's fixed mask, `pdf.QR_MASK`) everything but the
data is the same in every symbol, and a receipt's verify address always has the same length,
hence the same version. `qr_matrix_fast` keeps, per version and error level, the symbol
without data (finder, timing and alignment patterns, format and version information, from
segno's own functions) and the placement order of the data modules with their mask bits,
and per symbol only computes the codewords and places the data modules by one gather
(`operator.itemgetter` over the symbol without data and the masked bits; docs/adr/0033-
receipt-pdf-one-walk-and-released-writer.md). The data codewords of a text segno writes as
one byte-mode segment (a verify address: Latin-1, not all digits nor all of the
alphanumeric set) are written whole bytes at a time, with segno's choice of version and its
error level boost computed once per length (`_byte_mode_codewords`); any other text goes
through segno's data encoding, bit by bit. The error correction is the same Reed-Solomon
division over segno's tables, one data codeword at a time on an integer of the remainder's
bytes.

It answers None where it does not apply (Micro QR codes, several segments, ECI, a layout
whose encoding region does not match the placement) and the caller asks segno; the result
is compared module for module with segno's for many addresses and lengths
(`tests/documents/test_qr_fast.py`).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from itertools import zip_longest
from typing import Any, cast

from segno import consts, encoder

#: segno's tables (untyped): error correction blocks and capacities by version and level
_ECC = cast(Any, consts.ECC)
_CAPACITY = cast(Any, consts.SYMBOL_CAPACITY)

_BITS = [tuple((value >> shift) & 1 for shift in range(7, -1, -1)) for value in range(256)]
_REMAINDER = {
    **dict.fromkeys((2, 3, 4, 5, 6), 7),
    **dict.fromkeys((14, 15, 16, 17, 18, 19, 20, 28, 29, 30, 31, 32, 33, 34), 3),
    **dict.fromkeys((21, 22, 23, 24, 25, 26, 27), 4),
}


@functools.lru_cache(maxsize=32)
def _layout(
    version: int, error: int, mask: int
) -> tuple[bytes, tuple[tuple[int, int, int], ...]] | None:
    """The symbol without data (its rows of bytes joined) and the data modules in placement
    order (row, column, mask bit); None when segno's encoding region and placement differ."""
    size = encoder.calc_matrix_size(version)
    matrix = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(matrix, size, size)
    encoder.add_alignment_patterns(matrix, size, size)
    # the placement of `encoder.add_codewords` (a QR code, not a Micro QR code)
    order: list[tuple[int, int]] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in range(2):
                j = right - z
                upwards = (right & 2) == 0
                upwards ^= j < 6
                i = (size - 1 - vertical) if upwards else vertical
                if matrix[i][j] == 0x2:
                    order.append((i, j))
    # the region `encoder.find_and_apply_best_mask` masks
    region = {(i, j) for i in range(size) for j in range(size) if matrix[i][j] > 0x1}
    region.discard((size - 8, 8))
    if region != set(order):
        return None
    pattern = encoder.get_data_mask_functions(False)[mask]
    placed = tuple((i, j, 1 if pattern(i, j) else 0) for i, j in order)
    for i, j in order:
        matrix[i][j] = 0
    encoder.add_format_info(matrix, version, error, mask)
    encoder.add_version_info(matrix, version)
    return b"".join(bytes(row) for row in matrix), placed


@functools.lru_cache(maxsize=64)
def _ecc_table(count: int) -> tuple[int, ...]:
    """For each leading coefficient, the generator polynomial of `count` error correction
    codewords times it, as one integer of `count` bytes (the step of the division)."""
    log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    generator = consts.GEN_POLY[count]
    table = [0]
    for coef in range(1, 256):
        lcoef = log[coef]
        table.append(int.from_bytes(bytes(exp[lcoef + g] for g in generator), "big"))
    return tuple(table)


def _ecc(block: Sequence[int], count: int) -> list[int]:
    """The `count` error correction codewords of `block`: the remainder of its division by
    the generator polynomial (`encoder.make_final_message`'s), one data codeword at a time
    on a `count`-byte integer instead of one product at a time."""
    table = _ecc_table(count)
    shift = 8 * (count - 1)
    mask = (1 << (8 * count)) - 1
    remainder = 0
    for value in block:
        remainder = ((remainder << 8) & mask) ^ table[(remainder >> shift) ^ value]
    return list(remainder.to_bytes(count, "big"))


def _final_message(version: int, error: int, codewords: Sequence[int]) -> list[int]:
    """`encoder.make_final_message` on whole bytes: the data blocks and their error
    correction blocks interleaved."""
    data_blocks: list[Sequence[int]] = []
    error_blocks: list[list[int]] = []
    at = 0
    for info in _ECC[version][error]:
        count = info.num_total - info.num_data
        for _block in range(info.num_blocks):
            block = codewords[at : at + info.num_data]
            at += info.num_data
            data_blocks.append(block)
            error_blocks.append(_ecc(block, count))
    message = [x for group in zip_longest(*data_blocks) for x in group if x is not None]
    message += [x for group in zip_longest(*error_blocks) for x in group if x is not None]
    return message


#: segno's error levels from the lowest; `encoder.boost_error_level` raises one along them.
_LEVELS = (
    consts.ERROR_LEVEL_L,
    consts.ERROR_LEVEL_M,
    consts.ERROR_LEVEL_Q,
    consts.ERROR_LEVEL_H,
)
#: The pad codewords (ISO/IEC 18004, 7.4.10), alternating, enough for the largest capacity.
_PAD_CODEWORDS = b"\xec\x11" * (max(_CAPACITY[v][lv] for v in range(1, 41) for lv in _LEVELS) // 16)


@functools.lru_cache(maxsize=256)
def _byte_mode_plan(length: int, error: int) -> tuple[int, int, int, int] | None:
    """For one byte-mode segment of `length` bytes at error level `error`: segno's version
    (`encoder.find_version`: the smallest whose capacity at the level holds the mode
    indicator, the character count and the bytes), the level after `encoder.
    boost_error_level` (raised while the same bits still fit the same version), the bits of
    the character count and the data capacity in bytes; None when no version holds it."""
    ranges = cast(Any, consts.CHAR_COUNT_INDICATOR_LENGTH)[consts.MODE_BYTE]
    count_bits = 0
    for version in range(1, 41):
        count_bits = ranges[encoder.version_range(version)]
        bits = 4 + count_bits + 8 * length
        if _CAPACITY[version][error] >= bits:
            break
    else:
        return None
    if error != consts.ERROR_LEVEL_H:
        for higher in _LEVELS[_LEVELS.index(error) + 1 :]:
            if _CAPACITY[version][higher] < bits:
                break
            error = higher
    return version, error, count_bits, _CAPACITY[version][error] // 8


def _byte_mode_codewords(data: str, error: int) -> tuple[int, int, bytes] | None:
    """The version, the error level and the data codewords segno writes for `data` when it
    makes one byte-mode segment of it (Latin-1, no ECI, and `encoder.find_mode` neither
    numeric, alphanumeric nor kanji), written whole: the mode indicator 0100, the character
    count, the bytes, the terminator, then the pad codewords to the capacity. None for any
    other text (or one too long for a QR code)."""
    try:
        raw = data.encode(consts.DEFAULT_BYTE_ENCODING)
    except UnicodeEncodeError:
        return None
    if encoder.find_mode(raw) != consts.MODE_BYTE:
        return None
    plan = _byte_mode_plan(len(raw), error)
    if plan is None:
        return None
    version, error, count_bits, capacity = plan
    # mode, count and bytes end 4 bits short of a byte (a count is 8 or 16 bits) and a
    # version that holds them holds the whole 4-bit terminator too (capacities are whole
    # bytes): the terminator ends them on a byte boundary
    head = (consts.MODE_BYTE << count_bits) | len(raw)
    value = ((head << (8 * len(raw))) | int.from_bytes(raw, "big")) << 4
    body = value.to_bytes(len(raw) + count_bits // 8 + 1, "big")
    # `encoder.write_padding_bits` adds 8 - (length % 8) zero bits, a whole zero codeword
    # when the stream ends on a byte boundary, as here; the pad codewords follow it, and
    # where the body fills the capacity that zero codeword is past it and dropped
    pads = max(capacity - len(body) - 1, 0)
    codewords = (body + b"\x00" + _PAD_CODEWORDS[:pads])[:capacity]
    return version, error, codewords


def _segno_codewords(data: str, error: int) -> tuple[int, int, bytes] | None:
    """The version, the error level and the data codewords of `data` by segno's own
    encoding (any mode, bit by bit); None for several segments."""
    segments = encoder.prepare_data(data, None, None)
    if len(segments) != 1:
        return None
    version = encoder.find_version(segments, error, eci=False, micro=False)
    if version < 1:
        return None
    error = encoder.boost_error_level(version, error, segments, False)
    buff = encoder.Buffer()
    encoder.write_segment(buff, segments[0], None, encoder.version_range(version), False)
    capacity = _CAPACITY[version][error]
    encoder.write_terminator(buff, capacity, None, len(buff))
    encoder.write_padding_bits(buff, version, len(buff))
    encoder.write_pad_codewords(buff, version, capacity, len(buff))
    return version, error, bytes(buff.toints())


def _data_codewords(data: str, error: int) -> tuple[int, int, bytes] | None:
    """The version, the error level and the data codewords segno writes for `data` at
    error level `error` (a segno constant)."""
    return _byte_mode_codewords(data, error) or _segno_codewords(data, error)


def qr_matrix_fast(data: str, *, error: str, mask: int) -> tuple[bytearray, ...] | None:
    """`segno.make(data, error=error, micro=False, mask=mask).matrix`, or None where this
    shortcut does not apply (see the module)."""
    encoded = _data_codewords(data, encoder.normalize_errorlevel(error))
    if encoded is None:
        return None
    version, level, codewords = encoded
    layout = _layout(version, level, mask)
    if layout is None:
        return None
    template, placed = layout
    message = _final_message(version, level, codewords)
    bits = b"".join([_BIT_BYTES[value] for value in message])
    bits += bytes(_REMAINDER.get(version, 0))
    if len(bits) != len(placed):
        return None
    gather, flips, size = _placement(version, level, mask)
    masked = (int.from_bytes(bits, "big") ^ flips).to_bytes(len(bits), "big")
    flat = bytes(gather(template + masked))
    return tuple(bytearray(flat[at : at + size]) for at in range(0, len(flat), size))


#: Each codeword's eight bits, the first the most significant, one byte (0 or 1) each.
_BIT_BYTES = [bytes(bits) for bits in _BITS]


@functools.lru_cache(maxsize=32)
def _placement(version: int, error: int, mask: int) -> tuple[Any, int, int]:
    """The data modules placed by one C-level gather instead of one assignment each: a
    getter that picks, for every module of the symbol row by row, either the symbol without
    data (its rows joined) or the data bit placed there (after it); the mask bits of the
    data modules in placement order as one integer of 0/1 bytes; the symbol's size."""
    layout = _layout(version, error, mask)
    assert layout is not None
    _template, placed = layout
    size = encoder.calc_matrix_size(version)
    picks = list(range(size * size))
    for k, (i, j, _flip) in enumerate(placed):
        picks[i * size + j] = size * size + k
    flips = int.from_bytes(bytes(flip for _i, _j, flip in placed), "big")
    return operator.itemgetter(*picks), flips, size
