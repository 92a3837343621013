"""Personal identification number, phone and tax code: examples and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from motcua.core.identifiers import (
    BIRTH_PROVINCE_CODES,
    CENTURY_BY_DIGIT,
    InvalidIdentifier,
    PersonalId,
    personal_id_clean,
    personal_id_make,
    personal_id_parse,
    phone_clean,
    tax_code_clean,
)

TODAY = dt.date(2026, 3, 2)


def code_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidIdentifier) as err:
        call(*args, **kwargs)
    return err.value.code


# --- the personal identification number: examples -------------------------------------------


def test_the_63_province_codes_of_the_cards() -> None:
    assert len(BIRTH_PROVINCE_CODES) == 63
    assert (min(BIRTH_PROVINCE_CODES), max(BIRTH_PROVINCE_CODES)) == ("001", "096")
    # Codes of no province: 003, 005, 007, 009, 013, 016, 018, 021, ...
    assert not {"000", "003", "005", "013", "016", "028", "032", "097", "099"} & set(
        BIRTH_PROVINCE_CODES
    )


@pytest.mark.parametrize(
    ("number", "sex", "year"),
    [
        ("001090012345", "male", 1990),
        ("001190000001", "female", 1990),
        ("079203000123", "male", 2003),
        ("048325999999", "female", 2025),
        ("096999000000", "female", 1899),
        ("031800000001", "male", 1800),
    ],
)
def test_a_valid_number_says_where_when_and_who(number: str, sex: str, year: int) -> None:
    parsed = personal_id_parse(number, today=TODAY)

    assert parsed == PersonalId(number=number, province_code=number[:3], sex=sex, birth_year=year)  # type: ignore[arg-type]


def test_spaces_are_ignored_and_the_number_is_normalised() -> None:
    assert personal_id_clean(" 001 090 012 345 ") == "001090012345"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "personal_id_format"),
        ("", "personal_id_format"),
        ("00109001234", "personal_id_format"),  # 11 digits
        ("0010900123456", "personal_id_format"),  # 13 digits
        ("00109001234a", "personal_id_format"),
        ("001-090-012345", "personal_id_format"),
        (1090012345, "personal_id_format"),  # an int lost its leading zeros
        (True, "personal_id_format"),
        (None, "personal_id_format"),
        ("003090012345", "personal_id_province"),
        ("097090012345", "personal_id_province"),
        ("000090012345", "personal_id_province"),
        ("001427000001", "personal_id_future"),  # 2127
        ("001627000001", "personal_id_future"),  # 2227
        ("001227000001", "personal_id_future"),  # 2027, next year
    ],
)
def test_malformed_numbers_are_refused_with_their_code(value: object, code: str) -> None:
    assert code_of(personal_id_parse, value, today=TODAY) == code


def test_the_number_must_agree_with_the_date_of_birth() -> None:
    assert personal_id_parse("001090012345", date_of_birth=dt.date(1990, 5, 12)).birth_year == 1990
    with pytest.raises(InvalidIdentifier) as err:
        personal_id_parse("001090012345", date_of_birth=dt.date(1991, 5, 12))
    assert err.value.code == "personal_id_birth_year"
    assert err.value.message() == (
        "Số định danh cá nhân cho năm sinh 1990, không khớp với ngày sinh 12/05/1991."
    )
    # The century counts: 2090 is not 1990.
    assert code_of(personal_id_parse, "001290012345", date_of_birth=dt.date(1990, 1, 1)) == (
        "personal_id_birth_year"
    )


def test_the_number_must_agree_with_the_sex_when_known() -> None:
    assert personal_id_parse("001190000001", sex="female").sex == "female"
    assert code_of(personal_id_parse, "001190000001", sex="male") == "personal_id_sex"


def test_make_composes_what_parse_reads() -> None:
    number = personal_id_make(province_code="079", birth_year=2003, sex="female", serial=42)

    assert number == "079303000042"
    assert personal_id_parse(number) == PersonalId(number, "079", "female", 2003)


# --- the personal identification number: properties ------------------------------------------

provinces = st.sampled_from(sorted(BIRTH_PROVINCE_CODES))
birth_dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["male", "female"])
serials = st.integers(min_value=0, max_value=999_999)


@given(province=provinces, born=birth_dates, sex=sexes, serial=serials)
def test_every_well_made_number_is_accepted(
    province: str, born: dt.date, sex: str, serial: int
) -> None:
    number = personal_id_make(
        province_code=province,
        birth_year=born.year,
        sex=sex,  # type: ignore[arg-type]
        serial=serial,
    )

    parsed = personal_id_parse(number, date_of_birth=born, sex=sex, today=TODAY)  # type: ignore[arg-type]

    assert (parsed.number, parsed.province_code, parsed.birth_year, parsed.sex) == (
        number,
        province,
        born.year,
        sex,
    )


@given(
    province=provinces,
    born=birth_dates,
    sex=sexes,
    serial=serials,
    position=st.integers(min_value=0, max_value=5),
    digit=st.sampled_from("0123456789"),
)
def test_a_changed_digit_that_breaks_a_rule_is_refused(
    province: str, born: dt.date, sex: str, serial: int, position: int, digit: str
) -> None:
    """Digits 1–6 carry the rules: change one, and the number is refused exactly when the
    new number says another province that does not exist, another year of birth than the
    date of birth, or a sex other than the person's."""
    number = personal_id_make(
        province_code=province,
        birth_year=born.year,
        sex=sex,  # type: ignore[arg-type]
        serial=serial,
    )
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1 :]
    century_digit = int(changed[3])
    year = CENTURY_BY_DIGIT[century_digit] + int(changed[4:6])
    breaks = (
        changed[:3] not in BIRTH_PROVINCE_CODES
        or year != born.year
        or ("male" if century_digit % 2 == 0 else "female") != sex
    )

    def parse() -> PersonalId:
        return personal_id_parse(changed, date_of_birth=born, sex=sex, today=TODAY)  # type: ignore[arg-type]

    if breaks:
        with pytest.raises(InvalidIdentifier):
            parse()
    else:  # another province that exists: still a well-formed number
        assert parse().number == changed


