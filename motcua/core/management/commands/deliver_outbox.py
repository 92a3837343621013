from __future__ import annotations

import time
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
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Chạy liên tục như một worker (keep delivering, a worker without Celery).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Với --loop: số giây nghỉ khi không còn gì đến hạn (idle sleep).",
        )
        parser.add_argument(
            "--exit-when-idle",
            type=float,
            default=0.0,
            help="Với --loop: dừng sau từng ấy giây không có gì để giao (0: không dừng).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(options["batch"], 1)
        total = outbox_deliver_pending(now=None, batch=batch)
        if options["loop"]:
            idle_since = time.monotonic()
            limit = options["exit_when_idle"]
            while not limit or time.monotonic() - idle_since < limit:
                done = outbox_deliver_pending(now=None, batch=batch)
                total += done
                if done:
                    idle_since = time.monotonic()
                else:
                    time.sleep(max(options["interval"], 0.05))
        counts = outbox_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã gửi {total} lần giao. Còn chờ: {counts['pending']}, "
                f"thư chết: {counts['dead']}, không có bên nhận: {counts['unrouted']}."
            )
        )
