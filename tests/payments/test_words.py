"""The amount in words on a receipt, checked against a second, independent reading: a strict
parser (below) that knows the grammar of Vietnamese numerals and reads the words back into
the number. It shares no code with `motcua.payments.words` and reads by a different method
(a regular grammar per group of three, then the scales), so a mistake in either shows."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.payments.words import MAX_AMOUNT, number_in_words, vnd_in_words

_DIGIT = {
    "không": 0, "một": 1, "hai": 2, "ba": 3, "bốn": 4,
    "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
}  # fmt: skip
_D = "(không|một|hai|ba|bốn|năm|sáu|bảy|tám|chín)"
_D1 = "(một|hai|ba|bốn|năm|sáu|bảy|tám|chín)"  # a digit that is not zero
_D2 = "(hai|ba|bốn|năm|sáu|bảy|tám|chín)"  # a tens digit that takes "mươi"
# ones after "mười": never "mốt", "lăm" for five; after "<d> mươi": "mốt" for one, "lăm" for five
_AFTER_MUOI_1 = "(một|hai|ba|bốn|lăm|sáu|bảy|tám|chín)"
_AFTER_MUOI = "(mốt|hai|ba|bốn|lăm|sáu|bảy|tám|chín)"
_GROUP = re.compile(
    rf"^(?:(?P<h>{_D}) trăm)?"
    rf"(?: ?(?:(?P<ten>mười)(?: (?P<o1>{_AFTER_MUOI_1}))?"
    rf"|(?P<t>{_D2}) mươi(?: (?P<o2>{_AFTER_MUOI}))?"
    rf"|(?P<linh>linh) (?P<o3>{_D1})"
    rf"|(?P<o4>{_D1})))?$"
)
_ONES = {**_DIGIT, "mốt": 1, "lăm": 5}


def _read_group(text: str, *, leading: bool) -> int:
    match = _GROUP.match(text)
    assert text, "an empty group"
    assert match, f"not a group of three: {text!r}"
    h = match["h"]
    if not leading:
        assert h is not None, f"a group after the first names its hundreds: {text!r}"
    if match["linh"]:
        assert h is not None, f"'linh' only follows hundreds: {text!r}"
    if match["o4"]:
        assert h is None, f"after hundreds, lone ones take 'linh': {text!r}"
    hundreds = _DIGIT[h] if h else 0
    tens = 1 if match["ten"] else _DIGIT[match["t"]] if match["t"] else 0
    ones_word = match["o1"] or match["o2"] or match["o3"] or match["o4"]
    value = hundreds * 100 + tens * 10 + (_ONES[ones_word] if ones_word else 0)
    assert value > 0, f"an all-zero group is never read: {text!r}"
    return value


def _read_below_billion(text: str, *, leading: bool) -> int:
    # split on the scales, highest first; each scale at most once, in order
    total = 0
    rest = text
    first = leading
    for word, scale in (("triệu", 10**6), ("nghìn", 10**3)):
        head, sep, tail = rest.partition(f" {word}")
        if sep and (not tail or tail.startswith(" ")):
            total += _read_group(head.strip(), leading=first) * scale
            first = False
            rest = tail.strip()
    if rest:
        total += _read_group(rest, leading=first)
    return total


def read_words(text: str) -> int:
    """The number the words say (the independent reading)."""
    if text == "không":
        return 0
    parts = text.split(" tỷ")
    # "... tỷ ... tỷ": the billions are read recursively, the last part is below a billion
    head, last = parts[:-1], parts[-1].strip()
    billions = 0
    if head:
        billions = read_words(" tỷ".join(head).strip())
        assert billions > 0
    below = _read_below_billion(last, leading=not head) if last else 0
    return billions * 10**9 + below


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        # the three readings the issue gives
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (15, "Mười lăm đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (100, "Một trăm đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (1_000_500, "Một triệu năm trăm đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
        (1_000_000_000_050, "Một nghìn tỷ không trăm năm mươi đồng"),
        (1_002_000_000_000, "Một nghìn không trăm linh hai tỷ đồng"),
    ],
)
def test_known_readings(amount: int, words: str) -> None:
    assert vnd_in_words(amount) == words


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_every_amount_reads_back_to_itself(amount: int) -> None:
    assert read_words(number_in_words(amount)) == amount


@given(st.integers(min_value=0, max_value=10**7))
def test_every_fee_sized_amount_reads_back_to_itself(amount: int) -> None:
    # the amounts receipts carry most: dense below ten million đồng
    words = vnd_in_words(amount)
    assert words[0].isupper()
    assert words.endswith(" đồng")
    assert read_words(words[0].lower() + words[1 : -len(" đồng")]) == amount


def test_the_parser_refuses_what_a_receipt_must_never_print() -> None:
    # the second reading is strict, so a round trip proves the grammar, not just the value
    for wrong in (
        "một mươi",  # ten is "mười"
        "mười mốt",  # eleven is "mười một"
        "hai mươi một",  # twenty-one is "hai mươi mốt"
        "hai mươi năm",  # twenty-five is "hai mươi lăm"
        "một trăm năm",  # 105 is "một trăm linh năm"
        "một nghìn năm",  # 1,005 is "một nghìn không trăm linh năm"
        "một triệu không trăm không nghìn",
    ):
        with pytest.raises(AssertionError):
            read_words(wrong)


@pytest.mark.parametrize("bad", [-1, MAX_AMOUNT + 1])
def test_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        number_in_words(bad)


@pytest.mark.parametrize("bad", [1.5, True, "100"])
def test_only_whole_numbers(bad: object) -> None:
    with pytest.raises(TypeError):
        number_in_words(bad)  # type: ignore[arg-type]
