"""Close dossiers whose applicant did not supplement in time (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import clock
from motcua.dossiers.services import dossier_close_unsupplemented


class Command(BaseCommand):
    help = "Đóng các hồ sơ quá hạn bổ sung (supplement_wait_days ngày làm việc kể từ khi yêu cầu)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Thời điểm coi là hiện tại, ISO 8601 (giờ Việt Nam nếu không ghi múi giờ).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = (
            clock.aware(dt.datetime.fromisoformat(options["now"]))
            if options["now"]
            else (clock.now())
        )
        codes = dossier_close_unsupplemented(now=now)
        for code in codes:
            self.stdout.write(code)
        self.stdout.write(self.style.SUCCESS(f"Đã đóng {len(codes)} hồ sơ quá hạn bổ sung."))
