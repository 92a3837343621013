"""Delete `Idempotency-Key` records older than MOTCUA_IDEMPOTENCY_TTL_DAYS (run hourly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.api.idempotency import idempotency_purge
from motcua.core import clock


class Command(BaseCommand):
    help = (
        "Xoá các khoá chống gửi trùng (Idempotency-Key) cũ hơn MOTCUA_IDEMPOTENCY_TTL_DAYS "
        "ngày. Purge old idempotency records."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Thời điểm coi là hiện tại, ISO 8601 (giờ Việt Nam nếu không ghi múi giờ).",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Số ngày giữ lại (mặc định: MOTCUA_IDEMPOTENCY_TTL_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = (
                clock.aware(dt.datetime.fromisoformat(options["now"]))
                if options["now"]
                else clock.now()
            )
        except ValueError as exc:
            raise CommandError(f"--now không hợp lệ / bad --now: {options['now']!r}") from exc
        days = settings.MOTCUA_IDEMPOTENCY_TTL_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError("--days phải không âm / must not be negative")
        purged = idempotency_purge(now=now, ttl_days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xoá {purged} khoá chống gửi trùng cũ hơn {days} ngày. / "
                f"Purged {purged} records older than {days} days."
            )
        )