@given(province=provinces, born=birth_dates, sex=sexes, serial=serials)
def test_without_a_date_of_birth_a_changed_year_digit_is_still_checked_against_today(
    province: str, born: dt.date, sex: str, serial: int
) -> None:
    number = personal_id_make(
        province_code=province,
        birth_year=born.year,
        sex=sex,  # type: ignore[arg-type]
        serial=serial,
    )
    future = number[:3] + "4" + number[4:]  # the 2100s

    assert code_of(personal_id_parse, future, today=TODAY) == "personal_id_future"


@given(st.text(max_size=20))
def test_anything_but_twelve_digits_is_a_format_error(text: str) -> None:
    compact = "".join(text.split())
    assume(not (compact.isascii() and compact.isdigit() and len(compact) == 12))

    with pytest.raises(InvalidIdentifier) as err:
        personal_id_parse(text, today=TODAY)

    assert err.value.code == "personal_id_format"


# --- phones and tax codes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0387654321", "0387654321"),
        ("0521234567", "0521234567"),
        ("0701234567", "0701234567"),
        ("0812345678", "0812345678"),
        ("024 3825 1234", "02438251234"),  # Hà Nội landline
        ("(0203) 382 1234", "02033821234"),  # Quảng Ninh landline
        ("+84 24 3825 1234", "02438251234"),
    ],
)
def test_vietnamese_phone_numbers_are_accepted_as_digits(value: str, clean: str) -> None:
    assert phone_clean(value) == clean


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "091234567",  # 9 digits
        "09123456789",  # 11 digits mobile
        "0112345678",  # 01x is no mobile prefix
        "0612345678",  # neither is 06
        "0243825123",  # a landline needs 11 digits
        "01689123456",  # the old 11-digit mobiles were renumbered in 2018
        "1900123456",
        "+1 202 555 0100",
    ],
)
def test_other_phone_numbers_are_refused(value: str) -> None:
    assert code_of(phone_clean, value) == "phone_format"


def test_a_phone_must_be_text() -> None:
    assert code_of(phone_clean, 912345678) == "phone_format"


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("0109876543", "0109876543"),
        ("0109876543-001", "0109876543-001"),
        ("0109876543001", "0109876543-001"),
        (" 0109876543 - 001 ".replace(" ", ""), "0109876543-001"),
    ],
)
def test_tax_codes_of_ten_or_thirteen_digits(value: str, clean: str) -> None:
    assert tax_code_clean(value) == clean


@pytest.mark.parametrize(
    "value", ["", "010987654", "01098765431", "0109876543-01", "0109876543_001", "abcdefghij"]
)
def test_other_tax_codes_are_refused(value: str) -> None:
    assert code_of(tax_code_clean, value) == "tax_code_format"
