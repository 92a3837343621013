"""Every Vietnamese message of the signing package has its English line (the documents app
joins tests/core/test_translations.py's APPS when it is installed)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

SIGNING = Path(__file__).resolve().parents[3] / "motcua" / "documents" / "signing"
CATALOGUE = SIGNING.parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"


def _messages() -> set[str]:
    found = set()
    for path in SIGNING.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_signing_message_has_an_english_line():
    with CATALOGUE.open("rb") as handle:
        english = gettext.GNUTranslations(handle)
    messages = _messages()
    assert len(messages) == 13
    assert [m for m in sorted(messages) if english.gettext(m) == m] == []
