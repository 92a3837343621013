"""Alert the one-stop about online dossiers waiting for reception (run every few minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.management.now_option import now_argument_add, now_from_options
from motcua.dossiers.services import dossier_reception_alerts


class Command(BaseCommand):
    help = (
        "Cảnh báo bộ phận một cửa về hồ sơ trực tuyến chưa được tiếp nhận sau "
        "MOTCUA_RECEPTION_ALERT_HOURS giờ làm việc (mỗi hồ sơ một lần)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        now_argument_add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_from_options(options)
        codes = dossier_reception_alerts(now=now)
        for code in codes:
            self.stdout.write(code)
        self.stdout.write(
            self.style.SUCCESS(f"Đã cảnh báo {len(codes)} hồ sơ trực tuyến chờ tiếp nhận.")
        )
