"""`manage.py import_procedures FILE [--dry-run] [--format json|xlsx|csv]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.io import FORMATS
from motcua.catalog.problems import CatalogInvalid, format_problem
from motcua.catalog.services import catalog_import_file
from motcua.core.clock import now


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục (JSON, XLSX hoặc CSV) — tất cả hoặc không gì cả."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="tệp .json, .xlsx, .zip hoặc thư mục CSV")
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không lưu gì")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"Không có tệp {path} / no such file")

        def progress(stage: str, done: int, total: int) -> None:
            label = {"check": "kiểm tra / checking", "save": "lưu / saving"}[stage]
            self.stdout.write(f"  {label}: {done}/{total}")

        try:
            summary = catalog_import_file(
                path=path,
                fmt=options["format"],
                now=now(),
                dry_run=options["dry_run"],
                progress=progress,
            )
        except CatalogInvalid as exc:
            self.stderr.write(f"{exc.render()} / {len(exc.problems)} problem(s); nothing saved.")
            for p in exc.problems:
                self.stderr.write("  " + format_problem(p))
            raise CommandError(f"{len(exc.problems)} lỗi / errors") from exc
        prefix = "[thử / dry run] " if summary.dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{summary.total} thủ tục / procedures: "
                f"tạo mới / created {summary.created}, cập nhật / updated {summary.updated}, "
                f"không đổi / unchanged {summary.unchanged}; "
                f"phiên bản mới / new versions {summary.versions_created}; "
                f"lĩnh vực mới / new fields {summary.fields_created}, "
                f"trùng tên lĩnh vực có sẵn / matched by name {summary.fields_matched}; "
                f"{summary.seconds:.2f} s"
            )
        )
