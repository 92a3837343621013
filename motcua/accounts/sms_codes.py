"""Signing in to the portal with a one-time code texted to a phone (docs/identity.md,
"Mã đăng nhập qua tin nhắn").

- `sign_in_code_request(phone=..., address=..., now=...)`: a 6-digit code from `secrets`,
  kept only as an HMAC-SHA256 (key: SECRET_KEY; message: phone and code), valid
  `CODE_MINUTES`; a new code ends the older ones. Limits per phone (1 a minute, 5 an hour)
  and per address (`MOTCUA_RATE_LIMITS["sms_code_address"]`). The same answer whether or
  not the phone has an account: a code is sent either way (no account enumeration).
- `sign_in_code_verify(phone=..., code=..., address=..., now=...)`: single use; 5 wrong
  codes for a phone lock it for `sms_code_failures`' window (the code too); limits per
  address. Answers the account, or None when the (proven) phone has none. Staff accounts
  are refused: they keep password + second factor.

The code leaves accounts through a seam, `settings.MOTCUA_SIGN_IN_CODE_SENDER` (a dotted path
to a `SignInCodeSender`): accounts sits below notifications and may not import it. The
configured sender is `motcua.notifications.sign_in.NotificationsSignInCodeSender` (SMS with
the providers' failover; the demo's sandbox inbox, admin → tin SMS hộp thử).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError, ValidationError
from motcua.core.identifiers import InvalidIdentifier, phone_clean
from motcua.core.ratelimit import rate_limit_exceeded, rate_limit_record, rate_limit_retry_after

from .models import SignInCode, SignInCodePurpose, User
from .second_factor import is_staff_account
from .signin import sign_in_refusal_log

logger = logging.getLogger("motcua.accounts.signin")

CODE_DIGITS = 6
CODE_MINUTES = 5
MAX_ATTEMPTS = 5
CHANNEL = "sms_code"

SEND_PHONE_MINUTE = "sms_code_phone"  # (1, 60)
SEND_PHONE_HOUR = "sms_code_phone_hour"  # (5, 3600)
SEND_ADDRESS = "sms_code_address"  # (20, 3600)
VERIFY_ADDRESS = "sms_code_verify"  # (30, 600)
FAILURES_PHONE = "sms_code_failures"  # (5, 900): the lock after 5 wrong codes


class SignInCodeSender(Protocol):
    def send(
        self,
        *,
        phone: str,
        code: str,
        minutes: int,
        reference: str,
        now: dt.datetime,
        purpose: str = ...,
    ) -> None: ...


class LoggingSignInCodeSender:
    """A sender for settings without notifications: logs that a code was made, never the code."""

    def send(
        self,
        *,
        phone: str,
        code: str,
        minutes: int,
        reference: str,
        now: dt.datetime,
        purpose: str = "sign_in",
    ) -> None:
        logger.info(
            "sign-in code %s made for %s (no sender configured)", reference, phone_mask(phone)
        )


class SignInCodeLimited(DomainError):
    """Too many codes asked or tried: wait `retry_after` seconds (HTTP 429, Retry-After)."""

    code = "sign_in_code_limited"
    status = 429

    def __init__(self, message: object, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(str(message), code=code or self.code)
        self.retry_after = retry_after


def phone_mask(phone: str) -> str:
    """How a phone appears in logs: 091****678."""
    return f"{phone[:3]}****{phone[-3:]}" if len(phone) >= 7 else "****"


def sign_in_phone_clean(value: str) -> str:
    """A Vietnamese mobile number normalised (0912345678, +84912345678, 84912345678 ->
    0912345678); ValidationError (field `phone`) otherwise."""
    message = str(
        _(
            "Số điện thoại di động gồm 10 chữ số bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
            "(ví dụ 0912345678 hoặc +84912345678)."
        )
    )
    try:
        phone = phone_clean((value or "").strip())
    except InvalidIdentifier:
        phone = ""
    if len(phone) != 10:
        raise ValidationError(
            message,
            code="phone_invalid",
            errors=[{"field": "phone", "code": "phone_invalid", "message": message}],
        )
    return phone


def code_hash(*, phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"sign-in-code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _sender() -> SignInCodeSender:
    path = getattr(settings, "MOTCUA_SIGN_IN_CODE_SENDER", "") or (
        "motcua.accounts.sms_codes.LoggingSignInCodeSender"
    )
    sender: SignInCodeSender = import_string(path)()
    return sender


def _limited(names: list[tuple[str, str]]) -> int | None:
    for name, key in names:
        if rate_limit_exceeded(name=name, key=key):
            return rate_limit_retry_after(name=name)
    return None


def _wait_text(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return str(_("Vui lòng thử lại sau khoảng %(minutes)s phút.") % {"minutes": minutes})


def sign_in_code_request(
    *, phone: str, address: str, now: dt.datetime, purpose: str = SignInCodePurpose.SIGN_IN
) -> SignInCode:
    """Make and send a new code for `phone` (already normalised). SignInCodeLimited when
    this phone or address asked too often. `purpose`: signing in, or proving the phone
    before an account is created (`accounts.phone_signup`), or resetting a forgotten password
    (`accounts.passwords`); the limits are the same (the sender words a reset's text apart),
    and a new code of any purpose ends the phone's older ones."""
    wait = _limited([(SEND_PHONE_MINUTE, phone), (SEND_PHONE_HOUR, phone), (SEND_ADDRESS, address)])
    if wait is not None:
        sign_in_refusal_log(
            identifier=phone, address=address, reason="code_send_limited", channel=CHANNEL
        )
        raise SignInCodeLimited(
            str(_("Bạn đã yêu cầu mã quá nhiều lần. ")) + _wait_text(wait), retry_after=wait
        )
    for name, key in (
        (SEND_PHONE_MINUTE, phone),
        (SEND_PHONE_HOUR, phone),
        (SEND_ADDRESS, address),
    ):
        rate_limit_record(name=name, key=key)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    with transaction.atomic():
        SignInCode.objects.filter(
            phone=phone, used_at__isnull=True, superseded_at__isnull=True
        ).update(superseded_at=now)
        row = SignInCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash(phone=phone, code=code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        )
    _sender().send(
        phone=phone,
        code=code,
        minutes=CODE_MINUTES,
        reference=f"code-{row.pk}",
        now=now,
        purpose=purpose,
    )
    logger.info("sign-in code sent: phone=%s address=%s", phone_mask(phone), address)
    return row


def _wrong(message: object) -> ValidationError:
    text = str(message)
    return ValidationError(
        text,
        code="code_invalid",
        errors=[{"field": "code", "code": "code_invalid", "message": text}],
    )


def sign_in_code_check(
    *, phone: str, code: str, address: str, now: dt.datetime, purposes: tuple[str, ...]
) -> SignInCode:
    """The phone's live code, now used, when `code` is it (and of one of `purposes`).
    Counts a wrong code against the phone (5 lock it: `sign_in_code_locked`) and every try
    against the address. ValidationError (`code_invalid`) or SignInCodeLimited."""
    wait = _limited([(FAILURES_PHONE, phone), (VERIFY_ADDRESS, address)])
    if wait is not None:
        sign_in_refusal_log(
            identifier=phone, address=address, reason="code_locked", channel=CHANNEL
        )
        raise SignInCodeLimited(
            str(_("Đã nhập sai mã quá nhiều lần. ")) + _wait_text(wait),
            retry_after=wait,
            code="sign_in_code_locked",
        )
    rate_limit_record(name=VERIFY_ADDRESS, key=address)
    given = "".join(ch for ch in (code or "") if not ch.isspace())
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, superseded_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        valid = (
            row is not None
            and row.purpose in purposes
            and row.expires_at > now
            and row.attempts < MAX_ATTEMPTS
            and hmac.compare_digest(row.code_hash, code_hash(phone=phone, code=given))
        )
        if not valid:
            if row is not None:
                row.attempts += 1
                row.save(update_fields=["attempts"])
        else:
            assert row is not None
            row.used_at = now
            row.save(update_fields=["used_at"])
    if not valid:
        rate_limit_record(name=FAILURES_PHONE, key=phone)
        sign_in_refusal_log(
            identifier=phone, address=address, reason="code_invalid", channel=CHANNEL
        )
        raise _wrong(_("Mã không đúng hoặc đã hết hạn. Hãy kiểm tra tin nhắn hoặc yêu cầu mã mới."))
    assert row is not None
    return row


def sign_in_code_verify(*, phone: str, code: str, address: str, now: dt.datetime) -> User | None:
    """Check `code` for `phone`. The account (a citizen's or organisation's), or None when no
    account has this (now proven) phone. ValidationError (`code_invalid`, `staff_refused`) or
    SignInCodeLimited (`sign_in_code_locked`)."""
    sign_in_code_check(
        phone=phone, code=code, address=address, now=now, purposes=(SignInCodePurpose.SIGN_IN,)
    )
    return sign_in_code_account(phone=phone, address=address)


def sign_in_code_account(*, phone: str, address: str) -> User | None:
    """The account a proven `phone` signs in to (None: none has it); staff are refused."""
    user = User.objects.filter(phone=phone, is_active=True).order_by("pk").first()
    if user is not None and is_staff_account(user):
        sign_in_refusal_log(
            identifier=phone, address=address, reason="staff_refused", channel=CHANNEL
        )
        raise ValidationError(
            str(
                _(
                    "Tài khoản cán bộ, công chức không đăng nhập bằng mã tin nhắn. Hãy đăng nhập "
                    "bằng mật khẩu và mã xác thực."
                )
            ),
            code="staff_refused",
        )
    logger.info(
        "sign-in by code: phone=%s address=%s account=%s",
        phone_mask(phone),
        address,
        user.pk if user else "-",
    )
    return user
