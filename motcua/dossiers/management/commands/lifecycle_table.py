"""Print the lifecycle transition table (Markdown) generated from the lifecycle data, or
write it into a document between `<!-- lifecycle-table:start -->` and `:end -->`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.dossiers.lifecycle import lifecycle_doc_replace, lifecycle_markdown


class Command(BaseCommand):
    help = "In bảng chuyển trạng thái hồ sơ (Markdown) sinh từ dữ liệu vòng đời hồ sơ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", metavar="FILE", help="Ghi bảng vào tài liệu (giữa hai mốc).")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options.get("write")
        if not target:
            self.stdout.write(lifecycle_markdown(), ending="")
            return
        path = Path(target)
        try:
            text = lifecycle_doc_replace(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"{path}: bảng vòng đời hồ sơ đã cập nhật.")
