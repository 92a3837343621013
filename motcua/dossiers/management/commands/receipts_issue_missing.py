"""Issue the signed receipts of payments that have none (a signature that failed when the
money moved); Celery beat runs it every 10 minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.core import clock
from motcua.dossiers.services.receipts import dossier_receipts_issue_missing


class Command(BaseCommand):
    help = "Lập biên lai điện tử cho các khoản đã thanh toán nhưng chưa có biên lai."

    def handle(self, *args: Any, **options: Any) -> None:
        issued = dossier_receipts_issue_missing(now=clock.now())
        self.stdout.write(self.style.SUCCESS(f"Đã lập {issued} biên lai."))
