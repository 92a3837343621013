"""Erase the webhook secrets replaced by a rotation whose grace period is over (run hourly by
the beat job `webhook-secrets-erase`; ADR 0027)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core import clock
from motcua.notifications.webhook_secrets import webhook_previous_secrets_erase


class Command(BaseCommand):
    help = (
        "Xoá khoá ký webhook cũ đã hết thời gian giữ sau khi đổi khoá. "
        "Erase previous webhook secrets whose grace period is over."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Thời điểm coi là hiện tại, ISO 8601 (giờ Việt Nam nếu không ghi múi giờ).",
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
        erased = webhook_previous_secrets_erase(now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xoá {erased} khoá ký cũ hết hạn. / Erased {erased} expired previous secrets."
            )
        )
