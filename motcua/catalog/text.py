"""Accent-insensitive text for search: "Đăng ký khai sinh" and "dang ky khai sinh" fold alike."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, Vietnamese diacritics removed (đ -> d), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def search_text(*, code: str, name: str, name_en: str = "") -> str:
    """The value of `Procedure.search_text`: code, folded Vietnamese name, folded English name."""
    return " ".join(part for part in (code.lower(), fold(name), fold(name_en)) if part)


#: What, in free text, asks for a certified copy (accents folded): "bản sao (có/được) chứng
#: thực", "sao y (bản chính)", "photo/bản sao công chứng".
_ASKS_CERTIFIED_COPY = re.compile(
    r"\bban sao (co |duoc )?chung thuc\b|\bsao y\b|\b(photo|ban sao) cong chung\b"
)


def asks_certified_copy(text: str) -> bool:
    """Whether free text asks for a certified copy (however it is worded at the counter)."""
    return bool(_ASKS_CERTIFIED_COPY.search(fold(text)))
