from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, connections

from motcua.core.outbox import outbox_counts, outbox_deliver_pending

logger = logging.getLogger("motcua.core.outbox")

# A pass the database broke (restarted, unreachable): the loop waits, reconnects and goes on.
# Nothing is lost: the pass's leases expire and its deliveries are taken again.
RECONNECT_FIRST_S = 0.2
RECONNECT_MAX_S = 30.0


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
        if not options["loop"]:
            total = outbox_deliver_pending(now=None, batch=batch)
        else:
            total = self._loop(
                batch=batch, interval=options["interval"], limit=options["exit_when_idle"]
            )
        counts = outbox_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã gửi {total} lần giao. Còn chờ: {counts['pending']}, "
                f"thư chết: {counts['dead']}, không có bên nhận: {counts['unrouted']}."
            )
        )

    def _loop(self, *, batch: int, interval: float, limit: float) -> int:
        """Deliver until idle for `limit` seconds (0: forever). A database that goes away
        (a restart, a failover) does not end the worker: it backs off, reconnects, goes on."""
        total = 0
        failures = 0
        idle_since = time.monotonic()
        while not limit or time.monotonic() - idle_since < limit:
            try:
                done = outbox_deliver_pending(now=None, batch=batch)
            except (OperationalError, InterfaceError) as error:
                failures += 1
                wait = min(RECONNECT_FIRST_S * 2 ** (failures - 1), RECONNECT_MAX_S)
                logger.warning(
                    "outbox pass failed (%s), reconnecting in %.1f s (attempt %d)",
                    type(error).__name__,
                    wait,
                    failures,
                )
                connections.close_all()
                time.sleep(wait)
                # not idle: the broken pass may have run long, and its leases are still due
                idle_since = time.monotonic()
                continue
            failures = 0
            total += done
            if done:
                idle_since = time.monotonic()
            else:
                time.sleep(max(interval, 0.05))
        return total
