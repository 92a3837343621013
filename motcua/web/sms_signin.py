"""`/accounts/login/code/` (phone) -> `/accounts/login/code/verify/` (code): signing in to
the portal with a one-time code texted to the phone (`motcua.accounts.sms_codes`). One thing
per page; the phone page answers the same whether or not the phone has an account."""

from __future__ import annotations

from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from motcua.accounts.sms_codes import phone_mask, sign_in_code_request, sign_in_code_verify

from .code_steps import code_step, phone_step
from .signup import BACKEND, _next

PHONE_KEY = "motcua_sms_code_phone"


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def code_phone(request: HttpRequest) -> HttpResponse:
    step = phone_step(request, send=sign_in_code_request)
    if step.refusal is not None:
        return step.refusal
    if step.done:
        request.session[PHONE_KEY] = step.value
        return redirect("web:login_code_verify")
    form, status = step.form, step.status
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
    step = code_step(request, phone=phone, verify=sign_in_code_verify)
    if step.refusal is not None:
        return step.refusal
    if step.done:
        request.session.pop(PHONE_KEY, None)
        if step.value is None:
            return render(request, "web/signin/code_no_account.html", {})
        auth_login(request, step.value, backend=BACKEND)
        return redirect(_next(request))
    form, status = step.form, step.status
    masked = phone_mask(phone)
    return render(
        request,
        "web/signin/code_verify.html",
        {"form": form, "masked": masked, "next": _next(request)},
        status=status,
    )
