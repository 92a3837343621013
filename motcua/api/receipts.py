"""Electronic receipts of fees and charges (docs/payments.md, "Electronic receipts"): one by
its number, a unit's receipts over a period, and the signed PDF. Staff of the collecting unit
(and those who supervise or audit it) read the unit's receipts; an applicant reads those of
their own dossiers. Every read of another person's receipt is logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, NotFound, ValidationError
from motcua.documents.issued import issued_document_get, verify_code_display
from motcua.dossiers.receipt_selectors import (
    receipt_get_for_actor,
    receipts_for_actor,
    receipts_read_log,
)
from motcua.dossiers.services.receipts import receipt_number_display
from motcua.organisation.models import Unit
from motcua.payments.models import Receipt
from motcua.web.downloads import stored_file_response

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, ErrorOut, ValidationErrorOut
from .pagination import PageQuery, paginate

router = Router(tags=["receipts"], auth=AUTH)

#: The longest period one list request covers.
MAX_PERIOD_DAYS = 366


class ReceiptItemOut(Schema):
    name: str
    quantity: int
    unit_amount: int = Field(..., description="Đơn giá (đồng).")
    exempt: int = Field(..., description="Số tiền miễn, giảm (đồng).")
    amount: int = Field(..., description="Thành tiền (đồng).")


class ReceiptOut(Schema):
    number: str = Field(..., description="Ký hiệu và số biên lai: `HK26-0000001`.")
    series: str = Field(..., description="Ký hiệu biên lai (chữ cái và hai số cuối của năm).")
    form_symbol: str = Field(..., description="Ký hiệu mẫu biên lai.")
    unit: str = Field(..., description="Mã đơn vị thu.")
    collector_name: str
    collector_tax_code: str
    dossier: str = Field(..., description="Mã hồ sơ.")
    payer_name: str
    amount: int = Field(..., description="Tổng số tiền (đồng).")
    amount_in_words: str
    items: list[ReceiptItemOut]
    method: str = Field(..., description="online | cash | transfer")
    issued_at: LocalDateTime
    status: str = Field(..., description="issued | cancelled")
    cancel_reason: str = ""
    verify_code: str | None = Field(
        None, description="Mã tra cứu tại `/verify/{code}/` (`ABCD-EFGH`); null khi chưa ký."
    )
    replaces: str | None = Field(None, description="Số biên lai được thay thế.")
    replaced_by: str | None = Field(None, description="Số biên lai thay thế biên lai này.")


class ReceiptPageOut(Schema):
    items: list[ReceiptOut]
    count: int


def receipt_out(receipt: Receipt) -> dict[str, Any]:
    replaced_by = getattr(receipt, "replaced_by", None)
    return {
        "number": receipt_number_display(receipt),
        "series": receipt.series.series,
        "form_symbol": receipt.series.form_symbol,
        "unit": receipt.series.unit.code,
        "collector_name": receipt.collector_name,
        "collector_tax_code": receipt.collector_tax_code,
        "dossier": receipt.dossier_code,
        "payer_name": receipt.payer_name,
        "amount": receipt.amount_vnd,
        "amount_in_words": receipt.amount_in_words,
        "items": [
            {
                "name": item["name"],
                "quantity": int(item["quantity"]),
                "unit_amount": int(item["unit_amount_vnd"]),
                "exempt": int(item.get("exempt_vnd") or 0),
                "amount": int(item["amount_vnd"]),
            }
            for item in receipt.items
        ],
        "method": receipt.method,
        "issued_at": receipt.issued_at,
        "status": receipt.status,
        "cancel_reason": receipt.cancel_reason,
        "verify_code": verify_code_display(receipt.verify_code) if receipt.verify_code else None,
        "replaces": receipt_number_display(receipt.replaces) if receipt.replaces else None,
        "replaced_by": receipt_number_display(replaced_by) if replaced_by else None,
    }


class ReceiptListQuery(PageQuery):
    unit: str | None = Field(None, max_length=30, description="Mã đơn vị thu.")
    date_from: dt.date | None = Field(None, alias="from", description="Từ ngày (YYYY-MM-DD).")
    date_to: dt.date | None = Field(None, alias="to", description="Đến ngày, tính cả ngày này.")
    dossier: str | None = Field(None, max_length=40, description="Mã hồ sơ.")


def _unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị %(unit)s."), unit=code)
    return unit


@router.get(
    "",
    response={200: ReceiptPageOut, **READ_ERRORS, 422: ValidationErrorOut},
    operation_id="receipts_list",
    summary="Danh sách biên lai điện tử",
    description=(
        "Biên lai người gọi được xem, mới trước, theo trang: cán bộ một cửa, chuyên viên, "
        "lãnh đạo của đơn vị thu; người giám sát, kiểm tra của đơn vị; người nộp với hồ sơ "
        "của mình. Lọc theo đơn vị thu (`unit`), ngày lập (`from`..`to`, giờ Việt Nam, tối đa "
        "366 ngày) và hồ sơ. Mỗi lần xem biên lai của người khác được ghi nhật ký."
    ),
    openapi_extra={
        "responses": {
            400: {"description": "`period_invalid`: `to` trước `from` hoặc dài quá 366 ngày."},
            404: {"description": "`not_found`: không có đơn vị `unit`."},
        }
    },
)
def receipts_list(request: HttpRequest, query: Query[ReceiptListQuery]) -> dict[str, Any]:
    actor = request_actor(request)
    rows = receipts_for_actor(actor=actor)
    unit = _unit(query.unit)
    if unit is not None:
        rows = rows.filter(series__unit=unit)
    if (
        query.date_from
        and query.date_to
        and (
            query.date_to < query.date_from
            or (query.date_to - query.date_from).days >= MAX_PERIOD_DAYS
        )
    ):
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
    if query.date_from:
        rows = rows.filter(
            issued_at__gte=dt.datetime.combine(query.date_from, dt.time.min, tzinfo=VN_TZ)
        )
    if query.date_to:
        end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
        rows = rows.filter(issued_at__lt=end)
    if query.dossier:
        rows = rows.filter(dossier_code=query.dossier)
    page = paginate(rows, query)
    receipts_read_log(actor=actor, receipts=page["items"], now=clock.now(), channel="api")
    return {"items": [receipt_out(r) for r in page["items"]], "count": page["count"]}


class UnitQuery(Schema):
    unit: str | None = Field(
        None, max_length=30, description="Mã đơn vị thu, khi nhiều đơn vị dùng cùng ký hiệu."
    )


NUMBER_RESPONSES = {
    400: {
        "description": "`invalid_receipt_number`: số không đúng dạng `HK26-0000001`; "
        "`unit_required`: nhiều đơn vị dùng ký hiệu này, cần `unit`."
    },
    404: {"description": "`not_found`: không có biên lai, hoặc người gọi không được xem."},
}


@router.get(
    "/{number}",
    response={200: ReceiptOut, **READ_ERRORS},
    operation_id="receipts_get",
    summary="Một biên lai điện tử",
    description="Biên lai theo ký hiệu và số (`HK26-0000001`). Việc xem được ghi nhật ký.",
    openapi_extra={"responses": NUMBER_RESPONSES},
)
def receipts_get(request: HttpRequest, number: str, query: Query[UnitQuery]) -> dict[str, Any]:
    receipt = receipt_get_for_actor(
        actor=request_actor(request),
        number=number,
        unit=_unit(query.unit),
        now=clock.now(),
        channel="api",
    )
    return receipt_out(receipt)


@router.get(
    "/{number}/pdf",
    response={200: None, **READ_ERRORS, 409: ErrorOut},
    operation_id="receipts_pdf",
    summary="Tệp PDF đã ký của biên lai",
    description=("Biên lai điện tử đã ký số của đơn vị thu (PDF). Kiểm tra tại `/verify/{code}/`."),
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            **NUMBER_RESPONSES,
            409: {"description": "`receipt_not_signed`: biên lai chưa ký xong, thử lại sau."},
        }
    },
)
def receipts_pdf(request: HttpRequest, number: str, query: Query[UnitQuery]) -> FileResponse:
    receipt = receipt_get_for_actor(
        actor=request_actor(request),
        number=number,
        unit=_unit(query.unit),
        now=clock.now(),
        channel="api",
    )
    document = issued_document_get(code=receipt.verify_code) if receipt.verify_code else None
    if document is None:
        raise Conflict(
            _("Biên lai chưa được ký số, vui lòng thử lại sau."), code="receipt_not_signed"
        )
    return stored_file_response(document.file)
