"""Payment gateways' callbacks (no authentication: the gateway's signature is the proof).

`GET` or `POST /payments/callback/{gateway}` with the gateway's signed fields (query string,
or a form body): `motcua.payments.orders.payment_callback_receive` verifies the signature,
the order, the amount and the currency, records the payment once however many times the
callback comes, refunds money that arrives for something cancelled, and logs every call.
The answer is in the gateway's own format (VNPay-style: `{"RspCode", "Message"}`).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from motcua.core import clock
from motcua.dossiers.services.receipts import dossier_payment_receipt
from motcua.payments.gateways.registry import UnknownGateway, gateway_get
from motcua.payments.orders import payment_callback_receive

from .errors import ErrorOut
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
    outcome, order = payment_callback_receive(gateway=gateway, params=fields, now=now)
    if order is not None and outcome in ("confirmed", "already_confirmed"):
        # The money is recorded; its signed receipt follows (retried later if it fails).
        dossier_payment_receipt(payment=order.payment, now=now)
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
