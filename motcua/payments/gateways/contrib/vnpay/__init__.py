"""A VNPay-style bank gateway, in the public integration format (version 2.1.0):

- the payer is redirected to `pay_url` with `vnp_*` parameters: `vnp_Amount` is the amount in
  VND x 100, `vnp_CurrCode` VND, `vnp_TxnRef` our order reference, `vnp_CreateDate` and
  `vnp_ExpireDate` as yyyyMMddHHmmss in Hanoi time;
- every message is signed: the `vnp_*` parameters except the hash itself, sorted by name,
  URL-encoded (`quote_plus`) as `k=v` joined by `&`, HMAC-SHA512 with the merchant's
  `hash_secret`, hex, in `vnp_SecureHash`;
- the bank calls the IPN URL (our `/api/v1/payments/callback/vnpay`) with the result
  (`vnp_ResponseCode` and `vnp_TransactionStatus` "00" on success, `vnp_TransactionNo`) and
  expects `{"RspCode": "00", "Message": "Confirm Success"}`, or 01 order not found, 02 order
  already confirmed, 04 invalid amount, 97 invalid signature, 99 other.

Configuration: `MOTCUA_PAYMENT_GATEWAYS["vnpay"] = {"tmn_code", "hash_secret", "pay_url"}`
(from the environment: `MOTCUA_VNPAY_TMN_CODE`, `MOTCUA_VNPAY_HASH_SECRET`,
`MOTCUA_VNPAY_PAY_URL`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus

from motcua.core.clock import VN_TZ

from ...base import CallbackResult, Gateway, InvalidCallback, PaymentRequest

_STAMP = "%Y%m%d%H%M%S"
_ACK = {
    "confirmed": ("00", "Confirm Success"),
    "already_confirmed": ("02", "Order already confirmed"),
    "order_not_found": ("01", "Order not found"),
    "invalid_amount": ("04", "Invalid amount"),
    "invalid_currency": ("04", "Invalid amount"),
    "invalid_signature": ("97", "Invalid signature"),
    "refunded": ("00", "Confirm Success"),
    "failed": ("00", "Confirm Success"),
}


def canonical(params: Mapping[str, str]) -> str:
    """The signed text: the vnp_ fields but the hash, sorted, URL-encoded."""
    items = sorted(
        (k, v)
        for k, v in params.items()
        if k.startswith("vnp_") and k not in {"vnp_SecureHash", "vnp_SecureHashType"}
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(str(v))}" for k, v in items)


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(params).encode(), hashlib.sha512).hexdigest()


class VNPayGateway(Gateway):
    name = "vnpay"
    label = "VNPay"

    @property
    def secret(self) -> str:
        return str(self.config.get("hash_secret", ""))

    @property
    def pay_url(self) -> str:
        return str(self.config.get("pay_url", ""))

    def request_params(self, request: PaymentRequest) -> dict[str, str]:
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": str(self.config.get("tmn_code", "")),
            "vnp_Amount": str(request.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": request.order_ref,
            "vnp_OrderInfo": request.description,
            "vnp_OrderType": "other",
            "vnp_Locale": request.locale,
            "vnp_ReturnUrl": request.return_url,
            "vnp_IpAddr": request.client_ip or "127.0.0.1",
            "vnp_CreateDate": request.created_at.astimezone(VN_TZ).strftime(_STAMP),
            "vnp_ExpireDate": request.expires_at.astimezone(VN_TZ).strftime(_STAMP),
        }
        params["vnp_SecureHash"] = sign(params, self.secret)
        return params

    def redirect_url(self, request: PaymentRequest) -> str | None:
        params = self.request_params(request)
        query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in params.items())
        return f"{self.pay_url}?{query}"

    def verify(self, params: Mapping[str, str]) -> None:
        given = str(params.get("vnp_SecureHash", "")).lower()
        if not given or not self.secret:
            raise InvalidCallback("invalid_signature", "missing signature")
        if not hmac.compare_digest(given, sign(params, self.secret)):
            raise InvalidCallback("invalid_signature", "signature does not match")

    def parse_callback(self, params: Mapping[str, str]) -> CallbackResult:
        self.verify(params)
        try:
            raw_amount = int(params["vnp_Amount"])
            order_ref = str(params["vnp_TxnRef"])
        except (KeyError, ValueError) as exc:
            raise InvalidCallback("invalid_callback", "missing or malformed fields") from exc
        if raw_amount % 100:
            raise InvalidCallback("invalid_amount", "the amount is not whole dong")
        paid_at = None
        if params.get("vnp_PayDate"):
            try:
                paid_at = dt.datetime.strptime(params["vnp_PayDate"], _STAMP).replace(tzinfo=VN_TZ)
            except ValueError as exc:
                raise InvalidCallback("invalid_callback", "malformed pay date") from exc
        response = str(params.get("vnp_ResponseCode", ""))
        status = str(params.get("vnp_TransactionStatus", response))
        return CallbackResult(
            order_ref=order_ref,
            amount_vnd=raw_amount // 100,
            currency=str(params.get("vnp_CurrCode", "VND")),
            success=response == "00" and status == "00",
            gateway_reference=str(params.get("vnp_TransactionNo", "")),
            status_code=response,
            paid_at=paid_at,
            fields=dict(params),
        )

    def acknowledge(self, outcome: str) -> tuple[int, dict[str, str]]:
        code, message = _ACK.get(outcome, ("99", "Unknown error"))
        return 200, {"RspCode": code, "Message": message}
