"""`manage.py merge_duplicate_fields [--dry-run]`: a data repair for fields (lĩnh vực) whose
names fold alike ("Hộ tịch" imported twice under two codes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.catalog.services import field_merge_duplicates
from motcua.core.clock import now


class Command(BaseCommand):
    help = (
        "Gộp các lĩnh vực trùng tên (không phân biệt hoa thường, dấu, khoảng trắng) vào lĩnh "
        "vực tạo đầu tiên."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không gộp")

    def handle(self, *args: Any, **options: Any) -> None:
        groups = field_merge_duplicates(actor=None, now=now(), dry_run=options["dry_run"])
        for kept, merged in groups:
            self.stdout.write(f"{kept} <- {', '.join(merged)}")
        verb = "sẽ gộp / would merge" if options["dry_run"] else "đã gộp / merged"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}: {sum(len(m) for _k, m in groups)} lĩnh vực / fields")
        )
