"""Page-number pagination: `?page=1&page_size=20` (at most 100) -> `{"items", "count"}`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Số trang, bắt đầu từ 1.")
    page_size: int = Field(
        PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Số mục mỗi trang (tối đa 100)."
    )


def paginate(rows: QuerySet[Any] | Sequence[Any], query: PageQuery) -> dict[str, Any]:
    """One page of `rows` and the total count. A page past the end is empty, not an error."""
    offset = (query.page - 1) * query.page_size
    if isinstance(rows, QuerySet):
        count = rows.count()
        items = list(rows[offset : offset + query.page_size]) if offset < count else []
    else:
        count = len(rows)
        items = list(rows[offset : offset + query.page_size])
    return {"items": items, "count": count}
