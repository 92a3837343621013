"""What an identity provider is, and what it hands back."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.identifiers import Sex

MESSAGES: dict[str, Promise] = {
    "state": _(
        "Phiên đăng nhập không hợp lệ hoặc đã dùng (có thể do mở lại một liên kết cũ). Hãy "
        "đăng nhập lại từ đầu."
    ),
    "denied": _("Bạn đã không đồng ý chia sẻ thông tin định danh nên chưa đăng nhập được."),
    "token": _(
        "Không xác minh được kết quả đăng nhập từ nhà cung cấp định danh (chữ ký, nơi cấp, "
        "thời hạn hoặc đối tượng không đúng). Hãy đăng nhập lại."
    ),
    "unavailable": _(
        "Không kết nối được với nhà cung cấp định danh. Hãy thử lại sau ít phút hoặc đăng "
        "nhập bằng tài khoản và mật khẩu."
    ),
    "personal_id": _(
        "Nhà cung cấp định danh không trả về số định danh cá nhân hợp lệ nên không xác định "
        "được tài khoản."
    ),
    "inactive": _("Tài khoản gắn với số định danh này đang bị khoá. Hãy liên hệ bộ phận một cửa."),
    "ambiguous": _(
        "Có nhiều tài khoản cùng số định danh này. Hãy liên hệ bộ phận một cửa để được hợp nhất."
    ),
    "not_citizen": _(
        "Số định danh này thuộc một tài khoản cán bộ hoặc tổ chức: hãy đăng nhập bằng tài "
        "khoản và mật khẩu."
    ),
    "unknown_provider": _("Không có nhà cung cấp định danh này."),
    "limited": _("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau ít phút."),
}


class IdentityError(Exception):
    """A sign-in through a provider that did not succeed. `code` is stable (logs, tests);
    `message()` is for the person (Vietnamese, English in the catalogue)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code if not detail else f"{code}: {detail}")
        self.code = code
        #: For the log only: never personal data.
        self.detail = detail

    def message(self) -> str:
        return str(MESSAGES[self.code])


@dataclass(frozen=True)
class VerifiedIdentity:
    """A person as the identity provider vouches for them (the National Population
    Database's record as VNeID shares it). `source` names the provider (`vneid`)."""

    source: str
    issuer: str
    subject: str
    personal_id: str
    full_name: str = ""
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    address: str = ""
    phone: str = ""
    email: str = ""


class IdentityProvider(ABC):
    """One configured provider. `name` is its key in `MOTCUA_IDENTITY_PROVIDERS` (and in the
    URLs); `label` is what the sign-in button says."""

    def __init__(self, *, name: str, label: str = "", **options: Any) -> None:
        self.name = name
        self.label = label or name
        self.options = options

    @abstractmethod
    def begin(self, request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
        """The redirect to the provider; what the callback needs is kept in the session."""

    @abstractmethod
    def complete(self, request: HttpRequest) -> VerifiedIdentity:
        """Check the provider's answer on the callback request; IdentityError when it is not
        to be believed."""
