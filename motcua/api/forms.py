"""The official forms (Circular 03/2025/TT-VPCP, Appendix I) as files: forms 01–06 of a dossier,
form 07 (the tracking book) of a unit. Rendering is `motcua.dossiers.forms` (docs/forms.md).

A dossier's form follows the dossier read's access rule (404 for a dossier the caller may not
see, as for one that does not exist; a read of another person's dossier is logged); the
tracking book is for the staff of its unit (403 otherwise), each dossier listed logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from motcua.core import clock
from motcua.dossiers.forms import form_pdf_for_actor, tracking_book_for_actor

from .auth import AUTH, request_actor
from .errors import ErrorOut, ValidationErrorOut

router = Router(auth=AUTH)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _binary(description: str, *types: str) -> dict[str, object]:
    return {
        "description": description,
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in types},
    }


class FormQuery(Schema):
    size: Literal["a4", "a5"] = Field(
        "a4", description="Khổ giấy: a4 (mặc định) | a5 (mẫu 01, biên nhận trả kết quả)."
    )


_FORM_RESPONSES = {
    200: _binary("Mẫu in (PDF).", PDF),
    400: {
        "description": "`size_not_available`: khổ A5 chỉ có với mẫu 01 và `return-receipt`; "
        "ký tự NUL — kèm `errors`."
    },
    404: {
        "description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem; "
        "`form_unknown`: số mẫu không thuộc 01–06, `return-receipt`."
    },
    409: {
        "description": "`form_not_issued`: hồ sơ chưa có mẫu này (vd 04 khi chưa xin lỗi, hẹn "
        "lại; 03 khi không bị từ chối tiếp nhận; `return-receipt` khi chưa trả kết quả tại "
        "quầy)."
    },
    422: {"description": "`invalid`: `size` không phải a4 hoặc a5 — kèm `errors`."},
}


@router.get(
    "/dossiers/{code}/forms/{number}",
    response={
        200: None,
        400: ValidationErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="dossiers_forms_get",
    tags=["dossiers"],
    summary="Mẫu in của hồ sơ (mẫu 01–06, biên nhận trả kết quả)",
    description=(
        "Mẫu theo Phụ lục I Thông tư 03/2025/TT-VPCP, dạng PDF: 01 giấy tiếp nhận hồ sơ và hẹn "
        "trả kết quả (`?size=a5` cho khổ A5), 02 phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, 03 "
        "phiếu từ chối tiếp nhận, 04 phiếu xin lỗi và hẹn lại ngày trả kết quả, 05 thông báo "
        "dừng giải quyết hồ sơ (rút hồ sơ), 06 phiếu kiểm soát quá trình giải quyết hồ sơ; "
        "`return-receipt`: biên nhận trả kết quả khi kết quả được trả tại quầy (người nhận, "
        "số định danh, thời điểm, cán bộ trả; `?size=a5` được). "
        "Quyền xem như chi tiết hồ sơ; mỗi lần cán bộ xem hồ sơ của người khác được ghi nhật "
        "ký truy cập dữ liệu cá nhân."
    ),
    openapi_extra={"responses": _FORM_RESPONSES},
)
def dossiers_forms_get(
    request: HttpRequest, code: str, number: str, query: Query[FormQuery]
) -> HttpResponse:
    data = form_pdf_for_actor(
        actor=request_actor(request),
        code=code,
        number=number,
        now=clock.now(),
        size=query.size,
        channel="api",
    )
    return _file(data, content_type=PDF, filename=f"{code}-mau-{number}.pdf")


class TrackingBookQuery(Schema):
    start: dt.date = Field(
        ..., alias="from", description="Từ ngày (ISO 8601, vd 2026-03-01), theo ngày tiếp nhận."
    )
    end: dt.date = Field(..., alias="to", description="Đến ngày (ISO 8601), tính cả ngày đó.")
    format: Literal["pdf", "xlsx"] = Field("pdf", description="pdf (mặc định) | xlsx.")


_BOOK_RESPONSES = {
    200: _binary("Sổ theo dõi hồ sơ (mẫu 07).", PDF, XLSX),
    400: {
        "description": "`invalid_period`: `to` trước `from`; `period_too_long`: quá 366 ngày; "
        "ký tự NUL — kèm `errors`."
    },
    403: {"description": "`forbidden`: người gọi không phải cán bộ của đơn vị."},
    404: {"description": "`not_found`: không có đơn vị mã này."},
    422: {"description": "`invalid`: thiếu `from`/`to`, ngày sai, `format` lạ — kèm `errors`."},
}


@router.get(
    "/units/{code}/tracking-book",
    response={
        200: None,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="units_tracking_book",
    tags=["units"],
    summary="Sổ theo dõi hồ sơ của đơn vị (mẫu 07)",
    description=(
        "Các hồ sơ đơn vị tiếp nhận trong kỳ (`from`–`to`, theo ngày tiếp nhận, giờ Việt Nam), "
        "theo thứ tự tiếp nhận: PDF khổ A4 ngang hoặc bảng tính XLSX. Chỉ cán bộ có vai trò tại "
        "đơn vị (hoặc đơn vị cấp trên, phân quyền gồm cả đơn vị trực thuộc); mỗi hồ sơ trong "
        "sổ được ghi nhật ký truy cập dữ liệu cá nhân."
    ),
    openapi_extra={"responses": _BOOK_RESPONSES},
)
def units_tracking_book(
    request: HttpRequest, code: str, query: Query[TrackingBookQuery]
) -> HttpResponse:
    data = tracking_book_for_actor(
        actor=request_actor(request),
        unit_code=code,
        start=query.start,
        end=query.end,
        file_format=query.format,
        now=clock.now(),
        channel="api",
    )
    name = f"so-theo-doi-{code}-{query.start:%Y%m%d}-{query.end:%Y%m%d}.{query.format}"
    return _file(data, content_type=PDF if query.format == "pdf" else XLSX, filename=name)
