"""An amount of money in Vietnamese words, as an electronic receipt prints it (Decree 123/2020,
as amended by Decree 70/2025: "Số tiền viết bằng chữ").

    >>> vnd_in_words(1_250_000)
    'Một triệu hai trăm năm mươi nghìn đồng'
    >>> vnd_in_words(105_000)
    'Một trăm linh năm nghìn đồng'
    >>> vnd_in_words(21_000)
    'Hai mươi mốt nghìn đồng'

The reading is the one accounting and invoicing software in Viet Nam prints:
- the number is read in groups of three digits with the scales nghìn (10^3), triệu (10^6),
  tỷ (10^9); above that the scales repeat after "tỷ" (nghìn tỷ, triệu tỷ);
- a group that is all zeros is not read (1,000,500: "một triệu năm trăm");
- a group after the first that has no hundreds is read with "không trăm"
  (1,050,000: "một triệu không trăm năm mươi nghìn");
- tens: 10-19 "mười ...", 20-99 "<digit> mươi ..."; no tens but ones after hundreds: "linh"
  (105: "một trăm linh năm");
- ones: 1 after "mươi" is "mốt" (21: "hai mươi mốt", but 11: "mười một"); 5 after a ten is
  "lăm" (15: "mười lăm", 25: "hai mươi lăm"); 4 stays "bốn" (the formal reading);
- the first letter is upper-case and the words end with "đồng"; zero is "Không đồng".

`tests/payments/test_words.py` checks every rule against an independent parser of the words.
"""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
#: Scales of one group of three digits, lowest first; "tỷ" repeats above them.
SCALES = ("", "nghìn", "triệu")
BILLION = "tỷ"
#: The largest amount read: 10^18 - 1 đồng (far above any fee; receipts use bigint).
MAX_AMOUNT = 10**18 - 1


def _group(number: int, *, leading: bool) -> list[str]:
    """The words of one group of three digits (1-999). A group that is not the leading one
    is read in full ("không trăm", "linh") so the places stay unambiguous."""
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones:
            if words:
                words.append("linh")
            words.append(DIGITS[ones])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if ones == 1:
        words.append("mốt" if tens > 1 else "một")
    elif ones == 5:
        words.append("lăm")
    elif ones:
        words.append(DIGITS[ones])
    return words


def _below_billion(number: int, *, leading: bool) -> list[str]:
    """Words of 0 <= number < 10^9 (the groups with nghìn and triệu)."""
    groups: list[int] = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _group(group, leading=leading and not words)
        if SCALES[index]:
            words.append(SCALES[index])
    return words


def _words(number: int, *, leading: bool) -> list[str]:
    billions, rest = divmod(number, 10**9)
    words: list[str] = []
    if billions:
        words += _words(billions, leading=leading)
        words.append(BILLION)
    words += _below_billion(rest, leading=leading and not words)
    return words


def number_in_words(number: int) -> str:
    """The lower-case Vietnamese reading of a whole number 0 <= number <= MAX_AMOUNT."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("an amount in words needs a whole number of đồng")
    if not 0 <= number <= MAX_AMOUNT:
        raise ValueError(f"amount out of range: 0..{MAX_AMOUNT}")
    if number == 0:
        return DIGITS[0]
    return " ".join(_words(number, leading=True))


def vnd_in_words(amount: int) -> str:
    """The amount as a receipt prints it: capitalised, ending in "đồng"."""
    text = f"{number_in_words(amount)} đồng"
    return text[0].upper() + text[1:]


def vnd_figures(amount: int) -> str:
    """An amount in figures as Vietnamese writes it: dots between thousands (1.250.000)."""
    return f"{int(amount):,}".replace(",", ".")


def _english() -> bool:
    from django.utils import translation

    return (translation.get_language() or "vi").startswith("en")


def vnd_figures_local(amount: int) -> str:
    """An amount in figures as the active language writes it: 1.250.000 in Vietnamese,
    1,250,000 in English (the receipt itself, Vietnamese, uses `vnd_figures`)."""
    return f"{int(amount):,}" if _english() else vnd_figures(amount)


def vnd_text_local(amount: int, *, short: bool = False) -> str:
    """An amount with its currency as the active language writes it: "1.250.000 đồng",
    "1,250,000 VND"; `short`: "1.250.000 đ" (the sign after a no-break space, as pages
    print amounts: it never wraps onto its own line)."""
    if _english():
        return f"{int(amount):,}\u00a0VND" if short else f"{int(amount):,} VND"
    return f"{vnd_figures(amount)}\u00a0đ" if short else f"{vnd_figures(amount)} đồng"
