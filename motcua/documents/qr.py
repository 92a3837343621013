"""The modules of a QR code, as segno makes them, in a fifth of segno's time.

segno builds every symbol from nothing: the matrix and its function patterns, the
Reed-Solomon error correction through generators of single bits, the codewords placed and
masked module by module, each module checked against the function patterns again. For a
given version and error level (and motcua's fixed mask, `pdf.QR_MASK`) everything but the
data is the same in every symbol, and a receipt's verify address always has the same length,
hence the same version. `qr_matrix_fast` keeps, per version and error level, the symbol
without data (finder, timing and alignment patterns, format and version information, from
segno's own functions) and the placement order of the data modules with their mask bits,
and per symbol only computes the codewords (segno's data encoding, then the same
Reed-Solomon division over segno's tables, one data codeword at a time on an integer of the
remainder's bytes) and places the data modules by one gather (`operator.itemgetter` over
the symbol without data and the masked bits; docs/adr/0033-receipt-pdf-one-walk-and-
released-writer.md).

It answers None where it does not apply (Micro QR codes, several segments, ECI, a layout
whose encoding region does not match the placement) and the caller asks segno; the result
is compared module for module with segno's for many addresses and lengths
(`tests/documents/test_qr_fast.py`).
"""

from __future__ import annotations

import functools
import operator
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


def _ecc(block: list[int], count: int) -> list[int]:
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


def _final_message(version: int, error: int, codewords: list[int]) -> list[int]:
    """`encoder.make_final_message` on whole bytes: the data blocks and their error
    correction blocks interleaved."""
    data_blocks: list[list[int]] = []
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


def qr_matrix_fast(data: str, *, error: str, mask: int) -> tuple[bytearray, ...] | None:
    """`segno.make(data, error=error, micro=False, mask=mask).matrix`, or None where this
    shortcut does not apply (see the module)."""
    segments = encoder.prepare_data(data, None, None)
    if len(segments) != 1:
        return None
    level = encoder.normalize_errorlevel(error)
    version = encoder.find_version(segments, level, eci=False, micro=False)
    if version < 1:
        return None
    level = encoder.boost_error_level(version, level, segments, False)
    buff = encoder.Buffer()
    encoder.write_segment(buff, segments[0], None, encoder.version_range(version), False)
    capacity = _CAPACITY[version][level]
    encoder.write_terminator(buff, capacity, None, len(buff))
    encoder.write_padding_bits(buff, version, len(buff))
    encoder.write_pad_codewords(buff, version, capacity, len(buff))
    layout = _layout(version, level, mask)
    if layout is None:
        return None
    template, placed = layout
    message = _final_message(version, level, list(buff.toints()))
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
