"""Who is calling: an API token (`Authorization: Bearer <key>` or `Token <key>`) or the
Django session of a signed-in user (CSRF-checked on unsafe methods, as ninja's django_auth).

A token is tried first: a request that carries an Authorization header is judged by that
header alone, so a revoked or expired token is refused even if a session cookie rides along.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from motcua.accounts.models import User
from motcua.accounts.services import api_token_authenticate
from motcua.core import clock

TOKEN_SCHEMES = frozenset({"bearer", "token"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` (or the `Token <key>` spelling some clients use)."""

    openapi_description = (
        "Khoá API cá nhân (POST /api/v1/auth/token) hoặc do quản trị viên tạo "
        "(Admin > Tài khoản > Khoá API): "
        "`Authorization: Bearer <khoá>` hoặc `Authorization: Token <khoá>`."
    )

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None  # no header: let the session decide
        scheme, _, key = header.partition(" ")
        if scheme.lower() not in TOKEN_SCHEMES or not key.strip():
            raise AuthenticationError()
        user = self.authenticate(request, key.strip())
        if user is None:
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(raw_key=token, now=clock.now())
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in user of the Django session. Unlike ninja's `django_auth`, an anonymous
    request gets 401 (not a CSRF 403); CSRF is checked only once there is a user to protect."""

    param_name = "sessionid"
    openapi_description = (
        "Phiên đăng nhập Django (cookie). Với POST/PUT/PATCH/DELETE gửi kèm header "
        "`X-CSRFToken` lấy từ cookie `csrftoken`."
    )

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        assert isinstance(user, User)
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]


def request_actor(request: HttpRequest) -> User:
    """The authenticated user of an operation declared with `auth=AUTH`."""
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, User)
    return actor
