from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.organisation.services import unit_tree_load


class Command(BaseCommand):
    help = (
        "Nạp cây đơn vị của một tỉnh, thành phố (sở, Trung tâm Phục vụ hành chính công, chi "
        "nhánh, phường/xã) từ danh mục đơn vị hành chính. Load a province's unit tree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="01", help="Mã tỉnh (01 = Hà Nội).")
        parser.add_argument(
            "--branches",
            type=int,
            default=None,
            help="Số chi nhánh Trung tâm (mặc định: 30 với Hà Nội, 0 nơi khác).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(name: str, index: int, total: int) -> None:
            if index % 25 == 0 or index == total:
                self.stdout.write(f"  phường/xã {index}/{total}: {name}")

        try:
            summary = unit_tree_load(
                province_code=options["province"], branches=options["branches"], progress=progress
            )
        except DomainError as exc:
            raise CommandError(exc.render()) from exc
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(summary.by_kind.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.province}: {summary.created} đơn vị mới, {summary.updated} cập nhật "
                f"({kinds}); {summary.service_points} điểm phục vụ."
            )
        )
