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

The merchant's daily statement (`parse_statement`) is a CSV with a header row naming the
`vnp_*` fields (`STATEMENT_COLUMNS`; docs/payments.md, "Reconciliation"): `vnp_Amount` x 100,
`vnp_PayDate` yyyyMMddHHmmss in Hanoi time, `vnp_TransactionStatus` "00" for a success and
`vnp_TransactionType` 01 payment, 02 full refund, 03 partial refund.

Configuration: `MOTCUA_PAYMENT_GATEWAYS["vnpay"] = {"tmn_code", "hash_secret", "pay_url"}`
(from the environment: `MOTCUA_VNPAY_TMN_CODE`, `MOTCUA_VNPAY_HASH_SECRET`,
`MOTCUA_VNPAY_PAY_URL`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from collections.abc import Iterable, Mapping
from typing import IO, Protocol
from urllib.parse import quote_plus

from django.utils.translation import gettext_lazy as _

from motcua.core.clock import VN_TZ

from ...base import (
    CallbackResult,
    Gateway,
    InvalidCallback,
    PaymentRequest,
    StatementError,
    StatementLine,
    StatementProblem,
    StatementStatus,
)

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


#: The columns of a statement file, in the order motcua writes them (the sandbox bank's
#: export); a bank's file may order them differently and add others (kept in `raw`).
STATEMENT_COLUMNS = (
    "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionNo", "vnp_TransactionType", "vnp_Amount",
    "vnp_CurrCode", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionStatus", "vnp_OrderInfo",
)  # fmt: skip
#: The columns a statement cannot do without.
STATEMENT_REQUIRED = (
    "vnp_TxnRef", "vnp_TransactionNo", "vnp_Amount", "vnp_PayDate", "vnp_TransactionStatus",
)  # fmt: skip
#: vnp_TransactionType: 01 payment, 02 full refund, 03 partial refund (empty: a payment).
_REFUND_TYPES = {"02", "03"}
_TYPES = {"", "01"} | _REFUND_TYPES
_DIGITS = re.compile(r"[0-9]+")


def _statement_text(file: IO[bytes] | IO[str]) -> str:
    content = file.read()
    if isinstance(content, bytes):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise StatementError([StatementProblem(1, "not_utf8")]) from exc
    return content.removeprefix("\ufeff")


def _statement_line(
    row: dict[str, str], number: int
) -> tuple[StatementLine | None, list[StatementProblem]]:
    """One row read, or what is wrong with it (every problem, not only the first)."""
    problems = [
        StatementProblem(number, "value_empty", name)
        for name in STATEMENT_REQUIRED
        if not row.get(name)
    ]
    amount = 0
    raw_amount = row.get("vnp_Amount", "")
    if raw_amount and not (_DIGITS.fullmatch(raw_amount) and int(raw_amount) % 100 == 0):
        problems.append(
            StatementProblem(number, "amount_invalid", "vnp_Amount", {"value": raw_amount})
        )
    elif raw_amount:
        amount = int(raw_amount) // 100
    paid_at = None
    stamp = row.get("vnp_PayDate", "")
    if stamp:
        try:
            if not _DIGITS.fullmatch(stamp) or len(stamp) != 14:
                raise ValueError(stamp)
            paid_at = dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=VN_TZ)
        except ValueError:
            problems.append(
                StatementProblem(number, "pay_date_invalid", "vnp_PayDate", {"value": stamp})
            )
    kind = row.get("vnp_TransactionType", "")
    if kind not in _TYPES:
        problems.append(
            StatementProblem(number, "type_invalid", "vnp_TransactionType", {"value": kind})
        )
    if len(row.get("vnp_TxnRef", "")) > 40:
        problems.append(StatementProblem(number, "reference_too_long", "vnp_TxnRef", {"max": 40}))
    if problems or paid_at is None:
        return None, problems
    status: StatementStatus = "failed"
    if row["vnp_TransactionStatus"] == "00":
        status = "refunded" if kind in _REFUND_TYPES else "paid"
    return StatementLine(
        gateway_reference=row["vnp_TransactionNo"],
        order_ref=row["vnp_TxnRef"],
        amount_vnd=amount,
        currency=row.get("vnp_CurrCode") or "VND",
        status=status,
        paid_at=paid_at,
        raw=dict(row),
        row=number,
    ), []


def statement_parse(file: IO[bytes] | IO[str]) -> list[StatementLine]:
    """Every row of a VNPay-style statement CSV; a `StatementError` naming every bad row
    (by its line number in the file) when any is bad, so nothing is silently dropped."""
    reader = csv.reader(io.StringIO(_statement_text(file), newline=""))
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in STATEMENT_REQUIRED if name not in header]
    if missing:
        raise StatementError(
            [StatementProblem(1, "header_missing", params={"columns": ", ".join(missing)})]
        )
    lines: list[StatementLine] = []
    problems: list[StatementProblem] = []
    for values in reader:
        number = reader.line_num
        if not any(value.strip() for value in values):
            continue  # a blank line holds nothing to lose
        if len(values) != len(header):
            problems.append(
                StatementProblem(
                    number, "field_count", params={"count": len(values), "header": len(header)}
                )
            )
            continue
        line, wrong = _statement_line(
            {name: value.strip() for name, value in zip(header, values, strict=True)}, number
        )
        problems.extend(wrong)
        if line is not None:
            lines.append(line)
    if problems:
        raise StatementError(problems)
    return lines


class TextOut(Protocol):
    """Where a statement is written: a text file, a buffer, a command's stdout."""

    def write(self, text: str, /) -> object: ...


def statement_write(out: TextOut, rows: Iterable[Mapping[str, str]]) -> int:
    """Write a statement CSV (`STATEMENT_COLUMNS`) of `rows`; answers how many."""
    writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in STATEMENT_COLUMNS})
        count += 1
    return count


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
    label = _("VNPAY")

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

    def parse_statement(self, file: IO[bytes] | IO[str]) -> list[StatementLine]:
        return statement_parse(file)

    def acknowledge(self, outcome: str) -> tuple[int, dict[str, str]]:
        code, message = _ACK.get(outcome, ("99", "Unknown error"))
        return 200, {"RspCode": code, "Message": message}
