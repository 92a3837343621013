"""Plain Django views of the API (outside ninja's router)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import MESSAGES, error_body


def not_found(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        error_body("not_found", MESSAGES["not_found"]),
        status=404,
        content_type="application/json; charset=utf-8",
    )
