"""Payment gateways' callbacks (no authentication: the gateway's signature is the proof).

`GET` or `POST /payments/callback/{gateway}` with the gateway's signed fields (query string,
or a form body): `motcua.payments.orders.payment_callback_receive` verifies the signature,
the order, the amount and the currency, records the payment once however many times the
callback comes, refunds money that arrives for something cancelled, and logs every call.
The answer is in the gateway's own format (VNPay-style: `{"RspCode", "Message"}`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.core import clock
from motcua.dossiers.services.fees import dossier_fee_lines
from motcua.dossiers.services.payments import dossier_payment_callback, dossier_payment_start
from motcua.payments.gateways.registry import UnknownGateway, gateway_get
from motcua.payments.services import PAYABLE

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, WRITE_ERRORS, ErrorOut
from .files import _visible
from .throttling import payment_callback_throttle

router = Router(tags=["payments"])


class CallbackAckOut(Schema):
    """The answer in the gateway's format: VNPay-style `RspCode` and `Message`; `code` for a
    gateway without a format of its own or an unknown gateway."""

    RspCode: str | None = Field(None, description="00 | 01 | 02 | 04 | 97 | 99 (VNPay).")
    Message: str | None = None
    code: str | None = Field(None, description="Kết quả xử lý: confirmed, already_confirmed…")
    message: str | None = None


DESCRIPTION = (
    "Không cần xác thực: chữ ký của cổng là bằng chứng. Nhận các trường đã ký (chuỗi truy vấn "
    "hoặc form). Kiểm tra chữ ký, giao dịch, số tiền, loại tiền; cùng một thông báo gửi nhiều "
    "lần chỉ ghi nhận một lần thanh toán; tiền đến sau khi đã hủy được ghi nhận và hoàn lại. "
    "Trả lời theo định dạng của cổng (VNPay: `RspCode` 00 xác nhận, 01 không có giao dịch, "
    "02 đã xác nhận, 04 sai số tiền, 97 sai chữ ký, 99 lỗi khác)."
)


def _answer(request: HttpRequest, gateway: str) -> Status:
    fields: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
    if request.method == "POST":
        fields.update({k: str(v) for k, v in request.POST.items()})
    now = clock.now()
    # The money is recorded once; its signed receipt and the dossier's resumption follow.
    outcome, _order = dossier_payment_callback(gateway=gateway, params=fields, now=now)
    try:
        status, body = gateway_get(gateway).acknowledge(outcome)
    except UnknownGateway:
        return Status(404, {"code": "gateway_unknown", "message": "unknown payment gateway"})
    return Status(status, body)


@router.get(
    "/callback/{gateway}",
    response={200: CallbackAckOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    throttle=payment_callback_throttle,
    exclude_none=True,
    operation_id="payment_callback_get",
    summary="Thông báo kết quả thanh toán (IPN, GET)",
    description=DESCRIPTION,
)
def payment_callback_get(request: HttpRequest, gateway: str) -> Status:
    return _answer(request, gateway)


@router.post(
    "/callback/{gateway}",
    response={200: CallbackAckOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    throttle=payment_callback_throttle,
    exclude_none=True,
    operation_id="payment_callback_post",
    summary="Thông báo kết quả thanh toán (IPN, POST)",
    description=DESCRIPTION,
)
def payment_callback_post(request: HttpRequest, gateway: str) -> Status:
    return _answer(request, gateway)


# --- a dossier's fees and paying them -------------------------------------------------------

dossier_router = Router(tags=["payments"], auth=AUTH)


class FeeLineOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="fee (phí) | charge (lệ phí)")
    timing: str = Field(..., description="before (thu trước) | after (thu sau)")
    quantity: int
    unit_amount: int
    gross: int
    exempt: int
    exemption_reason: str
    net: int = Field(..., description="Số phải nộp (đồng).")
    state: str = Field(..., description="unpaid | pending | paid | refunded | cancelled | exempt")
    collecting_unit: str


class FeesOut(Schema):
    items: list[FeeLineOut]
    payable: int = Field(..., description="Tổng số còn phải nộp (đồng).")


class PaymentStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    gateway: str = Field("sandbox", max_length=30, description="Cổng thanh toán trực tuyến.")
    lines: list[int] | None = Field(None, description="Các khoản thu; mặc định: mọi khoản còn nợ.")
    return_url: str = Field("", max_length=500, description="Địa chỉ quay về sau khi thanh toán.")


class PaymentStartOut(Schema):
    order: str = Field(..., description="Mã giao dịch của motcua.")
    amount: int
    expires_at: LocalDateTime
    redirect_url: str = Field(..., description="Chuyển người nộp đến địa chỉ này.")


@dossier_router.get(
    "/{code}/fees",
    response={200: FeesOut, **READ_ERRORS},
    operation_id="dossiers_fees",
    summary="Phí, lệ phí của hồ sơ",
    description="Các khoản phí, lệ phí của hồ sơ, trạng thái của từng khoản và số còn phải nộp.",
)
def dossiers_fees(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = _visible(actor=request_actor(request), code=code)
    lines = dossier_fee_lines(dossier.code)
    return {
        "items": [
            {
                "id": line.pk,
                "name": line.name,
                "kind": line.kind,
                "timing": line.timing,
                "quantity": line.quantity,
                "unit_amount": line.unit_amount_vnd,
                "gross": line.gross_vnd,
                "exempt": line.exempt_vnd,
                "exemption_reason": line.exemption_reason,
                "net": line.net_vnd,
                "state": line.state,
                "collecting_unit": line.collecting_unit.code,
            }
            for line in lines
        ],
        "payable": sum(line.net_vnd for line in lines if line.state in PAYABLE),
    }


@dossier_router.post(
    "/{code}/payments",
    response={201: PaymentStartOut, **WRITE_ERRORS, 404: ErrorOut},
    operation_id="dossiers_payment_start",
    summary="Bắt đầu thanh toán trực tuyến",
    description=(
        "Tạo giao dịch cho các khoản còn phải nộp (của một đơn vị thu; khoản của đơn vị khác "
        "thanh toán ở giao dịch sau) và trả về địa chỉ của cổng thanh toán. Chỉ khi cổng gọi "
        "lại với chữ ký hợp lệ thì khoản thu mới là đã nộp; giao dịch hết hạn sau 15 phút."
    ),
    openapi_extra={
        "responses": {
            400: {
                "description": "`lines_not_payable`: khoản thu không thuộc hồ sơ hoặc đã nộp; "
                "`gateway_not_online`: cổng không thanh toán trực tuyến."
            },
            404: {
                "description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem; "
                "`gateway_unknown`: không có cổng thanh toán này."
            },
            409: {
                "description": "`nothing_payable`: không còn khoản nào phải nộp; "
                "`fee_line_not_payable`: khoản thu vừa được nộp hoặc hủy."
            },
        }
    },
)
def dossiers_payment_start(
    request: HttpRequest, code: str, payload: PaymentStartIn
) -> Status[dict[str, Any]]:
    dossier = _visible(actor=request_actor(request), code=code)
    order, redirect = dossier_payment_start(
        dossier=dossier,
        payer=request_actor(request),
        gateway=payload.gateway,
        return_url=payload.return_url,
        line_ids=payload.lines,
        now=clock.now(),
        client_ip=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(
        201,
        {
            "order": order.order_ref,
            "amount": order.amount_vnd,
            "expires_at": order.expires_at,
            "redirect_url": redirect,
        },
    )
