"""Units (đơn vị): the public list, for choosing where to file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.organisation.models import Unit
from motcua.organisation.selectors import unit_list

from .enums import UnitKind, UnitLevel
from .errors import PUBLIC_ERRORS
from .pagination import PageQuery, paginate
from .throttling import lookup_throttle

router = Router(tags=["units"])


class UnitFilters(PageQuery):
    province: str | None = Field(None, max_length=2, description="Mã tỉnh, vd 01 (Hà Nội).")
    level: UnitLevel | None = Field(None, description="Cấp: province | commune.")
    kind: UnitKind | None = Field(None, description="Loại đơn vị.")


class UnitOut(Schema):
    code: str
    name: str
    kind: UnitKind
    level: UnitLevel
    parent_code: str | None
    province_code: str

    @staticmethod
    def resolve_parent_code(obj: Unit) -> str | None:
        return obj.parent.code if obj.parent is not None else None


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


@router.get(
    "",
    response={200: UnitPage, **PUBLIC_ERRORS},
    operation_id="units_list",
    summary="Danh sách đơn vị",
    description="Các đơn vị đang hoạt động, lọc theo tỉnh, cấp, loại; sắp theo mã.",
    throttle=lookup_throttle,
)
def units_list(request: HttpRequest, filters: Query[UnitFilters]) -> dict[str, Any]:
    units = unit_list(
        province_code=filters.province, level=filters.level, kind=filters.kind
    ).select_related("parent")
    return paginate(units, filters)
