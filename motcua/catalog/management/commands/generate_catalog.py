"""`manage.py generate_catalog --count 2100 --out FILE [--seed N]`: a synthetic catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.generator import generate_catalog
from motcua.catalog.io import FORMATS, write_document


class Command(BaseCommand):
    help = "Sinh danh mục thủ tục giả lập (mã SYN.000001…) để thử tải."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=2100)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--format", choices=FORMATS, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        document = generate_catalog(count=options["count"], seed=options["seed"])
        fmt = write_document(document, options["out"], options["format"])
        self.stdout.write(
            self.style.SUCCESS(f"{options['count']} thủ tục giả lập ({fmt}) -> {options['out']}")
        )
