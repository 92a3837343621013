"""Remind the units of the feedback due within 2 working days or late (once a day per
feedback); Celery beat runs it every hour."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.core import clock
from motcua.feedback.services import feedback_reminders_send


class Command(BaseCommand):
    help = "Nhắc các đơn vị những phản ánh sắp đến hạn (2 ngày làm việc) hoặc quá hạn trả lời."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = feedback_reminders_send(now=clock.now())
        self.stdout.write(self.style.SUCCESS(f"Đã nhắc hạn: {sent}."))
