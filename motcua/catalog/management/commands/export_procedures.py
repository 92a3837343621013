"""`manage.py export_procedures FILE [--format json|xlsx|csv]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.io import FORMATS
from motcua.catalog.services import catalog_export_file


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục (phiên bản mới nhất của mỗi thủ tục)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help=".json, .xlsx, .zip (4 CSV) hoặc thư mục (4 CSV)"
        )
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument(
            "--code", action="append", dest="codes", help="chỉ xuất mã này (lặp lại được)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = catalog_export_file(
            path=options["file"], fmt=options["format"], codes=options["codes"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xuất {count} thủ tục / exported {count} procedures -> {options['file']}"
            )
        )
