"""Export a unit's certification book (sổ chứng thực) for a year as CSV or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.documents.selectors import certification_book, certification_book_export
from motcua.organisation.models import Unit


class Command(BaseCommand):
    help = (
        "Xuất sổ chứng thực bản sao từ bản chính của một đơn vị trong một năm (CSV hoặc XLSX). "
        "Export a unit's certification book for a year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị, vd 00070.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument(
            "--output", help="Tệp kết quả (mặc định: in ra màn hình với CSV, bắt buộc với XLSX)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị {options['unit']}.")
        entries = certification_book(unit=unit, year=options["year"])
        output = options["output"]
        if output is None:
            if options["format"] == "xlsx":
                raise CommandError("XLSX cần --output.")
            count = certification_book_export(entries=entries, out=sys.stdout.buffer, fmt="csv")
        else:
            with Path(output).open("wb") as out:
                count = certification_book_export(entries=entries, out=out, fmt=options["format"])
        self.stderr.write(f"{count} entries ({unit.code}, {options['year']})")
