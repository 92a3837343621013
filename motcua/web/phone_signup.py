"""`/accounts/signup/phone/` (phone) -> `code/` (the code texted to it) -> `details/` (name,
optional e-mail, consent): creating a citizen account with a phone number and no password
(`motcua.accounts.phone_signup`). One thing per page. The phone page and the code page answer
the same whether or not the phone has an account; a registered phone's proven owner is
signed in to that account instead (docs/accounts.md "Đăng ký bằng số điện thoại")."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from motcua.accounts.phone_signup import (
    ProofExpired,
    citizen_sign_up_by_phone,
    phone_sign_up_code_request,
    phone_sign_up_code_verify,
)
from motcua.accounts.signup import CONSENT_TEXT, CONSENT_VERSION
from motcua.accounts.sms_codes import (
    CODE_MINUTES,
    phone_mask,
)
from motcua.core.clock import now as clock_now
from motcua.core.errors import ValidationError

from .code_steps import code_step, phone_step
from .fields import ServiceCheckedCharField
from .signup import BACKEND, _next

PHONE_KEY = "motcua_signup_phone"
PROOF_KEY = "motcua_signup_proof"


class DetailsForm(forms.Form):
    """Parses the page; every rule is the service's."""

    full_name = ServiceCheckedCharField(
        label=_("Họ và tên"),
        max_length=300,
        help_text=_("Như trên thẻ căn cước, ví dụ Nguyễn Văn An."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        help_text=_("Để nhận thông báo qua thư điện tử. Chúng tôi sẽ gửi mã để xác nhận."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)


def _signed_in(request: HttpRequest, user: object) -> HttpResponse:
    for key in (PHONE_KEY, PROOF_KEY):
        request.session.pop(key, None)
    auth_login(request, user, backend=BACKEND)  # type: ignore[arg-type]
    return redirect(_next(request))


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup_phone(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next(request))
    step = phone_step(request, send=phone_sign_up_code_request)
    if step.refusal is not None:
        return step.refusal
    if step.done:
        request.session.pop(PROOF_KEY, None)
        request.session[PHONE_KEY] = step.value
        return redirect("web:signup_phone_code")
    form, status = step.form, step.status
    return render(
        request,
        "web/signin/signup_phone.html",
        {"form": form, "next": _next(request), "minutes": CODE_MINUTES},
        status=status,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup_phone_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("web:signup_phone")
    step = code_step(
        request,
        phone=phone,
        verify=phone_sign_up_code_verify,
        errors=(ValidationError, ProofExpired),
    )
    if step.refusal is not None:
        return step.refusal
    if step.done and step.value is not None:
        check = step.value
        if check.user is not None:
            messages.info(
                request,
                gettext(
                    "Số điện thoại này đã có tài khoản: bạn đã được đăng nhập vào tài khoản đó."
                ),
            )
            return _signed_in(request, check.user)
        request.session[PROOF_KEY] = check.proof
        return redirect("web:signup_phone_details")
    form, status = step.form, step.status
    return render(
        request,
        "web/signin/signup_phone_code.html",
        {"form": form, "masked": phone_mask(phone), "next": _next(request)},
        status=status,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup_phone_details(request: HttpRequest) -> HttpResponse:
    proof = request.session.get(PROOF_KEY)
    if not proof:
        return redirect("web:signup_phone")
    form = DetailsForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = citizen_sign_up_by_phone(
                proof=int(proof),
                full_name=data["full_name"],
                email=data["email"],
                consent=bool(data["consent"]),
                consent_text_version=CONSENT_VERSION,
                now=clock_now(),
            )
        except ProofExpired as exc:
            for key in (PHONE_KEY, PROOF_KEY):
                request.session.pop(key, None)
            messages.error(request, exc.render())
            return redirect("web:signup_phone")
        except ValidationError as exc:
            for problem in exc.errors:
                field = problem["field"] if problem["field"] in form.fields else None
                form.add_error(field, problem["message"])
            status = 400
        else:
            messages.success(
                request,
                gettext("Đã tạo tài khoản và đăng nhập. Số điện thoại của bạn đã được xác nhận."),
            )
            return _signed_in(request, user)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "web/signin/signup_phone_details.html",
        {"form": form, "next": _next(request)},
        status=status,
    )
