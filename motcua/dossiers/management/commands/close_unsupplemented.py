"""Close dossiers whose applicant did not supplement in time (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.management.now_option import now_argument_add, now_from_options
from motcua.dossiers.services import dossier_close_unsupplemented


class Command(BaseCommand):
    help = "Đóng các hồ sơ quá hạn bổ sung (supplement_wait_days ngày làm việc kể từ khi yêu cầu)."

    def add_arguments(self, parser: CommandParser) -> None:
        now_argument_add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_from_options(options)
        codes = dossier_close_unsupplemented(now=now)
        for code in codes:
            self.stdout.write(code)
        self.stdout.write(self.style.SUCCESS(f"Đã đóng {len(codes)} hồ sơ quá hạn bổ sung."))
