"""Request guards that run before any view.

`RequestGuardMiddleware` refuses what no view can store: a NUL character in the path, the
query string or a header (PostgreSQL cannot store NUL in text, so it would end as a 500
wherever the value reaches a query — the admin's search box, a dossier code), and, under the
API prefix, a body larger than `settings.MOTCUA_API_INPUT_LIMITS["body_bytes"]` (413, before
the body is read; a file upload to `POST /api/v1/dossiers/{code}/files`,
`.../actions/issue_result`, `/api/v1/verify/{code}` or a statement file to
`/api/v1/payments/reconciliations` may be up to
`settings.MOTCUA_API_UPLOAD_MAX_BYTES`; a feedback sent with its photos, multipart
`POST /api/v1/feedback`, up to `MOTCUA_FEEDBACK_ATTACHMENTS["total_bytes"]` and the
envelope). Under the API the answer is the API's JSON error
shape; elsewhere a plain 400 page. JSON bodies are checked by the API's parser
(`motcua.api.parser`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"
#: File uploads (POST only) may be larger: `settings.MOTCUA_API_UPLOAD_MAX_BYTES` (a
#: component's file, a result to sign, a PDF to verify, a gateway's statement; a supplement
#: answered with files, as multipart only).
UPLOAD_PATH = re.compile(
    r"^/api/v1/(dossiers/[^/]+/(files|actions/issue_result)|verify/[^/]+|payments/reconciliations)/?$"
)
MULTIPART_UPLOAD_PATH = re.compile(r"^/api/v1/dossiers/[^/]+/actions/supplement/?$")
#: A feedback sent with its photos (multipart only): all its files plus the envelope.
FEEDBACK_UPLOAD_PATH = re.compile(r"^/api/v1/feedback/?$")
ENVELOPE_BYTES = 64 * 1024

MESSAGES = {
    "invalid_characters": _("Yêu cầu chứa ký tự không hợp lệ (ký tự NUL)."),
    "payload_too_large": _("Nội dung yêu cầu quá lớn (tối đa %(limit)s byte)."),
}


def _nul_in_query(request: HttpRequest) -> str | None:
    raw = str(request.META.get("QUERY_STRING", ""))
    if "%00" not in raw and "\x00" not in raw:
        return None
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "")
    return ""


def _nul_in_headers(request: HttpRequest) -> str | None:
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return key[5:].replace("_", "-").title()
    return None


def _refusal(request: HttpRequest) -> tuple[int, str, str, str, dict[str, Any]] | None:
    """(status, code, location, field, message params) of the first problem, if any."""
    if "\x00" in request.path_info:
        return 400, "invalid_characters", "path", "", {}
    field = _nul_in_query(request)
    if field is not None:
        return 400, "invalid_characters", "query", field, {}
    field = _nul_in_headers(request)
    if field is not None:
        return 400, "invalid_characters", "header", field, {}
    if request.path_info.startswith(API_PREFIX):
        limit = settings.MOTCUA_API_INPUT_LIMITS["body_bytes"]
        if request.method == "POST" and (
            UPLOAD_PATH.match(request.path_info)
            or (
                request.content_type == "multipart/form-data"
                and MULTIPART_UPLOAD_PATH.match(request.path_info)
            )
        ):
            limit = settings.MOTCUA_API_UPLOAD_MAX_BYTES
        elif (
            request.method == "POST"
            and request.content_type == "multipart/form-data"
            and FEEDBACK_UPLOAD_PATH.match(request.path_info)
        ):
            limit = settings.MOTCUA_FEEDBACK_ATTACHMENTS["total_bytes"] + ENVELOPE_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return 413, "payload_too_large", "body", "", {"limit": limit}
    return None


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _refusal(request)
        if refusal is None:
            return self.get_response(request)
        status, code, location, field, params = refusal
        message = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
        if request.path_info.startswith(API_PREFIX):
            body: dict[str, Any] = {"code": code, "message": message}
            if status == 400:
                body["errors"] = [
                    {"field": field, "code": code, "message": message, "location": location}
                ]
            return JsonResponse(body, status=status, content_type="application/json; charset=utf-8")
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
