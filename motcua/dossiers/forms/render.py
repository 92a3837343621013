"""HTML to PDF with WeasyPrint, in the layout of Decree 30/2020/NĐ-CP.

A4 (or A5 for the receipt), margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm, a serif
font metric-compatible with Times New Roman: Liberation Serif 2 (Debian's fonts-liberation2,
`make fonts`), loaded by file path under a family name of our own (`MotcuaSerif`) so that
fontconfig can never substitute another font (Liberation 1, also installed on Debian, lacks
most Vietnamese letters). ADR: docs/adr/0016-official-forms.md.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from motcua.core.clock import local

# WeasyPrint and fontTools log every font subset and CSS hint at INFO/WARNING.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FAMILY = "MotcuaSerif"
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}

#: Page sizes, margins (mm: top, right, bottom, left) and body font size (pt); Decree
#: 30/2020 Appendix I for A4; A5 and the landscape book: docs/forms.md.
PAGES: dict[str, dict[str, Any]] = {
    "a4": {"size": "A4", "margins": (20, 15, 20, 30), "font_pt": 13},
    "a4-landscape": {"size": "A4 landscape", "margins": (20, 15, 20, 20), "font_pt": 11},
    "a5": {"size": "A5", "margins": (15, 10, 15, 20), "font_pt": 11},
}


def font_dir() -> Path:
    return Path(settings.MOTCUA_FORMS_FONT_DIR)


@functools.lru_cache(maxsize=4)
def _font_faces(directory: str) -> str:
    faces = []
    for (weight, style), name in FONT_FILES.items():
        uri = (Path(directory) / name).as_uri()
        faces.append(
            f"@font-face {{ font-family: {FONT_FAMILY}; font-weight: {weight}; "
            f"font-style: {style}; src: url({uri}); }}"
        )
    return "\n".join(faces)


def page_css(page: str) -> str:
    spec = PAGES[page]
    top, right, bottom, left = spec["margins"]
    return (
        _font_faces(str(font_dir()))
        + f"\n@page {{ size: {spec['size']}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}"
        + f"\nhtml {{ font-family: {FONT_FAMILY}; font-size: {spec['font_pt']}pt; }}"
    )


def lookup_url(code: str) -> str:
    """The public look-up of a dossier, printed as a QR code on every form."""
    base = str(settings.MOTCUA_PUBLIC_URL).rstrip("/")
    return f"{base}/lookup/?code={quote(code, safe='')}"


def qr_data_uri(text: str) -> str:
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=0))


def date_line(place: str, when: dt.datetime) -> str:
    """ "Hà Nội, ngày 05 tháng 3 năm 2026" (Decree 30: day under 10 and months 1, 2 with a
    leading zero)."""
    day = local(when).date()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text.capitalize()


def vn_date(when: dt.datetime | dt.date | None) -> str:
    if when is None:
        return ""
    if isinstance(when, dt.datetime):
        return local(when).strftime("%d/%m/%Y")
    return when.strftime("%d/%m/%Y")


def vn_time(when: dt.datetime | None) -> str:
    return local(when).strftime("%H:%M") if when is not None else ""


def vn_datetime(when: dt.datetime | None) -> str:
    """ "10 giờ 05 phút, ngày 02/03/2026", as the forms write an instant."""
    if when is None:
        return ""
    moment = local(when)
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d/%m/%Y}"


STYLESHEET = Path(__file__).with_name("forms.css")

# Parsing the stylesheets and loading the four font files is most of a render's cost: each
# thread keeps its FontConfiguration and parsed stylesheets (WeasyPrint's objects are not
# shared between threads), per font directory and page.
_local = threading.local()
# Drop the main thread's WeasyPrint objects before the interpreter tears its modules down
# (FontConfiguration.__del__ would otherwise run without them and print a TypeError).
atexit.register(_local.__dict__.clear)


def _stylesheets(page: str) -> tuple[Any, list[Any]]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    key = (str(font_dir()), page)
    cache: dict[tuple[str, str], tuple[Any, list[Any]]] = _local.__dict__.setdefault("css", {})
    if key not in cache:
        fonts = FontConfiguration()
        cache[key] = (
            fonts,
            [
                CSS(string=page_css(page), font_config=fonts),
                CSS(filename=str(STYLESHEET), font_config=fonts),
            ],
        )
    return cache[key]


def html_render(*, template: str, context: dict[str, Any], page: str = "a4") -> str:
    """The form's HTML, always in Vietnamese (legal text), whatever the request's language."""
    with translation.override("vi"):
        return render_to_string(template, {**context, "page": page})


def pdf_from_html(html: str, *, page: str = "a4") -> bytes:
    from weasyprint import HTML

    fonts, stylesheets = _stylesheets(page)
    pdf = HTML(string=html, base_url=str(font_dir())).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
    assert pdf is not None
    return bytes(pdf)


def pdf_render(*, template: str, context: dict[str, Any], page: str = "a4") -> bytes:
    """The template rendered on `page` (a4, a5, a4-landscape), as PDF bytes."""
    return pdf_from_html(html_render(template=template, context=context, page=page), page=page)
