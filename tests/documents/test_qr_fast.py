"""`documents.qr.qr_matrix_fast` makes segno's symbol module for module (every version a
verify address or a longer text reaches, levels L, M, Q and H, the receipt's fixed mask and
the others, texts of every mode segno picks), and answers None where it does not apply; a
verify address takes the byte-mode codewords written whole."""

from __future__ import annotations

import random
import string

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from segno import consts, encoder

from motcua.documents.issued import ALPHABET, CODE_LENGTH, verify_path
from motcua.documents.pdf import QR_MASK, qr_matrix
from motcua.documents.qr import _byte_mode_codewords, qr_matrix_fast


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


#: The levels a caller may ask for (the receipt asks M, segno boosts it while it fits).
LEVELS = ["l", "m", "q", "h"]


def _assert_segnos_or_none(data: str, mask: int) -> None:
    """For every level at the receipt's mask, and at level M with `mask`: None or segno's."""
    for error, with_mask in [*((error, QR_MASK) for error in LEVELS), ("m", mask)]:
        fast = qr_matrix_fast(data, error=error, mask=with_mask)
        if fast is not None:
            assert tuple(bytes(row) for row in fast) == _segno(data, error, with_mask)


_masks = st.integers(min_value=0, max_value=7)
_latin1 = st.characters(min_codepoint=0, max_codepoint=255)
_ascii = st.characters(min_codepoint=0, max_codepoint=127)
_codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)
_hosts = st.one_of(
    st.sampled_from(["https://motcua.example.gov.vn", "http://127.0.0.1:8000"]),
    st.from_regex(r"https://[a-z][a-z0-9-]{0,30}(\.[a-z]{2,10}){1,3}", fullmatch=True),
)


@settings(max_examples=150)
@given(data=st.text(alphabet=st.one_of(_ascii, _latin1), min_size=1, max_size=300), mask=_masks)
def test_any_latin1_text_gives_segnos_symbol_or_none(data, mask):
    _assert_segnos_or_none(data, mask)


@settings(max_examples=100)
@given(data=st.text(alphabet=_ascii, min_size=1, max_size=300), mask=_masks)
def test_any_ascii_text_gives_segnos_symbol_or_none(data, mask):
    _assert_segnos_or_none(data, mask)


@settings(max_examples=100)
@given(
    data=st.one_of(
        st.text(alphabet="0123456789", min_size=1, max_size=300),
        st.text(alphabet=consts.ALPHANUMERIC_CHARS.decode(), min_size=1, max_size=300),
    ),
    mask=_masks,
)
def test_numeric_and_alphanumeric_texts_give_segnos_symbol_or_none(data, mask):
    _assert_segnos_or_none(data, mask)
    assert _byte_mode_codewords(data, encoder.normalize_errorlevel("m")) is None


@settings(max_examples=50)
@given(
    data=st.lists(
        st.tuples(st.integers(0x81, 0x9F), st.integers(0x40, 0xFC)), min_size=1, max_size=100
    ).map(lambda pairs: "".join(chr(high) + chr(low) for high, low in pairs)),
    mask=_masks,
)
def test_latin1_texts_segno_reads_as_kanji_give_segnos_symbol_or_none(data, mask):
    """Latin-1 bytes that pair into Shift JIS codes: segno picks kanji mode for them."""
    _assert_segnos_or_none(data, mask)
    assert _byte_mode_codewords(data, encoder.normalize_errorlevel("m")) is None


@settings(max_examples=100)
@given(host=_hosts, code=_codes, slash=st.booleans(), mask=_masks)
def test_every_verify_address_gives_segnos_symbol_by_the_byte_mode_codewords(
    host, code, slash, mask
):
    data = host + (verify_path(code) if slash else verify_path(code).rstrip("/"))
    _assert_segnos_or_none(data, mask)
    for error in LEVELS:
        assert _byte_mode_codewords(data, encoder.normalize_errorlevel(error)) is not None
        assert qr_matrix_fast(data, error=error, mask=QR_MASK) is not None
    assert qr_matrix_fast(data, error="m", mask=mask) is not None


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
