"""Setting a password (docs/identity.md, "Mật khẩu"; ADR 0029).

- A signed-in person whose account has no usable password (made by the phone sign-up, ADR
  0024) sets one from the profile: `user_password_set`, Django's password validators.
- "Quên mật khẩu" by phone: a one-time code texted through the sign-in codes
  (`accounts.sms_codes`, purpose `reset`): the same limits per phone and per address, the
  same lock after 5 wrong codes, only the code's HMAC at rest, and the same answer whether
  or not the phone has an account (a code is sent either way). The checked code answers the
  account (`password_reset_code_verify`; staff refused as for signing in); the pages then
  hold a short-lived grant (`password_reset_grant`) that names the account and its current
  password hash, so it is spent once a password is set and dies after `GRANT_MINUTES`.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError
from motcua.core.services import audit_record

from .models import SignInCode, SignInCodePurpose, User
from .sms_codes import sign_in_code_account, sign_in_code_check, sign_in_code_request

#: How long after the checked code the new password may be set.
GRANT_MINUTES = 10
#: How a password came to be set (the audit event says which).
HOW = frozenset({"profile", "reset_sms"})


def user_password_set(*, user: User, password: str, how: str, now: dt.datetime) -> User:
    """Set `user`'s password after Django's validators (ValidationError, field `password`,
    every problem at once). `how`: `profile` (a signed-in account without a password) or
    `reset_sms` (a texted reset code). Audited, never the password; the account's other
    sessions end (their session hash no longer matches)."""
    if how not in HOW:
        raise ValueError(f"unknown way to set a password: {how}")
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(
            _("Mật khẩu chưa đạt yêu cầu."),
            code="password_weak",
            errors=[
                {"field": "password", "code": "password_weak", "message": str(message)}
                for message in exc.messages
            ],
        ) from exc
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        had = locked.has_usable_password()
        locked.set_password(password)
        locked.save(update_fields=["password"])
        audit_record(
            actor=locked,
            action="account.password_set",
            object_type="user",
            object_id=locked.pk,
            now=now,
            before={"has_password": had},
            after={"has_password": True, "how": how},
        )
    user.password = locked.password
    return locked


def password_reset_code_request(*, phone: str, address: str, now: dt.datetime) -> SignInCode:
    """Text a reset code to `phone` (normalised), whether or not an account has it: the
    sign-in codes' limits (SignInCodeLimited) and text."""
    return sign_in_code_request(
        phone=phone, address=address, now=now, purpose=SignInCodePurpose.PASSWORD_RESET
    )


def password_reset_code_verify(
    *, phone: str, code: str, address: str, now: dt.datetime
) -> User | None:
    """The account of the proven `phone` when `code` is its live reset code (None: no
    account has it). A sign-in or sign-up code is not a reset code. ValidationError
    (`code_invalid`, `staff_refused`) or SignInCodeLimited (`sign_in_code_locked`)."""
    sign_in_code_check(
        phone=phone,
        code=code,
        address=address,
        now=now,
        purposes=(SignInCodePurpose.PASSWORD_RESET,),
    )
    return sign_in_code_account(phone=phone, address=address)


def _stamp(user: User, until: int) -> str:
    return salted_hmac(
        "motcua.accounts.passwords.grant", f"{user.pk}:{user.password}:{until}"
    ).hexdigest()


def password_reset_grant(*, user: User, now: dt.datetime) -> dict[str, Any]:
    """What the pages keep (in the session) between the checked code and the new password."""
    until = int(now.timestamp()) + GRANT_MINUTES * 60
    return {"user": user.pk, "until": until, "stamp": _stamp(user, until)}


def password_reset_grant_user(*, grant: object, now: dt.datetime) -> User | None:
    """The account a grant lets set its password now, or None (none, expired, forged, or
    already spent: the password changed since)."""
    if not isinstance(grant, dict):
        return None
    try:
        pk, until, stamp = int(grant["user"]), int(grant["until"]), str(grant["stamp"])
    except (KeyError, TypeError, ValueError):
        return None
    if until <= now.timestamp():
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not hmac.compare_digest(stamp, _stamp(user, until)):
        return None
    return user
