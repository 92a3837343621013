from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .ratelimit import client_ip, rate_limit_hit

SIGN_IN_PATHS = ("/admin/login/", "/accounts/login/")


class SignInRateLimitMiddleware:
    """Limits sign-in attempts (POST) per client address: 429 past the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and request.path in SIGN_IN_PATHS
            and rate_limit_hit(name="login", key=client_ip(request))
        ):
            return HttpResponse(
                _("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau ít phút."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
