from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from motcua.core.ratelimit import client_ip

from .signin import sign_in_limited

SIGN_IN_PATHS = ("/admin/login/", "/accounts/login/")


class SignInRateLimitMiddleware:
    """A sign-in form post (POST) for an account or from an address whose failures reached
    their limit (`motcua.accounts.signin`) gets 429 without checking the password; the
    failures themselves are counted by the authentication backend."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in SIGN_IN_PATHS:
            wait = sign_in_limited(
                identifier=str(request.POST.get("username", "")), address=client_ip(request)
            )
            if wait is not None:
                response = HttpResponse(
                    _("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau ít phút."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
