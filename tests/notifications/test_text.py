"""Unaccented Vietnamese for SMS, GSM-7 segments, masked recipients."""

from __future__ import annotations

import pytest

from motcua.notifications.text import (
    is_gsm7,
    mask_email,
    mask_phone,
    sms_segments,
    strip_diacritics,
    to_gsm7,
)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Đăng ký hộ kinh doanh", "Dang ky ho kinh doanh"),
        ("Nguyễn Thị Ánh Tuyết", "Nguyen Thi Anh Tuyet"),
        ("ĐỒNG ĐẲNG đường", "DONG DANG duong"),
        ("Phường Hoàn Kiếm, Thành phố Hà Nội", "Phuong Hoan Kiem, Thanh pho Ha Noi"),
        ("ủy quyền, ưu tiên, ơn", "uy quyen, uu tien, on"),
        ("“Giấy chứng nhận” – bản sao…", '"Giay chung nhan" - ban sao...'),
        # decomposed input (NFD, as some keyboards send it) too
        ("Le\u0302\u0323 phi\u0301", "Le phi"),
    ],
)
def test_strip_diacritics(text: str, plain: str) -> None:
    assert strip_diacritics(text) == plain


def test_every_vietnamese_letter_becomes_gsm7() -> None:
    letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    for text in (letters, letters.upper()):
        plain = to_gsm7(text)
        assert is_gsm7(plain)
        assert set(plain.lower()) == set("aeiouyd")


def test_to_gsm7_replaces_what_has_no_plain_form() -> None:
    assert to_gsm7("Giá 5€ ✓") == "Gia 5€ ?"


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters count two septets
        ("{" * 81, 2),
        ("Đ" * 70, 1),  # not GSM-7: UCS-2
        ("Đ" * 71, 2),
    ],
)
def test_sms_segments(text: str, segments: int) -> None:
    assert sms_segments(text) == segments


def test_masks() -> None:
    assert mask_phone("0912345678") == "091****678"
    assert mask_phone("+84912345678") == "+84******678"
    assert mask_phone("12345") == "*****"
    assert mask_email("nguyenvanan@example.vn") == "n***@example.vn"
    assert mask_email("broken") == "******"
