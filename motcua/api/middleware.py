"""Every error response under /api/ is JSON in the API's shape, whoever produced it: ninja
answers a wrong method with a plain-text 405, Django answers an exception that escapes a view
or a middleware with an HTML 500. Those are rewritten here (status and `Allow` /
`Retry-After` kept); JSON responses pass untouched."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import MESSAGES, error_body

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    503: "service_unavailable",
}
MESSAGE_OF = {"invalid": "unreadable_body"}
KEPT_HEADERS = ("Allow", "Retry-After", "Content-Language", "Vary")


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        code = CODES.get(status, "server_error" if status >= 500 else "error")
        fallback = MESSAGES["server_error"] if status >= 500 else MESSAGES["invalid"]
        message = MESSAGES.get(MESSAGE_OF.get(code, code), fallback)
        if status >= 500:
            logger.error("api: %s answered a non-JSON %s", request.path, status)
        shaped = JsonResponse(
            error_body(code, message), status=status, content_type="application/json; charset=utf-8"
        )
        for name in KEPT_HEADERS:
            if name in response:
                shaped[name] = response[name]
        return shaped
