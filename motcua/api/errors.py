"""One error shape for every failure: `{"code", "message"}` (+ `errors` for invalid input).

`code` is stable and what clients switch on; `message` is for people, in the request's
language (Vietnamese by default, English with `Accept-Language: en`; LocaleMiddleware has
already activated it when a handler runs). Domain errors bring their own code, status and
lazily translated message; this module only renders them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from motcua.core.errors import DomainError
from motcua.core.errors import ValidationError as DomainValidationError

from .parser import InputRefused

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str
    location: str | None = None
    #: The line of an uploaded file the error is about (a statement file: the header is 1).
    row: int | None = None
    #: What is wrong with that line, machine-readable (a statement file: `value_empty`,
    #: `amount_invalid`, ... docs/payments.md), and the column it is about.
    reason: str | None = None
    column: str | None = None


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut]


class ApiError(Exception):
    """An error raised by the API layer itself (not by a domain service)."""

    def __init__(
        self, *, status: int, code: str, message: Any, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


MESSAGES = {
    "invalid": _("Dữ liệu gửi lên không hợp lệ."),
    "unreadable_body": _("Không đọc được nội dung yêu cầu: cần JSON hợp lệ."),
    "not_found": _("Không tìm thấy."),
    "unauthenticated": _("Cần đăng nhập hoặc gửi khoá API hợp lệ."),
    "forbidden": _("Không có quyền thực hiện thao tác này."),
    "csrf_failed": _("Thiếu hoặc sai mã CSRF: gửi lại yêu cầu kèm mã CSRF của phiên đăng nhập."),
    "rate_limited": _("Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
    "method_not_allowed": _("Phương thức không được hỗ trợ."),
    "server_error": _("Hệ thống gặp lỗi. Vui lòng thử lại sau."),
    "idempotency_key_reused": _(
        "Khoá Idempotency-Key này đã dùng cho một yêu cầu có nội dung khác."
    ),
    "invalid_characters": _(
        "Nội dung chứa ký tự không hợp lệ (ký tự NUL, ký tự Unicode lẻ hoặc không phải UTF-8)."
    ),
    "non_finite_number": _("Số không hợp lệ: JSON không cho phép NaN, Infinity hay số quá lớn."),
    "string_too_long": _("Chuỗi quá dài (tối đa %(limit)s ký tự)."),
    "document_too_deep": _("Tài liệu JSON lồng quá sâu (tối đa %(limit)s cấp)."),
    "document_too_large": _("Tài liệu JSON có quá nhiều giá trị (tối đa %(limit)s)."),
    "payload_too_large": _("Nội dung yêu cầu quá lớn."),
    "service_unavailable": _("Dịch vụ tạm thời không sẵn sàng. Vui lòng thử lại sau."),
    "invalid_credentials": _("Tên đăng nhập hoặc mật khẩu không đúng."),
    "sign_in_limited": _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút."),
    "submission_quota_exceeded": _(
        "Tài khoản đã nộp %(limit)s hồ sơ trong %(minutes)s phút qua, mức tối đa cho phép. "
        "Vui lòng thử lại sau."
    ),
}

# Messages for the commonest pydantic error types; anything else keeps pydantic's text.
FIELD_MESSAGES = {
    "missing": _("Trường này là bắt buộc."),
    "string_type": _("Phải là chuỗi ký tự."),
    "string_too_short": _("Quá ngắn."),
    "string_too_long": _("Quá dài."),
    "int_parsing": _("Phải là số nguyên."),
    "int_type": _("Phải là số nguyên."),
    "greater_than_equal": _("Giá trị quá nhỏ."),
    "less_than_equal": _("Giá trị quá lớn."),
    "enum": _("Giá trị không thuộc danh sách cho phép."),
    "literal_error": _("Giá trị không thuộc danh sách cho phép."),
    "dict_type": _("Phải là một đối tượng JSON."),
    "json_invalid": _("JSON không hợp lệ."),
    "extra_forbidden": _("Trường không được hỗ trợ."),
    "value_error": _("Giá trị không hợp lệ."),
}

# The 4xx responses shared by the operations, for the OpenAPI document. 400 is on every
# operation: a NUL character in the path, query string or a header (motcua.core.middleware).
PUBLIC_ERRORS: dict[int, type[Schema]] = {
    400: ValidationErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}
READ_ERRORS: dict[int, type[Schema]] = {400: ValidationErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ValidationErrorOut,  # refused by the service (domain ValidationError), bad characters
    401: ErrorOut,
    403: ErrorOut,  # not allowed, or a session request without its CSRF token
    409: ErrorOut,
    413: ErrorOut,  # the body is larger than MOTCUA_API_INPUT_LIMITS["body_bytes"]
    422: ValidationErrorOut,  # the request itself does not parse, or is past the limits
}


def error_body(code: str, message: Any, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": str(message), **extra}


def _field_errors(exc: NinjaValidationError) -> list[dict[str, Any]]:
    """Ninja's locations look like ("body", "payload", "form_data", "x") or ("query", "page"):
    keep where it was (`location`) and the field path inside the document (`field`)."""
    result = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ())]
        location = loc[0] if loc else None
        path = loc[1:]
        if location == "body" and len(path) > 1:
            path = path[1:]  # drop the operation's parameter name ("payload")
        kind = str(err.get("type", "invalid"))
        message = FIELD_MESSAGES.get(kind, err.get("msg", MESSAGES["invalid"]))
        result.append(
            {"field": ".".join(path), "code": kind, "message": str(message), "location": location}
        )
    return result


def input_refused_body(exc: InputRefused, location: str = "body") -> dict[str, Any]:
    message = str(MESSAGES[exc.code]) % exc.params if exc.params else str(MESSAGES[exc.code])
    errors = [{"field": exc.field, "code": exc.code, "message": message, "location": location}]
    return error_body(exc.code, message, errors=errors)


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, DomainError)
        extra: dict[str, Any] = {}
        if isinstance(exc, DomainValidationError):
            extra["errors"] = [
                {
                    key: value if isinstance(value, int) else str(value)
                    for key, value in item.items()
                }
                for item in exc.errors
            ]
        return respond(request, exc.status, error_body(exc.code, exc.render(), **extra))

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, ApiError)
        response = respond(request, exc.status, error_body(exc.code, exc.message))
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        body = error_body("invalid", MESSAGES["invalid"], errors=_field_errors(exc))
        return respond(request, 422, body)

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, error_body("not_found", MESSAGES["not_found"]))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        if isinstance(exc, AuthenticationError):
            code = "unauthenticated"
        elif isinstance(exc, Throttled):
            code = "rate_limited"
        elif exc.status_code == 403 and "CSRF" in exc.message:
            code = "csrf_failed"
        elif exc.status_code == 400:  # ninja could not parse the body
            cause = exc.__cause__
            if isinstance(cause, InputRefused):  # our parser refused it
                return respond(request, cause.status, input_refused_body(cause))
            if isinstance(cause, RequestDataTooBig):
                return on_too_big(request, cause)
            return respond(request, 400, error_body("invalid", MESSAGES["unreadable_body"]))
        else:
            code = {
                401: "unauthenticated",
                403: "forbidden",
                404: "not_found",
                405: "method_not_allowed",
                429: "rate_limited",
            }.get(exc.status_code, "error")
        message = MESSAGES.get(code, exc.message)
        return respond(request, exc.status_code, error_body(code, message))

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 413, error_body("payload_too_large", MESSAGES["payload_too_large"]))

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("api: unhandled error on %s %s", request.method, request.path)
        return respond(request, 500, error_body("server_error", MESSAGES["server_error"]))

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ApiError, on_api_error)
