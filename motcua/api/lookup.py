"""`GET /lookup?code=&last4=`: the public look-up of a dossier without an account, the API twin
of the portal's `/lookup/` (docs/portal.md). The rules are `motcua.dossiers.lookup`: the
status, dates, handling unit and what the applicant must do now; nothing personal. A wrong
code and wrong digits give the same 404 `lookup_not_found`. Rate-limited per client address
(`MOTCUA_RATE_LIMITS["dossier_lookup"]`, 429 `rate_limited` with Retry-After).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from motcua.core.ratelimit import client_ip, rate_limit_hit, rate_limit_retry_after
from motcua.dossiers.lookup import (
    dossier_public_lookup,
    lookup_code_normalise,
    lookup_last4_normalise,
)

from .datetimes import LocalDateTime
from .errors import ApiError, ErrorOut

router = Router(tags=["lookup"])
SCOPE = "dossier_lookup"
MESSAGES = {
    "invalid_input": _(
        "Cần mã hồ sơ (chữ in hoa, chữ số, dấu chấm, dấu gạch ngang) và đúng 4 chữ số cuối của "
        "số điện thoại hoặc số định danh cá nhân của người nộp."
    ),
    "lookup_not_found": _("Không tìm thấy hồ sơ với mã hồ sơ và 4 chữ số này."),
    "rate_limited": _("Quá nhiều lần tra cứu. Vui lòng thử lại sau %(minutes)s phút."),
}


class LookupOut(Schema):
    code: str = Field(..., description="Mã hồ sơ.")
    status: int = Field(..., description="Mã trạng thái (1-10, theo Cổng Dịch vụ công quốc gia).")
    status_label: str
    status_text: str = Field(..., description="Tình trạng bằng lời dễ hiểu.")
    procedure_name: str
    handling_unit: str = Field(..., description="Đơn vị đang giải quyết.")
    received_at: LocalDateTime | None = Field(..., description="Thời điểm tiếp nhận.")
    appointment_at: LocalDateTime | None = Field(
        ..., description="Hẹn trả kết quả (ngày hẹn lại nếu đã có thư xin lỗi, hẹn lại)."
    )
    action: str = Field(
        ...,
        description="Việc người nộp cần làm: supplement | payment | collect_result, "
        "hoặc chuỗi rỗng.",
    )
    action_text: str


@router.get(
    "",
    response={200: LookupOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    operation_id="lookup_get",
    summary="Tra cứu hồ sơ không cần tài khoản",
    description=(
        "Không cần xác thực. Mã hồ sơ (in trên giấy tiếp nhận) và 4 số cuối của số điện "
        "thoại hoặc số định danh cá nhân của người nộp -> trạng thái, ngày tiếp nhận, ngày hẹn "
        "trả, đơn vị giải quyết, việc người nộp cần làm. Không có thông tin cá nhân. "
        "400 `invalid_input`: thiếu hoặc sai định dạng; 404 `lookup_not_found`: mã hoặc 4 "
        "chữ số không đúng (một câu trả lời cho cả hai); 429 `rate_limited`."
    ),
    openapi_extra={
        "responses": {
            400: {"description": "`invalid_input`: mã hồ sơ hoặc 4 chữ số sai định dạng."},
            404: {"description": "`lookup_not_found`: không có hồ sơ với mã và 4 chữ số này."},
            429: {"description": "`rate_limited`: quá nhiều lần tra cứu từ địa chỉ này."},
        }
    },
)
def lookup_get(request: HttpRequest, code: str = "", last4: str = "") -> Any:
    canonical = lookup_code_normalise(code[:80])
    digits = lookup_last4_normalise(last4[:20])
    if canonical is None or digits is None:
        raise ApiError(status=400, code="invalid_input", message=MESSAGES["invalid_input"])
    if rate_limit_hit(name=SCOPE, key=client_ip(request)):
        wait = rate_limit_retry_after(name=SCOPE)
        raise ApiError(
            status=429,
            code="rate_limited",
            message=str(MESSAGES["rate_limited"]) % {"minutes": max(1, -(-wait // 60))},
            headers={"Retry-After": str(wait)},
        )
    found = dossier_public_lookup(code=canonical, last4=digits)
    if found is None:
        raise ApiError(status=404, code="lookup_not_found", message=MESSAGES["lookup_not_found"])
    return found
