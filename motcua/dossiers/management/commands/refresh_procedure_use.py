"""Count the dossiers of the last 12 months per procedure for search ranking (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.management.now_option import now_argument_add, now_from_options
from motcua.dossiers.services import procedure_use_refresh


class Command(BaseCommand):
    help = "Cập nhật số hồ sơ 12 tháng qua của từng thủ tục (xếp hạng kết quả tìm kiếm)."

    def add_arguments(self, parser: CommandParser) -> None:
        now_argument_add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_from_options(options)
        changed = procedure_use_refresh(now=now)
        self.stdout.write(self.style.SUCCESS(f"Đã cập nhật số hồ sơ của {changed} thủ tục."))
