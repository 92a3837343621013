"""Count the dossiers of the last 12 months per procedure for search ranking (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import clock
from motcua.dossiers.services import procedure_use_refresh


class Command(BaseCommand):
    help = "Cập nhật số hồ sơ 12 tháng qua của từng thủ tục (xếp hạng kết quả tìm kiếm)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Thời điểm coi là hiện tại, ISO 8601 (giờ Việt Nam nếu không ghi múi giờ).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = (
            clock.aware(dt.datetime.fromisoformat(options["now"]))
            if options["now"]
            else clock.now()
        )
        changed = procedure_use_refresh(now=now)
        self.stdout.write(self.style.SUCCESS(f"Đã cập nhật số hồ sơ của {changed} thủ tục."))
