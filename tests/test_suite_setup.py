"""The suite's own setup (tests/conftest.py): what one test leaves behind does not reach the
next. The two tests run in this order (pytest keeps a file's order)."""

from __future__ import annotations

from django.utils import translation


def test_a_test_may_leave_english_active() -> None:
    translation.activate("en")
    assert translation.get_language() == "en"


def test_the_next_test_starts_in_vietnamese() -> None:
    assert translation.get_language() == "vi"
