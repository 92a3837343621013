"""Sign-in for everyone (`/accounts/login/`), sign-out, and the staff second factor.

The password is checked by `motcua.accounts.backends.ThrottledModelBackend` (limits per
account and per address, failures logged without the password); the second factor by
`motcua.accounts.second_factor` (django-otp)."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from motcua.accounts.middleware import IDLE_EXPIRED_KEY
from motcua.accounts.models import User
from motcua.accounts.second_factor import (
    is_staff_account,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_enrolled,
    second_factor_required,
    second_factor_verify,
    totp_enrol_confirm,
    totp_enrol_start,
)
from motcua.core.clock import now as clock_now
from motcua.core.errors import ValidationError
from motcua.core.ratelimit import client_ip

from .access import forbidden, landing_url, second_factor_pending, second_factor_url
from .forms import CodeForm, SignInForm
from .htmx import htmx_message, is_htmx


def _next_url(request: HttpRequest, user: User) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return landing_url(user)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    idle_expired = bool(request.session.pop(IDLE_EXPIRED_KEY, False))
    if request.user.is_authenticated and request.method == "GET":
        user: User = request.user
        if second_factor_pending(request):
            return redirect(second_factor_url(user, request.GET.get("next", "")))
        return redirect(_next_url(request, user))
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        if second_factor_required(user):
            return redirect(second_factor_url(user, request.POST.get("next", "")))
        return redirect(_next_url(request, user))
    return render(
        request,
        "web/signin/login.html",
        {
            "form": form,
            "next": request.GET.get("next", request.POST.get("next", "")),
            "idle_expired": idle_expired,
        },
    )


@require_POST
@csrf_protect
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, _("Bạn đã đăng xuất."))
    return redirect("web:login")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: QR code and secret, confirmed with a first code; the 10
    recovery codes are shown once, in the answer to the confirmation."""
    user: User = request.user  # type: ignore[assignment]
    if second_factor_enrolled(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Replacing an authenticator needs the current one (or a recovery code) first.
        return redirect(second_factor_url(user, request.GET.get("next", "")))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_enrol_confirm(
                user=user,
                token=form.cleaned_data["code"],
                now=clock_now(),
                address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("code", error.render())
        else:
            otp_login(request, device)
            return render(
                request,
                "web/signin/recovery_codes.html",
                {"codes": codes, "next": _next_url(request, user)},
            )
    device = totp_enrol_start(user=user)
    qr = segno.make(device.config_url, error="m")
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "web/signin/enrol.html",
        {
            "form": form,
            "qr": qr.svg_data_uri(scale=4, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": request.GET.get("next", request.POST.get("next", "")),
            "replacing": second_factor_enrolled(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app or one recovery code."""
    user: User = request.user  # type: ignore[assignment]
    if not second_factor_enrolled(user):
        return redirect(second_factor_url(user, request.GET.get("next", "")))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(
                user=user,
                token=form.cleaned_data["code"],
                now=clock_now(),
                address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("code", error.render())
        else:
            otp_login(request, device)
            left = recovery_codes_left(user)
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(
                    request,
                    _("Bạn đã dùng một mã khôi phục; còn %(left)s mã.") % {"left": left},
                )
                messages.info(
                    request,
                    _(
                        "Mất điện thoại? Hãy thay ứng dụng xác thực hoặc tạo mã khôi phục mới "
                        "ở trang Bảo mật đăng nhập (/accounts/2fa/)."
                    ),
                )
            return redirect(_next_url(request, user))
    return render(
        request,
        "web/signin/verify.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """ "Bảo mật đăng nhập": a staff member who passed the second factor in this session
    replaces their authenticator (a new phone: the enrolment page, confirmed with a code of
    the new one) or their recovery codes (POST; the new ones are shown once). A lost phone
    without recovery codes: an administrator resets the second factor (`second_factor_reset`)."""
    user: User = request.user  # type: ignore[assignment]
    if not is_staff_account(user):
        return forbidden(request)
    here = reverse("web:2fa_manage")
    enrolled = second_factor_enrolled(user)
    if enrolled and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(second_factor_url(user, here))
    if request.method == "POST":
        try:
            codes = recovery_codes_regenerate(user=user, now=clock_now())
        except ValidationError as error:
            messages.error(request, error.render())
            return redirect(here)
        return render(
            request,
            "web/signin/recovery_codes.html",
            {
                "codes": codes,
                "next": here,
                "banner": _("Đã tạo mã khôi phục mới; các mã cũ không còn dùng được."),
            },
        )
    return render(
        request,
        "web/signin/manage.html",
        {
            "enrolled": enrolled,
            "rows": [
                (_("Ứng dụng xác thực"), _("Đã cài đặt")),
                (_("Mã khôi phục còn lại"), str(recovery_codes_left(user))),
            ],
            "enrol_url": f"{reverse('web:2fa_enrol')}?next={here}",
        },
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form post refused for its CSRF token (`CSRF_FAILURE_VIEW`): Django's own 403 page,
    or under htmx (which swaps no 403) a message in the page: nothing was done, reload."""
    if is_htmx(request):
        return htmx_message(
            request,
            _(
                "Thao tác chưa được thực hiện vì trang đã mở quá lâu hoặc phiên làm việc đã "
                "thay đổi. Hãy tải lại trang rồi thử lại."
            ),
            title=_("Chưa thực hiện"),
        )
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)
