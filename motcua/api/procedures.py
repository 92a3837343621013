"""Procedures (thủ tục hành chính): the public catalog. Rate-limited per client address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from motcua.catalog.models import (
    Fee,
    Level,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    ResultKind,
    TimeUnit,
)
from motcua.catalog.selectors import (
    life_event_list,
    procedure_get,
    procedure_search,
    version_current,
)
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.organisation.models import Role

from .datetimes import LocalDateTime
from .enums import FeeKind, UnitKind
from .errors import PUBLIC_ERRORS, ErrorOut
from .pagination import PageQuery
from .throttling import lookup_throttle

router = Router(tags=["procedures"])
life_events_router = Router(tags=["procedures"])


class ProcedureFilters(PageQuery):
    q: str | None = Field(
        None,
        max_length=200,
        description=(
            "Tìm theo mã hoặc tên, không phân biệt dấu, chữ hoa, chấp nhận gõ sai một chữ; "
            "kết quả xếp theo mức phù hợp rồi số hồ sơ 12 tháng qua."
        ),
    )
    field: str | None = Field(None, max_length=40, description="Mã lĩnh vực.")
    life_event: str | None = Field(
        None, max_length=40, description="Mã sự kiện trong đời (xem /life-events)."
    )
    unit: str | None = Field(
        None, max_length=40, description="Mã đơn vị: các thủ tục đơn vị này giải quyết."
    )
    unit_kind: UnitKind | None = Field(None, description="Loại đơn vị có thẩm quyền.")
    level: Level | None = Field(None, description="Cấp thực hiện: commune | province.")
    online_level: OnlineLevel | None = Field(
        None, description="Mức dịch vụ trực tuyến: full | partial | none."
    )


class FieldOut(Schema):
    code: str
    name: str


class ProcedureItemOut(Schema):
    """A procedure with the legal times of its version in force today (null when none)."""

    code: str
    name: str
    field: FieldOut
    level: Level
    online_level: OnlineLevel | None
    counter_time: float | None = Field(..., description="Thời hạn nộp trực tiếp.")
    online_time: float | None = Field(
        ..., description="Thời hạn nộp trực tuyến (bằng thời hạn trực tiếp nếu không khác)."
    )
    time_unit: TimeUnit | None


class ComponentOut(Schema):
    order: int
    code: str
    name: str
    accepted_forms: list[str]
    copies: int
    required: bool
    national_database: str
    document_kind: str = Field(
        ...,
        description="Loại giấy tờ (identity_card, birth_certificate, ...): giấy tờ cùng loại "
        "trong kho dữ liệu của người nộp được dùng lại (POST /dossiers/{code}/reuse).",
    )
    template_name: str
    note: str


class FeeOut(Schema):
    order: int
    name: str
    kind: FeeKind
    amount_vnd: int | None
    timing: Fee.Timing
    basis: str


class StepOut(Schema):
    order: int
    name: str
    role: Role
    unit_scope: ProcessStep.UnitScope
    unit_code: str | None
    allotment_hours: float

    @staticmethod
    def resolve_unit_code(obj: ProcessStep) -> str | None:
        return obj.unit.code if obj.unit is not None else None


class ProcedureDetailOut(ProcedureItemOut):
    """The procedure and its current published version, in full."""

    name_en: str
    is_local_code: bool
    competent_unit_kinds: list[str]
    competent_unit: FieldOut | None
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    published_at: LocalDateTime | None
    online_level: OnlineLevel
    counter_time: float
    online_time: float
    time_unit: TimeUnit
    cutoff_time: dt.time | None
    supplement_wait_days: int
    result_kind: ResultKind
    result_name: str
    applicant: str
    agency: str
    method: str
    sequence: str
    requirements: str
    legal_basis: list[Any]
    eform: dict[str, Any]
    components: list[ComponentOut]
    fees: list[FeeOut]
    steps: list[StepOut]


class ProcedurePage(Schema):
    items: list[ProcedureItemOut]
    count: int
    suggestions: list[str] = Field(
        default_factory=list,
        description="Khi không tìm thấy: tên các thủ tục gần giống nhất với từ khoá.",
    )


class LifeEventOut(Schema):
    code: str
    name: str
    name_en: str
    procedure_count: int = Field(..., description="Số thủ tục đang áp dụng.")


class LifeEventList(Schema):
    items: list[LifeEventOut]


def _field(procedure: Procedure) -> dict[str, str]:
    return {"code": procedure.field.code, "name": procedure.field.name}


def _item(procedure: Procedure, version: ProcedureVersion | None) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": _field(procedure),
        "level": procedure.level,
        "online_level": version.online_level if version else None,
        "counter_time": version.legal_time(online=False) if version else None,
        "online_time": version.legal_time(online=True) if version else None,
        "time_unit": version.time_unit if version else None,
    }


def _detail(procedure: Procedure, version: ProcedureVersion) -> dict[str, Any]:
    unit = procedure.competent_unit
    return {
        **_item(procedure, version),
        "name_en": procedure.name_en,
        "is_local_code": procedure.is_local_code,
        "competent_unit_kinds": procedure.competent_unit_kinds or [],
        "competent_unit": {"code": unit.code, "name": unit.name} if unit else None,
        "version": version.number,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "published_at": version.published_at,
        "cutoff_time": version.cutoff_time,
        "supplement_wait_days": version.supplement_wait_days,
        "result_kind": version.result_kind,
        "result_name": version.result_name,
        "applicant": version.applicant,
        "agency": version.agency,
        "method": version.method,
        "sequence": version.sequence,
        "requirements": version.requirements,
        "legal_basis": version.legal_basis or [],
        "eform": version.eform or {},
        # Prefetched by version_current, in the models' order.
        "components": list(version.components.all()),
        "fees": list(version.fees.all()),
        "steps": list(version.steps.all()),
    }


@router.get(
    "",
    response={200: ProcedurePage, **PUBLIC_ERRORS},
    operation_id="procedures_list",
    summary="Tra cứu thủ tục",
    description=(
        "Thủ tục đang áp dụng, lọc theo từ khoá, lĩnh vực, sự kiện trong đời, đơn vị, cấp, "
        "mức trực tuyến. Có từ khoá: xếp theo mức phù hợp, rồi số hồ sơ 12 tháng qua; "
        "không có: theo mã."
    ),
    throttle=lookup_throttle,
)
def procedures_list(request: HttpRequest, filters: Query[ProcedureFilters]) -> dict[str, Any]:
    found = procedure_search(
        q=filters.q,
        field=filters.field,
        life_event=filters.life_event,
        unit=filters.unit,
        unit_kind=filters.unit_kind,
        level=filters.level,
        online_level=filters.online_level,
        limit=filters.page_size,
        offset=(filters.page - 1) * filters.page_size,
    )
    today = clock.local(clock.now()).date()
    return {
        "items": [_item(procedure, _in_force(procedure, today)) for procedure in found.items],
        "count": found.total,
        "suggestions": found.suggestions,
    }


@life_events_router.get(
    "",
    response={200: LifeEventList, 400: PUBLIC_ERRORS[400], 429: PUBLIC_ERRORS[429]},
    operation_id="life_events_list",
    summary="Sự kiện trong đời",
    description="Các sự kiện trong đời (sinh con, kết hôn, ...) và số thủ tục của mỗi sự kiện.",
    throttle=lookup_throttle,
)
def life_events_list(request: HttpRequest) -> dict[str, Any]:
    return {"items": life_event_list()}


def _in_force(procedure: Procedure, day: dt.date) -> ProcedureVersion | None:
    """The current version among those `procedure_search` prefetched (published, newest first),
    the same choice `version_current` makes, without a query per row."""
    versions: list[ProcedureVersion] = getattr(procedure, "published_versions", [])
    return next((version for version in versions if version.is_valid_on(day)), None)


@router.get(
    "/{code}",
    response={
        200: ProcedureDetailOut,
        400: PUBLIC_ERRORS[400],
        404: ErrorOut,
        429: PUBLIC_ERRORS[429],
    },
    operation_id="procedures_get",
    summary="Chi tiết thủ tục",
    description=(
        "Phiên bản đang có hiệu lực: thành phần hồ sơ, phí và lệ phí, quy trình nội bộ, "
        "kết quả, căn cứ pháp lý, biểu mẫu điện tử."
    ),
    throttle=lookup_throttle,
)
def procedures_get(request: HttpRequest, code: str) -> dict[str, Any]:
    procedure = procedure_get(code=code)
    version = version_current(procedure=procedure, on=clock.local(clock.now()).date())
    if version is None:
        raise NotFound(_("Thủ tục chưa có phiên bản đang có hiệu lực."))
    return _detail(procedure, version)
