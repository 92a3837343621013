"""The staff second factor (django-otp, ADR "django-otp for the staff second factor"): a TOTP
device per account, confirmed with a first code, and 10 single-use recovery codes (a
django-otp static device). Who must pass it: `second_factor_required`.

Failed codes are throttled by django-otp per device (an increasing wait after each failure)
and logged like failed passwords (logger `motcua.accounts.signin`, reason `bad_code`, never
the code)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.services import audit_record

from .models import User
from .signin import sign_in_refusal_log

RECOVERY_CODES = 10
DEVICE_NAME = "motcua"


def is_staff_account(user: User) -> bool:
    """An account of the administration (staff kind, or a Django staff/superuser)."""
    return bool(
        user.is_authenticated
        and (user.kind == User.Kind.STAFF or user.is_staff or user.is_superuser)
    )


def second_factor_required(user: User) -> bool:
    """Must `user` pass a second factor before the staff workspace opens?"""
    return is_staff_account(user) and bool(settings.MOTCUA_STAFF_2FA_REQUIRED)


def second_factor_enrolled(user: User) -> bool:
    """Has `user` a confirmed authenticator app?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrol_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator of `user` (made now, or the one started earlier, so a
    reload shows the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_enrol_confirm(
    *, user: User, token: str, now: dt.datetime, address: str = "-"
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator started by `totp_enrol_start` with a code it shows; any
    other authenticator and recovery codes of the account are replaced. Returns the device
    and the 10 new recovery codes (shown once: only django-otp's rows keep them)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    # A wrong code counts against the device (django-otp's throttle) and is committed.
    if device is None or not device.verify_token(token.strip().replace(" ", "")):
        sign_in_refusal_log(
            identifier=user.get_username(), address=address, reason="bad_code", channel="web"
        )
        raise ValidationError(
            _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiển thị trong ứng dụng."),
            code="bad_code",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user=user)
        audit_record(
            actor=user,
            action="second_factor_enrol",
            object_type="user",
            object_id=user.pk,
            now=now,
            after={"device": "totp", "recovery_codes": len(codes)},
        )
    return device, codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def second_factor_verify(*, user: User, token: str, now: dt.datetime, address: str = "-") -> Device:
    """The confirmed device of `user` that accepts `token` (a TOTP code or one unused
    recovery code, which is spent), else ValidationError (`bad_code`), logged."""
    token = token.strip().replace(" ", "").lower()
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.filter(user=user, confirmed=True):
                if device.verify_token(token):
                    audit_record(
                        actor=user,
                        action="second_factor_verify",
                        object_type="user",
                        object_id=user.pk,
                        now=now,
                        after={"device": "recovery_code" if model is StaticDevice else "totp"},
                    )
                    return device
    sign_in_refusal_log(
        identifier=user.get_username(), address=address, reason="bad_code", channel="web"
    )
    raise ValidationError(_("Mã xác thực không đúng, đã dùng hoặc đã hết hạn."), code="bad_code")


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_codes_regenerate(*, user: User, now: dt.datetime) -> list[str]:
    """Replace the recovery codes of `user` (who has an authenticator) with 10 new ones,
    shown once; the old ones stop working. The caller checked that the person passed the
    second factor in this session."""
    if not second_factor_enrolled(user):
        raise ValidationError(
            _("Hãy cài đặt ứng dụng xác thực trước khi tạo mã khôi phục."), code="not_enrolled"
        )
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        audit_record(
            actor=user,
            action="second_factor_recovery_codes",
            object_type="user",
            object_id=user.pk,
            now=now,
            after={"recovery_codes": len(codes)},
        )
    return codes


def may_reset_second_factor(actor: User) -> bool:
    """Who resets another person's second factor: the administrators of accounts (a
    superuser, or a Django admin user given the right to change accounts)."""
    return bool(
        actor.is_authenticated
        and actor.is_active
        # Django admin users only (is_staff): no permission query for everyone else's page.
        and (actor.is_superuser or (actor.is_staff and actor.has_perm("accounts.change_user")))
    )


def second_factor_reset(*, user: User, actor: User, now: dt.datetime, reason: str) -> int:
    """An administrator's reset of the second factor of `user` (a lost phone): the
    authenticator and the recovery codes are deleted, so a session verified with them is
    no longer verified and the next sign-in goes to enrolment. Audited with the reason.
    Returns how many devices were deleted. Refused for oneself (the self-service page
    replaces one's own authenticator), without the right, or without a reason."""
    if not may_reset_second_factor(actor):
        raise PermissionDenied(
            _("Chỉ quản trị viên tài khoản được đặt lại xác thực hai lớp."),
            code="second_factor_reset_forbidden",
        )
    if actor.pk == user.pk:
        raise PermissionDenied(
            _("Không tự đặt lại xác thực hai lớp của mình; hãy dùng trang Bảo mật đăng nhập."),
            code="second_factor_reset_self",
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Cần ghi rõ lý do."),
            code="reason_required",
            errors=[{"field": "reason", "message": str(_("Cần ghi rõ lý do."))}],
        )
    if len(reason) > 500:
        raise ValidationError(
            _("Lý do dài quá 500 ký tự."),
            code="reason_too_long",
            errors=[{"field": "reason", "message": str(_("Lý do dài quá 500 ký tự."))}],
        )
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        totp = TOTPDevice.objects.filter(user=user).count()
        static = StaticDevice.objects.filter(user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()  # the recovery codes with it
        audit_record(
            actor=actor,
            action="second_factor_reset",
            object_type="user",
            object_id=user.pk,
            now=now,
            before={"totp_devices": totp, "recovery_devices": static},
            after={"username": user.username, "totp_devices": 0, "recovery_devices": 0},
            reason=reason,
        )
    return totp + static
