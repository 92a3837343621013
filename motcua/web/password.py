"""Setting a password (`motcua.accounts.passwords`):

- `/accounts/password/set/`: a signed-in person whose account has no password (the phone
  sign-up) sets one (linked from the profile). An account that has one is sent back there.
- `/accounts/password/forgot/` (phone) -> `/accounts/password/forgot/code/` (the texted
  code) -> `/accounts/password/forgot/new/` (the new password) -> the sign-in page. The phone
  page answers the same whether or not the phone has an account.

The new-password pages use Django's `SetPasswordForm` (its match check and the configured
validators); the service checks the validators again and records the change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from motcua.accounts.models import User
from motcua.accounts.passwords import (
    password_reset_code_request,
    password_reset_code_verify,
    password_reset_grant,
    password_reset_grant_user,
    user_password_set,
)
from motcua.accounts.sms_codes import phone_mask
from motcua.core.clock import now as clock_now
from motcua.core.errors import ValidationError

from .code_steps import code_step, phone_step

PHONE_KEY = "motcua_password_reset_phone"
GRANT_KEY = "motcua_password_reset_grant"


class NewPasswordForm(SetPasswordForm):
    """Django's SetPasswordForm, worded as motcua's pages are."""

    error_messages = {"password_mismatch": _("Hai lần nhập mật khẩu không giống nhau.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = _("Mật khẩu mới")
        first.help_text = _("Ít nhất 8 ký tự; không quá đơn giản, không toàn chữ số.")
        first.error_messages["required"] = _("Nhập mật khẩu mới.")
        second.label = _("Nhập lại mật khẩu mới")
        second.help_text = ""
        second.error_messages["required"] = _("Nhập lại mật khẩu mới.")
        for field in (first, second):
            field.widget.attrs.pop("autofocus", None)


def _save(request: HttpRequest, form: NewPasswordForm, user: User, how: str) -> bool:
    """Set the password; the service's refusal (the validators) lands on the form."""
    try:
        user_password_set(
            user=user, password=form.cleaned_data["new_password1"], how=how, now=clock_now()
        )
    except ValidationError as exc:
        for error in exc.errors or [{"message": exc.render()}]:
            form.add_error("new_password1", str(error.get("message") or exc.render()))
        return False
    return True


@never_cache
@csrf_protect
@login_required
@require_http_methods(["GET", "POST"])
def password_set(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user.has_usable_password():
        messages.info(request, gettext("Tài khoản của bạn đã có mật khẩu."))
        return redirect("portal:profile")
    form = NewPasswordForm(user, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save(request, form, user, "profile"):
            update_session_auth_hash(request, user)  # stay signed in here
            messages.success(
                request,
                gettext(
                    "Đã đặt mật khẩu. Từ nay bạn đăng nhập được bằng mật khẩu hoặc mã tin nhắn."
                ),
            )
            return redirect("portal:profile")
        status = 400
    return render(request, "web/password/set.html", {"form": form}, status=status)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    step = phone_step(request, send=password_reset_code_request)
    if step.refusal is not None:
        return step.refusal
    if step.done:
        request.session.pop(GRANT_KEY, None)
        request.session[PHONE_KEY] = step.value
        return redirect("web:password_forgot_code")
    form, status = step.form, step.status
    return render(request, "web/password/forgot.html", {"form": form}, status=status)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def password_forgot_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("web:password_forgot")
    now = clock_now()
    step = code_step(request, phone=phone, verify=password_reset_code_verify, now=now)
    if step.refusal is not None:
        return step.refusal
    if step.done:
        request.session.pop(PHONE_KEY, None)
        if step.value is None:
            return render(request, "web/signin/code_no_account.html", {})
        request.session[GRANT_KEY] = password_reset_grant(user=step.value, now=now)
        return redirect("web:password_forgot_new")
    form, status = step.form, step.status
    return render(
        request,
        "web/password/forgot_code.html",
        {"form": form, "masked": phone_mask(phone)},
        status=status,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def password_forgot_new(request: HttpRequest) -> HttpResponse:
    user = password_reset_grant_user(grant=request.session.get(GRANT_KEY), now=clock_now())
    if user is None:
        request.session.pop(GRANT_KEY, None)
        messages.error(request, gettext("Phiên đặt lại mật khẩu đã hết hạn. Hãy yêu cầu mã mới."))
        return redirect("web:password_forgot")
    form = NewPasswordForm(user, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save(request, form, user, "reset_sms"):
            request.session.pop(GRANT_KEY, None)
            messages.success(
                request, gettext("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu này.")
            )
            return redirect("web:login")
        status = 400
    return render(request, "web/password/forgot_new.html", {"form": form}, status=status)


__all__ = ["password_forgot", "password_forgot_code", "password_forgot_new", "password_set"]
