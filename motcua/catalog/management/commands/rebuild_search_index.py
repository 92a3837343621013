"""Refill the SQLite search index (FTS5) from the procedures; nothing to do on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.catalog.services import search_index_rebuild


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm thủ tục (SQLite FTS5; PostgreSQL không cần)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Đã lập chỉ mục {count} thủ tục."))
