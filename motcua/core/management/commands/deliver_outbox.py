from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.clock import now
from motcua.core.outbox import outbox_deliver_pending


class Command(BaseCommand):
    help = "Gửi các thông điệp còn chờ trong outbox. Deliver pending outbox messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=100, help="Số thông điệp mỗi giao dịch (rows per batch)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = outbox_deliver_pending(now=now(), batch=max(options["batch"], 1))
        self.stdout.write(self.style.SUCCESS(f"Đã gửi {total} thông điệp."))
