"""`documents.qr.qr_matrix_fast` makes segno's symbol module for module (every version a
verify address or a longer text reaches, levels L, M and H, the receipt's fixed mask and
the others), and answers None where it does not apply."""

from __future__ import annotations

import random
import string

import pytest
import segno

from motcua.documents.pdf import QR_MASK, qr_matrix
from motcua.documents.qr import qr_matrix_fast


def _segno(data: str, error: str, mask: int) -> tuple[bytes, ...]:
    return tuple(bytes(row) for row in segno.make(data, error=error, micro=False, mask=mask).matrix)


def _addresses() -> list[str]:
    rng = random.Random(10)
    alphabet = string.ascii_letters + string.digits + "/-._~"
    lengths = [*range(1, 80), 100, 150, 250, 400, 700]
    return [
        "https://dichvucong.example.vn/verify/"
        + "".join(rng.choice(alphabet) for _ in range(length))
        for length in lengths
    ]


@pytest.mark.parametrize("error", ["l", "m", "h"])
def test_the_symbol_is_segnos_module_for_module(error):
    for data in _addresses():
        fast = qr_matrix_fast(data, error=error, mask=QR_MASK)
        assert fast is not None, data
        assert tuple(bytes(row) for row in fast) == _segno(data, error, QR_MASK), data


@pytest.mark.parametrize("mask", range(8))
def test_every_mask_gives_segnos_symbol(mask):
    data = "https://dichvucong.example.vn/verify/7K3MZQ2R/"
    fast = qr_matrix_fast(data, error="m", mask=mask)
    assert fast is not None
    assert tuple(bytes(row) for row in fast) == _segno(data, "m", mask)


@pytest.mark.parametrize("data", ["12345678", "HK26 0000001", "Biên lai số 7"])
def test_other_modes_give_segnos_symbol_or_go_to_segno(data):
    fast = qr_matrix_fast(data, error="m", mask=QR_MASK)
    if fast is not None:
        assert tuple(bytes(row) for row in fast) == _segno(data, "m", QR_MASK)
    assert tuple(bytes(row) for row in qr_matrix(data)) == _segno(data, "m", QR_MASK)


def _ecc_by_product(block: list[int], count: int) -> list[int]:
    """The division `qr._ecc` replaced: one product of the generator at a time."""
    from segno import consts

    log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    generator = consts.GEN_POLY[count]
    work = [*block, *([0] * count)]
    for k in range(len(block)):
        coef = work[k]
        if coef:
            for n in range(count):
                work[k + n + 1] ^= exp[log[coef] + generator[n]]
    return work[len(block) :]


@pytest.mark.parametrize("count", [7, 10, 18, 26, 30])
def test_the_error_correction_is_the_division_by_products(count):
    from motcua.documents.qr import _ecc

    rng = random.Random(count)
    for length in [1, 2, 15, 16, 43, 118]:
        block = [rng.randrange(256) for _ in range(length)]
        assert _ecc(block, count) == _ecc_by_product(block, count)
    assert _ecc([0] * 20, count) == [0] * count
