"""Addresses on the two-level units since 1 July 2025 (province/city -> ward/commune/special
zone), with the official codes of the `vietnam-provinces` package, and a street line.

Pure functions, no database: the profile (accounts) uses them; lists for select boxes come
from here too, sorted the Vietnamese way (by name).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

STREET_MAX_LENGTH = 200
_CODE = re.compile(r"^[0-9]{1,5}$")
_SPACES = re.compile(r"\s+")

MESSAGES: dict[str, Promise] = {
    "province_required": _("Chọn tỉnh, thành phố."),
    "province_unknown": _("Không có tỉnh, thành phố mã %(value)s."),
    "ward_required": _("Chọn phường, xã, đặc khu."),
    "ward_unknown": _("Không có phường, xã mã %(value)s."),
    "ward_not_in_province": _("%(ward)s không thuộc %(province)s: chọn lại phường, xã."),
    "street_too_long": _("Số nhà, đường phố dài tối đa %(max)s ký tự."),
}


class InvalidAddress(ValueError):
    """`code` (stable) and `field` (province, ward, street) say what is wrong."""

    def __init__(self, code: str, *, field: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text


@dataclass(frozen=True)
class Address:
    province_code: str  # two digits, e.g. "01" Hà Nội
    ward_code: str  # five digits, e.g. "00070" Phường Hoàn Kiếm
    street: str

    @property
    def province_name(self) -> str:
        return str(Province.from_code(ProvinceCode(int(self.province_code))).name)

    @property
    def ward_name(self) -> str:
        return str(Ward.from_code(WardCode(int(self.ward_code))).name)

    @property
    def text(self) -> str:
        """Written out: "12 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"."""
        return ", ".join(p for p in (self.street, self.ward_name, self.province_name) if p)


def province_get(code: object) -> Province | None:
    text = str(code).strip() if isinstance(code, (str, int)) else ""
    if not _CODE.match(text):
        return None
    try:
        return Province.from_code(ProvinceCode(int(text)))
    except (ValueError, KeyError):
        return None


def address_clean(*, province: object, ward: object, street: object = "") -> Address:
    """The address with canonical codes and a tidy street line, or InvalidAddress."""
    if not str(province or "").strip():
        raise InvalidAddress("province_required", field="province")
    found = province_get(province)
    if found is None:
        raise InvalidAddress("province_unknown", field="province", value=str(province)[:10])
    ward_text = str(ward).strip() if isinstance(ward, (str, int)) else ""
    if not ward_text:
        raise InvalidAddress("ward_required", field="ward")
    if not _CODE.match(ward_text):
        raise InvalidAddress("ward_unknown", field="ward", value=ward_text[:10])
    try:
        found_ward = Ward.from_code(WardCode(int(ward_text)))
    except (ValueError, KeyError) as exc:
        raise InvalidAddress("ward_unknown", field="ward", value=ward_text) from exc
    if found_ward.province_code != found.code:
        raise InvalidAddress(
            "ward_not_in_province", field="ward", ward=found_ward.name, province=found.name
        )
    line = street if isinstance(street, str) else ""
    line = _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip()
    if len(line) > STREET_MAX_LENGTH:
        raise InvalidAddress("street_too_long", field="street", max=STREET_MAX_LENGTH)
    return Address(
        province_code=f"{int(found.code):02d}", ward_code=f"{int(found_ward.code):05d}", street=line
    )


@functools.cache
def provinces_choices() -> tuple[tuple[str, str], ...]:
    """(code, name) of the 34 provinces and cities, by name."""
    return tuple(
        sorted(
            ((f"{int(p.code):02d}", str(p.name)) for p in Province.iter_all()),
            key=lambda item: _sort_key(item[1]),
        )
    )


@functools.cache
def wards_choices(province_code: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of the wards, communes and special zones of a province, by name."""
    province = province_get(province_code)
    if province is None:
        return ()
    return tuple(
        sorted(
            (
                (f"{int(w.code):05d}", str(w.name))
                for w in Ward.iter_all()
                if w.province_code == province.code
            ),
            key=lambda item: _sort_key(item[1]),
        )
    )


def name_sort_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """A key putting Vietnamese names in the order a reader expects: accents and case aside
    (Đ with D), and numbers by their value ("Chi nhánh số 2" before "Chi nhánh số 10")."""
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part) for part in _DIGITS.split(plain) if part
    )


_DIGITS = re.compile(r"(\d+)")
_sort_key = name_sort_key
