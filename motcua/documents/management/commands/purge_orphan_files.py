"""Delete stored bytes without a StoredFile row (an upload killed before its commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import clock
from motcua.documents.services import stored_orphans_delete


class Command(BaseCommand):
    help = (
        "Xoá các tệp trong kho lưu trữ không có bản ghi (tải lên bị ngắt trước khi lưu xong). "
        "Delete stored bytes that no stored file row names."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="Chỉ xoá tệp ghi trước hiện tại ít nhất chừng này phút (mặc định 60).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xoá.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = stored_orphans_delete(
            now=clock.now(),
            grace=dt.timedelta(minutes=options["grace_minutes"]),
            dry_run=options["dry_run"],
        )
        verb = "would delete" if options["dry_run"] else "deleted"
        for name in names:
            self.stdout.write(name)
        self.stdout.write(f"{verb} {len(names)} orphan file(s)")
