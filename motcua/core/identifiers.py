"""Vietnamese identifiers: the personal identification number, phone numbers, tax codes.

Pure functions, no database: the e-forms (catalog), the dossier services and the profiles
use them. Each `*_clean` returns the normalised value or raises `InvalidIdentifier` with a
stable `code` and a Vietnamese message (English in the core catalogue).

The personal identification number (số định danh cá nhân, the 12 digits on the chip-based
identity card; Decree 137/2015 Art. 13, Circular 59/2021/TT-BCA Art. 7):
- digits 1–3: the code of the province where the birth was registered (the 63 pre-2025
  province codes, as issued on the cards; the 34 provinces of July 2025 kept codes of this list);
- digit 4: century of birth and sex: 0/1 1900s male/female, 2/3 2000s, 4/5 2100s, 6/7 2200s,
  8/9 1800s (even: male, odd: female);
- digits 5–6: the last two digits of the year of birth;
- digits 7–12: a random number (nothing to check).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Sex = Literal["male", "female"]

# The 63 province codes of birth registration printed on identity cards (Circular 59/2021,
# Appendix: same numbering as the pre-2025 administrative codes).
BIRTH_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hoà Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hoá",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hoà",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}
# Digit 4 -> first year of the century it encodes.
CENTURY_BY_DIGIT: dict[int, int] = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100}
CENTURY_BY_DIGIT.update({6: 2200, 7: 2200, 8: 1800, 9: 1800})

_DIGITS_12 = re.compile(r"^[0-9]{12}$")
_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x + 7 digits.
_MOBILE = re.compile(r"^0[35789][0-9]{8}$")
# Landlines since 2017: 0 + a 2- or 3-digit area code starting with 2 + subscriber: 11 digits.
_LANDLINE = re.compile(r"^02[0-9]{9}$")
_TAX_CODE = re.compile(r"^([0-9]{10})(?:-?([0-9]{3}))?$")

MESSAGES: dict[str, Promise] = {
    "personal_id_format": _("Số định danh cá nhân phải gồm đúng 12 chữ số."),
    "personal_id_province": _(
        "Ba chữ số đầu của số định danh cá nhân (%(province)s) không phải mã tỉnh, thành phố nơi "
        "đăng ký khai sinh."
    ),
    "personal_id_future": _(
        "Số định danh cá nhân cho năm sinh %(year)s, sau năm hiện tại: kiểm tra chữ số thứ tư "
        "(thế kỷ, giới tính) và chữ số thứ năm, sáu (năm sinh)."
    ),
    "personal_id_birth_year": _(
        "Số định danh cá nhân cho năm sinh %(year)s, không khớp với ngày sinh %(date)s."
    ),
    "personal_id_sex": _("Chữ số thứ tư của số định danh cá nhân không khớp với giới tính."),
    "phone_format": _(
        "Số điện thoại không hợp lệ: số di động gồm 10 chữ số (03, 05, 07, 08, 09...), số cố "
        "định gồm 11 chữ số (02...)."
    ),
    "tax_code_format": _(
        "Mã số thuế gồm 10 chữ số, hoặc 13 chữ số viết dạng NNNNNNNNNN-NNN với đơn vị phụ thuộc."
    ),
}


class InvalidIdentifier(ValueError):
    """A malformed identifier: `code` is stable, `message()` is for people (lazy)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text


@dataclass(frozen=True)
class PersonalId:
    number: str
    province_code: str
    sex: Sex
    birth_year: int

    @property
    def province_name(self) -> str:
        return BIRTH_PROVINCE_CODES[self.province_code]


def personal_id_parse(
    value: object,
    *,
    date_of_birth: dt.date | None = None,
    sex: Sex | None = None,
    today: dt.date | None = None,
) -> PersonalId:
    """Read and check a personal identification number. Spaces are ignored; anything else
    than 12 digits is refused. With `date_of_birth` the encoded year must be its year; with
    `today` it must not lie in the future; with `sex` the fourth digit must agree."""
    text = re.sub(r"\s", "", str(value)) if isinstance(value, (str, int)) else ""
    if isinstance(value, bool) or not _DIGITS_12.match(text):
        raise InvalidIdentifier("personal_id_format")
    province = text[:3]
    if province not in BIRTH_PROVINCE_CODES:
        raise InvalidIdentifier("personal_id_province", province=province)
    digit = int(text[3])
    year = CENTURY_BY_DIGIT[digit] + int(text[4:6])
    if today is not None and year > today.year:
        raise InvalidIdentifier("personal_id_future", year=year)
    if date_of_birth is not None and date_of_birth.year != year:
        raise InvalidIdentifier(
            "personal_id_birth_year", year=year, date=date_of_birth.strftime("%d/%m/%Y")
        )
    decoded: Sex = "male" if digit % 2 == 0 else "female"
    if sex is not None and sex != decoded:
        raise InvalidIdentifier("personal_id_sex")
    return PersonalId(number=text, province_code=province, sex=decoded, birth_year=year)


def personal_id_clean(
    value: object,
    *,
    date_of_birth: dt.date | None = None,
    sex: Sex | None = None,
    today: dt.date | None = None,
) -> str:
    """The normalised number (12 digits) or InvalidIdentifier; see `personal_id_parse`."""
    return personal_id_parse(value, date_of_birth=date_of_birth, sex=sex, today=today).number


def personal_id_make(*, province_code: str, birth_year: int, sex: Sex, serial: int) -> str:
    """Compose a number from its parts (demo data, tests). `serial` fills digits 7–12."""
    century = birth_year // 100 * 100
    first = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 1800: 8}[century]
    digit = first + (1 if sex == "female" else 0)
    return f"{province_code}{digit}{birth_year % 100:02d}{serial % 1_000_000:06d}"


def phone_clean(value: object) -> str:
    """A Vietnamese mobile (10 digits) or landline (11 digits) as digits with the leading 0.
    Spaces, dots, dashes and brackets are ignored; +84 / 84 become 0."""
    if not isinstance(value, str):
        raise InvalidIdentifier("phone_format")
    text = _SEPARATORS.sub("", value)
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if not (_MOBILE.match(text) or _LANDLINE.match(text)):
        raise InvalidIdentifier("phone_format")
    return text


def tax_code_clean(value: object) -> str:
    """A tax code: 10 digits, or 13 for a dependent unit written `NNNNNNNNNN-NNN` (the dash
    is added when missing). The check digit is not verified."""
    text = re.sub(r"\s", "", value) if isinstance(value, str) else ""
    match = _TAX_CODE.match(text)
    if not match:
        raise InvalidIdentifier("tax_code_format")
    return match[1] if match[2] is None else f"{match[1]}-{match[2]}"
