"""SMS text: Vietnamese without diacritics (as brand-name SMS is sent), GSM-7 segments.

A brand-name SMS in Vietnam is sent unaccented: an accented text is UCS-2, 70 characters a
segment instead of 160, and costs two or three times as much.
"""

from __future__ import annotations

import unicodedata

# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

_SPECIAL = {"đ": "d", "Đ": "D", "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'"}
_SPECIAL.update({"\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00a0": " "})


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks: "Đăng ký hộ kinh doanh" -> "Dang ky ho kinh doanh"
    (đ/Đ -> d/D, tones and vowel marks dropped; typographic quotes and dashes made plain)."""
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
            continue
        decomposed = unicodedata.normalize("NFD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return unicodedata.normalize("NFC", "".join(out))


def to_gsm7(text: str) -> str:
    """`strip_diacritics`, then anything still outside GSM-7 becomes "?"; the result
    always fits the 7-bit alphabet."""
    plain = strip_diacritics(text)
    return "".join(c if c in GSM7_BASIC or c in GSM7_EXTENDED else "?" for c in plain)


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def septets(text: str) -> int:
    """Length in GSM-7 septets (an extension character counts two)."""
    return sum(2 if c in GSM7_EXTENDED else 1 for c in text)


def sms_segments(text: str) -> int:
    """How many SMS parts the text takes: GSM-7 160 in one part, 153 each when
    concatenated; otherwise UCS-2, 70 and 67."""
    if not text:
        return 1
    if is_gsm7(text):
        length, single, multi = septets(text), 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if length <= single:
        return 1
    return -(-length // multi)


def mask_phone(phone: str) -> str:
    """ "0912345678" -> "091****678": enough for the owner to recognise, not to dial."""
    digits = phone.strip()
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 6) + digits[-3:]


def mask_email(email: str) -> str:
    """ "nguyenvanan@example.vn" -> "n***@example.vn"."""
    local, sep, domain = email.partition("@")
    if not sep:
        return "*" * len(email)
    return (local[:1] + "***" if local else "***") + "@" + domain


def mask_recipient(channel: str, recipient: str) -> str:
    if channel == "sms":
        return mask_phone(recipient)
    if channel == "email":
        return mask_email(recipient)
    return ""
