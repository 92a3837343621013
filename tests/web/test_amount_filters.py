"""Amounts as each language writes them: "1.250.000 đ" on a Vietnamese page, "1,250,000 VND"
on an English one; the words stay the receipt's Vietnamese."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

PAGE = Template("{% load web %}{{ a|vnd }}|{{ a|money }}|{{ a|money_words }}")


def _page(language: str, amount: int) -> str:
    with translation.override(language):
        return PAGE.render(Context({"a": amount}))


def test_a_vietnamese_page_groups_thousands_with_dots_and_the_dong_sign() -> None:
    assert _page("vi", 1_250_000) == (
        "1.250.000|1.250.000\u00a0đ|Một triệu hai trăm năm mươi nghìn đồng"
    )


def test_an_english_page_groups_thousands_with_commas_and_says_vnd() -> None:
    assert _page("en", 1_250_000) == (
        "1,250,000|1,250,000\u00a0VND|Một triệu hai trăm năm mươi nghìn đồng"
    )
    assert _page("en", 500) == "500|500\u00a0VND|Năm trăm đồng"


def test_nothing_for_no_amount() -> None:
    with translation.override("en"):
        assert Template("{% load web %}[{{ a|money }}]").render(Context({"a": None})) == "[]"


def test_the_plain_helpers_follow_the_active_language() -> None:
    from motcua.payments.words import vnd_figures, vnd_figures_local, vnd_text_local

    with translation.override("en"):
        assert (vnd_figures_local(52_000), vnd_text_local(52_000)) == ("52,000", "52,000 VND")
        assert vnd_figures(52_000) == "52.000"  # the receipt's own, always Vietnamese
    with translation.override("vi"):
        assert (vnd_figures_local(52_000), vnd_text_local(52_000)) == ("52.000", "52.000 đồng")
