"""One order for a moment on every page: dd/mm/yyyy HH:MM in Vietnam's time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[2] / "motcua"


def _render(value: object) -> str:
    return Template("{% load web %}[{{ v|when }}]").render(Context({"v": value}))


def test_a_moment_is_written_day_first_in_vietnam_s_time() -> None:
    assert _render(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)) == "[01/01/2027 00:30]"
    assert _render(dt.date(2026, 3, 2)) == "[02/03/2026]"
    assert _render(None) == "[]"


def test_no_page_writes_the_time_before_the_day() -> None:
    """The pages use `when` (or the day-first format): none goes back to "17:00 03/12/2026"."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("templates/**/*.html")
        if re.search(r'date:"H:i d/m/Y"', path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_moment_printed_as_it_is_reads_the_same_in_both_languages() -> None:
    """A datetime a template prints without a filter (a summary list's value) follows the
    project's formats, which say the same as `when`."""
    from django.utils import translation

    moment = dt.datetime(2026, 3, 2, 2, 5, tzinfo=dt.UTC)
    for language in ("vi", "en"):
        with translation.override(language):
            page = Template("{% load web %}{{ v }}|{{ v|when }}").render(Context({"v": moment}))
        assert page == "02/03/2026 09:05|02/03/2026 09:05", language
