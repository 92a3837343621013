from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from motcua.core.clock import now as clock_now
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


#: Session keys: the last request's time (Unix seconds), and "signed out for inactivity".
LAST_SEEN_KEY = "motcua_last_seen"
IDLE_EXPIRED_KEY = "motcua_idle_expired"
#: The last-seen time is written at most this often (seconds): not a session save per request.
LAST_SEEN_GRANULARITY = 60


def idle_limit_seconds(user: object) -> int:
    """How long a session of `user` may stay idle (`MOTCUA_SESSION_IDLE_SECONDS`)."""
    from .second_factor import is_staff_account

    limits = settings.MOTCUA_SESSION_IDLE_SECONDS
    return int(limits["staff"] if is_staff_account(user) else limits["default"])  # type: ignore[arg-type]


class SessionIdleMiddleware:
    """Signs out a session that made no request for longer than its idle limit (staff: 30
    minutes by default), and keeps an active one alive: each request (at most once a minute)
    records its time and moves the session's expiry on. The sign-in page then says why the
    person was signed out (a session idle for more than twice the limit is simply gone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            limit = idle_limit_seconds(user)
            seen_now = int(clock_now().timestamp())
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int) and seen_now - last > limit:
                logout(request)
                request.session[IDLE_EXPIRED_KEY] = True
            elif not isinstance(last, int) or seen_now - last >= LAST_SEEN_GRANULARITY:
                request.session[LAST_SEEN_KEY] = seen_now
                # The stored session outlives the limit (twice as long), so that the next
                # request finds it, signs it out here and the sign-in page can say why.
                request.session.set_expiry(2 * limit)
        return self.get_response(request)
