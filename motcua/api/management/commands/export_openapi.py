"""Write the API's OpenAPI document: `python manage.py export_openapi docs/openapi.json`.

The committed snapshot is compared with the live schema by tests/api/test_openapi.py, so a
change to the API shows up as a diff in review. Regenerate with this command after a change.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.api.main import openapi_document


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1 (to a file, or stdout with '-')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", nargs="?", default="-", help="file path, or - for stdout")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        text = openapi_document_text()
        if output == "-":
            sys.stdout.write(text)
            return
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        self.stdout.write(self.style.SUCCESS(f"written: {output}"))


def openapi_document_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
