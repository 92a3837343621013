"""Alert the one-stop about online dossiers waiting for reception (run every few minutes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core import clock
from motcua.dossiers.services import dossier_reception_alerts


class Command(BaseCommand):
    help = (
        "Cảnh báo bộ phận một cửa về hồ sơ trực tuyến chưa được tiếp nhận sau "
        "MOTCUA_RECEPTION_ALERT_HOURS giờ làm việc (mỗi hồ sơ một lần)."
    )

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
        codes = dossier_reception_alerts(now=now)
        for code in codes:
            self.stdout.write(code)
        self.stdout.write(
            self.style.SUCCESS(f"Đã cảnh báo {len(codes)} hồ sơ trực tuyến chờ tiếp nhận.")
        )
