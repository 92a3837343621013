"""The demo bank's statement of a day, from its own book (what the bank saw, not motcua's
orders): `manage.py payments_statement --gateway sandbox --date 2026-12-01 [-o FILE]`,
in the VNPay-style columns that `payments_reconcile` reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.paygate_demo.services import bank_statement_write


class Command(BaseCommand):
    help = (
        "Xuất sao kê trong ngày của ngân hàng trình diễn (cổng sandbox). "
        "Export the sandbox bank's statement of a day (CSV)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gateway", default="sandbox", help="Chỉ có sandbox.")
        parser.add_argument(
            "--date", required=True, type=dt.date.fromisoformat, help="Ngày, yyyy-mm-dd."
        )
        parser.add_argument("-o", "--output", help="Tệp kết quả (mặc định: in ra màn hình).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["gateway"] != "sandbox":
            raise CommandError(
                "Chỉ ngân hàng trình diễn (sandbox) có sổ giao dịch trong hệ thống; "
                "sao kê của cổng khác do ngân hàng gửi."
            )
        day = options["date"]
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                count = bank_statement_write(day=day, out=out)
        else:
            count = bank_statement_write(day=day, out=self.stdout)
        self.stderr.write(f"{count} dòng sao kê ngày {day:%d/%m/%Y}")
