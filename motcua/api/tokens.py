"""Personal API tokens without the admin: exchange a user name (or phone number) and password
for a token, list one's tokens, revoke one. Creation and revocation go through the accounts
services (audit events `api_token.create` / `api_token.revoke`).

`POST /auth/token` is limited per address (every attempt, `MOTCUA_RATE_LIMITS["auth_token"]`)
and, like every sign-in, per account and per address on failures (`motcua.accounts.signin`);
failures are logged without the password. Integrator accounts get their tokens from an
administrator (403 `integrator_tokens_by_admin`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.accounts.models import ApiToken, User
from motcua.accounts.selectors import api_tokens_of
from motcua.accounts.services import personal_token_create, personal_token_revoke
from motcua.accounts.signin import sign_in_limited
from motcua.core import clock
from motcua.core.ratelimit import client_ip

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import MESSAGES, ApiError, ErrorOut, ValidationErrorOut
from .throttling import auth_token_throttle

router = Router(tags=["auth"])


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(
        ..., min_length=1, max_length=150, description="Tên đăng nhập hoặc số điện thoại."
    )
    password: str = Field(
        ..., min_length=1, max_length=256, json_schema_extra={"format": "password"}
    )
    name: str = Field("API", min_length=1, max_length=100, description="Tên gợi nhớ của khoá.")


class TokenOut(Schema):
    id: int
    prefix: str = Field(..., description="Vài ký tự đầu của khoá, để nhận ra nó.")
    name: str
    created_at: LocalDateTime
    expires_at: LocalDateTime | None
    last_used_at: LocalDateTime | None
    revoked_at: LocalDateTime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="Khoá API: chỉ hiển thị một lần, hãy lưu lại ngay.")


class TokenList(Schema):
    items: list[TokenOut]
    count: int


@router.post(
    "/token",
    response={
        201: TokenCreatedOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    auth=None,
    operation_id="auth_token_create",
    summary="Tạo khoá API cá nhân",
    description=(
        "Đổi tên đăng nhập (hoặc số điện thoại) và mật khẩu lấy một khoá API của chính "
        "tài khoản đó, hết hạn sau một số ngày. Khoá chỉ trả về một lần. Sai mật khẩu: 401 "
        "`invalid_credentials`; sai quá nhiều lần (theo tài khoản hoặc theo địa chỉ): 429 "
        "`sign_in_limited`. Tài khoản hệ thống tích hợp nhận khoá từ quản trị viên (403)."
    ),
)
def auth_token_create(request: HttpRequest, payload: TokenCreateIn) -> Status[ApiToken]:
    if not auth_token_throttle.allow_request(request):
        raise ApiError(
            status=429,
            code="rate_limited",
            message=MESSAGES["rate_limited"],
            headers={"Retry-After": str(int(auth_token_throttle.wait() or 1) + 1)},
        )
    wait = sign_in_limited(identifier=payload.username, address=client_ip(request))
    if wait is not None:
        raise ApiError(
            status=429,
            code="sign_in_limited",
            message=MESSAGES["sign_in_limited"],
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User):
        raise ApiError(
            status=401, code="invalid_credentials", message=MESSAGES["invalid_credentials"]
        )
    token, raw = personal_token_create(user=user, name=payload.name, now=clock.now())
    token.key = raw  # type: ignore[attr-defined]  # rendered once, never stored
    return Status(201, token)


@router.get(
    "/tokens",
    response={200: TokenList, 400: ValidationErrorOut, 401: ErrorOut},
    auth=AUTH,
    operation_id="auth_tokens_list",
    summary="Khoá API của tôi",
    description="Các khoá API của tài khoản đang gọi (không kèm khoá), mới nhất trước.",
)
def auth_tokens_list(request: HttpRequest) -> dict[str, Any]:
    tokens = list(api_tokens_of(user=request_actor(request)))
    return {"items": tokens, "count": len(tokens)}


@router.delete(
    "/tokens/{token_id}",
    response={
        204: None,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    auth=AUTH,
    operation_id="auth_tokens_revoke",
    summary="Thu hồi khoá API",
    description=(
        "Thu hồi một khoá của chính mình; có hiệu lực ngay từ yêu cầu sau, ở mọi tiến trình. "
        "Khoá của người khác: 404."
    ),
)
def auth_tokens_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    personal_token_revoke(user=request_actor(request), token_id=token_id, now=clock.now())
    return HttpResponse(status=204)
