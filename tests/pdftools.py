"""poppler's command-line tools on PDF bytes: the text as a reader gets it, the fonts embedded,
the page size (used by the official forms' tests)."""

from __future__ import annotations

import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from motcua.dossiers.forms.render import FONT_FAMILY


def run_tool(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "form.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            text=True,
        )
    return out.stdout


def text_of(pdf: bytes) -> str:
    """The text as poppler reads it, NFC, with runs of white space as one space."""
    raw = run_tool("pdftotext", pdf)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", raw))


def fonts_of(pdf: bytes) -> list[str]:
    lines = run_tool("pdffonts", pdf).splitlines()[2:]
    return [line.split()[0] for line in lines if line.strip()]


def assert_only_our_font(pdf: bytes) -> None:
    fonts = fonts_of(pdf)
    assert fonts, "no font embedded"
    for name in fonts:  # subset tag + our family: no fallback font was used anywhere
        assert re.fullmatch(rf"[A-Z]{{6}}\+{FONT_FAMILY}(-\w+)?", name), fonts


def pdfinfo(pdf: bytes) -> dict[str, str]:
    info = {}
    for line in run_tool("pdfinfo", pdf).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_size(pdf: bytes) -> tuple[int, int]:
    width, _, height = pdfinfo(pdf)["Page size"].split()[:3]
    return round(float(width)), round(float(height))
