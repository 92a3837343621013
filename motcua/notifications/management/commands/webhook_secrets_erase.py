"""Erase the webhook secrets replaced by a rotation whose grace period is over (run hourly by
the beat job `webhook-secrets-erase`; ADR 0027)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.core.management.now_option import now_argument_add, now_from_options
from motcua.notifications.webhook_secrets import webhook_previous_secrets_erase


class Command(BaseCommand):
    help = (
        "Xoá khoá ký webhook cũ đã hết thời gian giữ sau khi đổi khoá. "
        "Erase previous webhook secrets whose grace period is over."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        now_argument_add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = now_from_options(options)
        erased = webhook_previous_secrets_erase(now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xoá {erased} khoá ký cũ hết hạn. / Erased {erased} expired previous secrets."
            )
        )
