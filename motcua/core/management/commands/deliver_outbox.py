from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.outbox import outbox_counts, outbox_deliver_pending


class Command(BaseCommand):
    help = (
        "Giao các lần giao outbox đến hạn cho bên nhận. "
        "Deliver the due outbox deliveries to their subscribers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=100, help="Số lần giao mỗi lượt nhận (claims per batch)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = outbox_deliver_pending(now=None, batch=max(options["batch"], 1))
        counts = outbox_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã gửi {total} lần giao. Còn chờ: {counts['pending']}, "
                f"thư chết: {counts['dead']}, không có bên nhận: {counts['unrouted']}."
            )
        )
