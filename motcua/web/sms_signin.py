"""`/accounts/login/code/` (phone) -> `/accounts/login/code/verify/` (code): signing in to
the portal with a one-time code texted to the phone (`motcua.accounts.sms_codes`). One thing
per page; the phone page answers the same whether or not the phone has an account."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from motcua.accounts.sms_codes import (
    SignInCodeLimited,
    sign_in_code_request,
    sign_in_code_verify,
    sign_in_phone_clean,
)
from motcua.core.clock import now as clock_now
from motcua.core.errors import ValidationError
from motcua.core.ratelimit import client_ip

from .forms import CodeForm
from .signup import BACKEND, _next

PHONE_KEY = "motcua_sms_code_phone"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Ví dụ 0912345678."),
        error_messages={"required": _("Nhập số điện thoại di động.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


def _limited(request: HttpRequest, exc: SignInCodeLimited) -> HttpResponse:
    response = render(
        request, "web/signin/signup_limited.html", {"message": exc.render()}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def code_phone(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            phone = sign_in_phone_clean(form.cleaned_data["phone"])
            sign_in_code_request(phone=phone, address=client_ip(request), now=clock_now())
        except SignInCodeLimited as exc:
            return _limited(request, exc)
        except ValidationError as exc:
            form.add_error("phone", exc.render())
            status = 400
        else:
            request.session[PHONE_KEY] = phone
            return redirect("web:login_code_verify")
    elif request.method == "POST":
        status = 400
    return render(
        request, "web/signin/code_phone.html", {"form": form, "next": _next(request)}, status=status
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def code_verify(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("web:login_code")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_code_verify(
                phone=phone,
                code=form.cleaned_data["code"],
                address=client_ip(request),
                now=clock_now(),
            )
        except SignInCodeLimited as exc:
            return _limited(request, exc)
        except ValidationError as exc:
            form.add_error("code", exc.render())
            status = 400
        else:
            request.session.pop(PHONE_KEY, None)
            if user is None:
                return render(request, "web/signin/code_no_account.html", {})
            auth_login(request, user, backend=BACKEND)
            return redirect(_next(request))
    elif request.method == "POST":
        status = 400
    masked = f"{phone[:3]}****{phone[-3:]}"
    return render(
        request,
        "web/signin/code_verify.html",
        {"form": form, "masked": masked, "next": _next(request)},
        status=status,
    )
