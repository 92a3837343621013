"""Reports of being asked for a certified copy: the applicant files one on their dossier, a
supervisor reads the counts per unit and procedure (`motcua.dossiers`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.core import clock
from motcua.core.errors import NotFound, ValidationError
from motcua.dossiers.selectors import certified_copy_report_counts, dossier_list_for_actor
from motcua.dossiers.services import certified_copy_report_file
from motcua.organisation.models import Unit

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, WRITE_ERRORS, ErrorOut, ValidationErrorOut

router = Router(tags=["dossiers"], auth=AUTH)
reports_router = Router(tags=["reports"], auth=AUTH)

#: The longest period one request counts over.
MAX_PERIOD_DAYS = 366


class CertifiedCopyReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    component: str = Field(..., min_length=1, max_length=40, description="Mã thành phần hồ sơ.")
    note: str = Field("", max_length=2000, description="Nội dung: ai yêu cầu, khi nào, ở đâu.")


class CertifiedCopyReportOut(Schema):
    id: int
    component: str
    component_name: str
    allowed: bool = Field(
        ..., description="Thủ tục có cho phép yêu cầu bản sao chứng thực giấy tờ này không."
    )
    reported_at: LocalDateTime


@router.post(
    "/{code}/certified-copy-reports",
    response={201: CertifiedCopyReportOut, **WRITE_ERRORS, 404: ErrorOut},
    operation_id="dossiers_certified_copy_report",
    summary="Phản ánh bị yêu cầu bản sao chứng thực",
    description=(
        "Người nộp hồ sơ phản ánh đã bị yêu cầu nộp bản sao chứng thực của một thành phần hồ "
        "sơ (cơ quan không được đòi bản sao chứng thực khi thủ tục không yêu cầu). Ghi vào "
        "nhật ký hồ sơ (`version` tăng); người giám sát xem số phản ánh theo đơn vị và thủ tục "
        "(`GET /reports/certified-copy-requests`). Mỗi thành phần một lần."
    ),
    openapi_extra={
        "responses": {
            201: {"description": "Đã ghi nhận phản ánh."},
            400: {"description": "`unknown_component`: không phải thành phần của thủ tục."},
            403: {"description": "`forbidden`: người gọi không phải người nộp hồ sơ."},
            404: {"description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem."},
            409: {"description": "`already_reported`: đã phản ánh về thành phần này."},
        }
    },
)
def dossiers_certified_copy_report(
    request: HttpRequest, code: str, payload: CertifiedCopyReportIn
) -> Status[dict[str, Any]]:
    actor = request_actor(request)
    dossier = dossier_list_for_actor(actor=actor).filter(code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(dossier)s."), dossier=code)
    filed = certified_copy_report_file(
        dossier=dossier,
        actor=actor,
        component_code=payload.component,
        note=payload.note,
        now=clock.now(),
    )
    return Status(
        201,
        {
            "id": filed.pk,
            "component": filed.component_code,
            "component_name": filed.component_name,
            "allowed": filed.allowed,
            "reported_at": filed.reported_at,
        },
    )


class CountsQuery(Schema):
    unit: str | None = Field(None, max_length=30, description="Mã đơn vị (và đơn vị trực thuộc).")
    date_from: dt.date = Field(..., alias="from", description="Từ ngày (YYYY-MM-DD).")
    date_to: dt.date = Field(
        ..., alias="to", description="Đến ngày (YYYY-MM-DD), tính cả ngày này."
    )


class CountRowOut(Schema):
    unit: str
    unit_name: str
    procedure: str
    procedure_name: str
    reports: int = Field(..., description="Số phản ánh.")
    not_allowed: int = Field(
        ..., description="Trong đó: thủ tục không cho phép yêu cầu bản sao chứng thực."
    )


class CountsOut(Schema):
    items: list[CountRowOut]
    total: int


@reports_router.get(
    "/certified-copy-requests",
    response={200: CountsOut, **READ_ERRORS, 403: ErrorOut, 422: ValidationErrorOut},
    operation_id="reports_certified_copy_requests",
    summary="Phản ánh bị yêu cầu bản sao chứng thực",
    description=(
        "Số phản ánh của người dân bị yêu cầu bản sao chứng thực, theo đơn vị giải quyết và "
        "thủ tục, trong khoảng ngày `from`..`to` (giờ Việt Nam, tối đa 366 ngày). Chỉ người "
        "giám sát, trên các đơn vị mình giám sát (`unit`: đơn vị đó và đơn vị trực thuộc)."
    ),
    openapi_extra={
        "responses": {
            400: {"description": "`period_invalid`: `to` trước `from` hoặc dài quá 366 ngày."},
            403: {"description": "`forbidden`: không phải người giám sát của đơn vị."},
            404: {"description": "`not_found`: không có đơn vị `unit`."},
            422: {
                "description": "`invalid`: thiếu `from`/`to` hoặc không phải ngày — kèm `errors`."
            },
        }
    },
)
def reports_certified_copy_requests(
    request: HttpRequest, query: Query[CountsQuery]
) -> dict[str, Any]:
    actor = request_actor(request)
    if query.date_to < query.date_from or (query.date_to - query.date_from).days >= MAX_PERIOD_DAYS:
        message = _("Khoảng thời gian không hợp lệ (từ ngày đến ngày, tối đa %(days)s ngày).")
        raise ValidationError(
            message,
            code="period_invalid",
            days=MAX_PERIOD_DAYS,
            errors=[
                {
                    "field": "to",
                    "code": "period_invalid",
                    "message": str(message) % {"days": MAX_PERIOD_DAYS},
                }
            ],
        )
    unit = None
    if query.unit:
        unit = Unit.objects.filter(code=query.unit).first()
        if unit is None:
            raise NotFound(_("Không tìm thấy đơn vị %(unit)s."), unit=query.unit)
    rows = certified_copy_report_counts(
        actor=actor, date_from=query.date_from, date_to=query.date_to, unit=unit
    )
    return {"items": rows, "total": sum(r["reports"] for r in rows)}
