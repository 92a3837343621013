"""Reconciliation of the payment gateways' statements (docs/payments.md, "Reconciliation"),
for an accountant (role `accountant`) or a superuser: the past runs, one run with its
differences, and reconciling an uploaded statement file of a day. Reconciliation only
reports: no money moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from motcua.core import clock
from motcua.core.errors import ValidationError
from motcua.payments.models import DIFFERENCE_NOTES, DifferenceKind, ReconciliationRun
from motcua.payments.reconcile import reconciliation_statement_upload, run_totals
from motcua.payments.reconcile_selectors import (
    reconciliation_differences,
    reconciliation_run_get_for_actor,
    reconciliation_runs_for_actor,
)

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import ErrorOut, ValidationErrorOut
from .pagination import PageQuery, paginate

router = Router(tags=["payments"], auth=AUTH)

KINDS_TEXT = ", ".join(f"`{kind.value}`" for kind in DifferenceKind)
NOTES_TEXT = ", ".join(f"`{code}`" for code in DIFFERENCE_NOTES)


class SideOut(Schema):
    count: int = Field(..., description="Số dòng sao kê / số giao dịch của hệ thống.")
    paid_vnd: int = Field(..., description="Tổng đã thu (đồng).")
    refunded_vnd: int = Field(..., description="Tổng đã hoàn (đồng).")


class MatchedOut(Schema):
    count: int
    amount_vnd: int = Field(..., description="Số tiền khớp (đồng).")


class DifferenceOut(Schema):
    kind: str = Field(..., description=f"Loại chênh lệch: {KINDS_TEXT}.")
    kind_label: str = Field(..., description="Tên loại chênh lệch, theo ngôn ngữ yêu cầu.")
    reference: str = Field(
        ..., description="Mã giao dịch (`vnp_TxnRef`) như sao kê hoặc hệ thống ghi."
    )
    order: str | None = Field(None, description="Mã giao dịch của hệ thống khi có.")
    dossier: str | None = Field(None, description="Mã hồ sơ của giao dịch khi có.")
    gateway_reference: str = Field(..., description="Mã giao dịch của cổng.")
    statement_amount_vnd: int | None = None
    motcua_amount_vnd: int | None = None
    statement_status: str = Field(..., description="paid | refunded | failed | rỗng")
    motcua_status: str = Field(..., description="paid | refunded | pending | failed | ... | rỗng")
    row: int | None = Field(None, description="Dòng của sao kê (dòng tiêu đề là 1).")
    note_code: str = Field(
        ...,
        description=f"Mã lý do của chênh lệch: {NOTES_TEXT}; rỗng khi loại chênh lệch đã đủ.",
    )
    note_params: dict[str, str] = Field(
        ..., description="Giá trị của ghi chú (thời điểm theo ISO 8601, trạng thái theo mã)."
    )
    note: str = Field(..., description="Ghi chú theo ngôn ngữ yêu cầu.")


class RunOut(Schema):
    id: int
    gateway: str
    day: dt.date = Field(..., description="Ngày đối soát (giờ Việt Nam), YYYY-MM-DD.")
    status: str = Field(..., description="`clean`: khớp hết; `differences`: có chênh lệch.")
    file_sha256: str
    statement: SideOut
    motcua: SideOut
    matched: MatchedOut
    differences_count: int
    created_at: LocalDateTime
    created_by: str | None = Field(None, description="Tên đăng nhập của người đối soát.")
    supersedes: int | None = Field(None, description="Lần đối soát cùng ngày mà lần này thay.")
    superseded_by: int | None = Field(None, description="Lần đối soát sau đã thay lần này.")


class RunDetailOut(RunOut):
    created: bool = Field(
        True,
        description="Khi nộp tệp: false nếu tệp này đã được đối soát với cùng kết quả (lần cũ).",
    )
    differences: list[DifferenceOut]


class RunPageOut(Schema):
    items: list[RunOut]
    count: int


def _run_out(run: ReconciliationRun) -> dict[str, Any]:
    superseded = getattr(run, "superseded_by", None)
    return {
        "id": run.pk,
        "gateway": run.gateway,
        "day": run.day,
        "status": "clean" if run.is_clean else "differences",
        "file_sha256": run.file_sha256,
        **run_totals(run),
        "differences_count": run.differences_count,
        "created_at": run.created_at,
        "created_by": run.created_by.username if run.created_by else None,
        "supersedes": run.supersedes_id,
        "superseded_by": superseded.pk if superseded is not None else None,
    }


def _detail_out(run: ReconciliationRun, *, created: bool = True) -> dict[str, Any]:
    return {
        **_run_out(run),
        "created": created,
        "differences": [
            {
                "kind": d.kind,
                "kind_label": str(d.get_kind_display()),
                "reference": d.reference,
                "order": d.order.order_ref if d.order is not None else None,
                "dossier": d.order.dossier_code if d.order is not None else None,
                "gateway_reference": d.gateway_reference,
                "statement_amount_vnd": d.statement_amount_vnd,
                "motcua_amount_vnd": d.motcua_amount_vnd,
                "statement_status": d.statement_status,
                "motcua_status": d.motcua_status,
                "row": d.row,
                "note_code": d.note_code,
                "note_params": d.note_params,
                "note": d.note,
            }
            for d in reconciliation_differences(run=run)
        ],
    }


class RunListQuery(PageQuery):
    gateway: str | None = Field(None, max_length=20, description="Cổng thanh toán: sandbox, vnpay.")
    date_from: dt.date | None = Field(None, alias="from", description="Từ ngày (YYYY-MM-DD).")
    date_to: dt.date | None = Field(None, alias="to", description="Đến ngày, tính cả ngày này.")


FORBIDDEN = {
    "description": "`forbidden`: người gọi không phải kế toán (vai trò `accountant`); "
    "`csrf_failed` với phiên đăng nhập khi gửi tệp."
}
UNAUTHENTICATED = {"description": "`unauthenticated`: thiếu hoặc sai khoá API / phiên đăng nhập."}


@router.get(
    "",
    response={
        200: RunPageOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="reconciliations_list",
    summary="Các lần đối soát với cổng thanh toán",
    description=(
        "Các lần đối soát sao kê, ngày mới trước (trong một ngày, lần mới trước), theo trang. "
        "Lọc theo cổng (`gateway`) và ngày đối soát (`from`..`to`, tính cả hai đầu). "
        "Dành cho kế toán (vai trò `accountant`)."
    ),
    openapi_extra={
        "responses": {
            400: {"description": "`period_invalid`: `to` trước `from`."},
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            422: {"description": "`invalid`: ngày không đúng dạng YYYY-MM-DD — kèm `errors`."},
        }
    },
)
def reconciliations_list(request: HttpRequest, query: Query[RunListQuery]) -> dict[str, Any]:
    if query.date_from and query.date_to and query.date_to < query.date_from:
        message = _("Khoảng thời gian không hợp lệ: đến ngày trước từ ngày.")
        raise ValidationError(
            message,
            code="period_invalid",
            errors=[{"field": "to", "code": "period_invalid", "message": message}],
        )
    runs = reconciliation_runs_for_actor(
        actor=request_actor(request),
        gateway=query.gateway,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    page = paginate(runs, query)
    return {"items": [_run_out(run) for run in page["items"]], "count": page["count"]}


@router.get(
    "/{run_id}",
    response={
        200: RunDetailOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
    },
    operation_id="reconciliations_get",
    summary="Một lần đối soát và các chênh lệch",
    description=(
        "Lần đối soát với tổng hai bên và các chênh lệch, theo loại "
        f"({KINDS_TEXT}), mỗi chênh lệch với giao dịch và hồ sơ khi có."
    ),
    openapi_extra={
        "responses": {
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: {"description": "`not_found`: không có lần đối soát này."},
        }
    },
)
def reconciliations_get(request: HttpRequest, run_id: int) -> dict[str, Any]:
    run = reconciliation_run_get_for_actor(actor=request_actor(request), pk=run_id)
    return _detail_out(run)


@router.post(
    "",
    response={
        200: RunDetailOut,
        201: RunDetailOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="reconciliations_create",
    summary="Đối soát sao kê của một ngày",
    description=(
        "Thân `multipart/form-data`: `gateway` (sandbox, vnpay), `date` (ngày của sao kê, "
        "YYYY-MM-DD, giờ Việt Nam) và `file` (tệp CSV của cổng, docs/payments.md). So sánh sao "
        "kê với các khoản hệ thống ghi nhận trong ngày, lưu lần đối soát và trả về lần đó với "
        "các chênh lệch (201). Cùng tệp, cùng kết quả với lần đã có: trả lần đó (200, "
        "`created: false`), không ghi thêm. Chỉ báo cáo: không khoản tiền nào thay đổi. "
        "Tệp có dòng sai bị từ chối cả tệp: 400 `statement_invalid`, mỗi dòng sai một mục "
        "trong `errors` (`field` = `file`, `code` = `statement_row`, `row` = số dòng của tệp, "
        "dòng tiêu đề là 1; `reason` = mã lỗi của dòng như `value_empty`, `amount_invalid`, "
        "`pay_date_invalid`; `column` = cột; `message` theo ngôn ngữ của yêu cầu)."
    ),
    openapi_extra={
        "responses": {
            200: {"description": "Tệp này đã được đối soát với cùng kết quả: lần cũ."},
            201: {"description": "Lần đối soát mới."},
            400: {
                "description": "`statement_invalid`: tệp có dòng sai (mỗi dòng trong `errors`, "
                "với `row`); `statement_empty`: tệp trống; `statement_too_large`: tệp quá 10 MB."
            },
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: {
                "description": "`statement_not_supported`: cổng không có sao kê (counter) "
                "hoặc không có cổng này."
            },
            413: {
                "description": "`payload_too_large`: thân yêu cầu vượt "
                "`MOTCUA_API_UPLOAD_MAX_BYTES`."
            },
            422: {"description": "`invalid`: thiếu `gateway`, `date` hoặc `file` — kèm `errors`."},
        }
    },
)
def reconciliations_create(
    request: HttpRequest,
    gateway: Form[str],
    date: Form[dt.date],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    report = reconciliation_statement_upload(
        gateway=gateway,
        day=date,
        content=file.read(),
        actor=request_actor(request),
        now=clock.now(),
    )
    return Status(201 if report.created else 200, _detail_out(report.run, created=report.created))
