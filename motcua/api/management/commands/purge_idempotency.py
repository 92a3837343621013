"""Delete `Idempotency-Key` records older than MOTCUA_IDEMPOTENCY_TTL_DAYS (run hourly)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.api.idempotency import idempotency_purge
from motcua.core.management.now_option import now_argument_add, now_from_options


class Command(BaseCommand):
    help = (
        "Xoá các khoá chống gửi trùng (Idempotency-Key) cũ hơn MOTCUA_IDEMPOTENCY_TTL_DAYS "
        "ngày. Purge old idempotency records."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        now_argument_add(parser)
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Số ngày giữ lại (mặc định: MOTCUA_IDEMPOTENCY_TTL_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_from_options(options)
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
