from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.clock import local, now
from motcua.deadlines.services import calendar_seed


class Command(BaseCommand):
    help = (
        "Nạp ngày nghỉ lễ, Tết và ngày làm bù vào lịch làm việc (thư viện holidays và các quyết "
        "định của Chính phủ). Seed holidays and make-up working days. Rows set by an "
        "administrator are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years",
            nargs="+",
            type=int,
            default=None,
            help="Các năm cần nạp (mặc định: năm trước, năm nay và năm sau).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        moment = now()
        this_year = local(moment).year
        years = options["years"] or [this_year - 1, this_year, this_year + 1]
        total = None
        for year in sorted(set(years)):
            summary = calendar_seed(years=[year], now=moment)
            self.stdout.write(f"  {summary}")
            if total is None:
                total = summary
                continue
            total.years += summary.years
            total.holidays_added += summary.holidays_added
            total.workdays_added += summary.workdays_added
            total.updated += summary.updated
            total.kept += summary.kept
            total.kept_admin += summary.kept_admin
        self.stdout.write(self.style.SUCCESS(f"Tổng cộng {total}."))
