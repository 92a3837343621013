from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.clock import now
from motcua.core.outbox import outbox_deliver_pending


class Command(BaseCommand):
    help = "Gửi các thông điệp còn chờ trong outbox. Deliver pending outbox messages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while total < options["limit"]:
            delivered = outbox_deliver_pending(now=now(), limit=min(100, options["limit"]))
            if not delivered:
                break
            total += delivered
        self.stdout.write(self.style.SUCCESS(f"Đã gửi {total} thông điệp."))
