"""`/accounts/signup/`: create a citizen account with a phone number or an e-mail address
and a password (`motcua.accounts.signup.citizen_sign_up`), then signed in, on to `next` or
the portal."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from motcua.accounts.signup import CONSENT_TEXT, CONSENT_VERSION, SignUpLimited, citizen_sign_up
from motcua.core.clock import now as clock_now
from motcua.core.errors import ValidationError
from motcua.core.ratelimit import client_ip

from .fields import ServiceCheckedCharField

BACKEND = "motcua.accounts.backends.ThrottledModelBackend"


class SignUpForm(forms.Form):
    """Parses the page; every rule is the service's."""

    full_name = ServiceCheckedCharField(
        label=_("Họ và tên"),
        max_length=300,
        help_text=_("Như trên thẻ căn cước, ví dụ Nguyễn Văn An."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    contact = ServiceCheckedCharField(
        label=_("Số điện thoại di động hoặc thư điện tử"),
        max_length=254,
        help_text=_("Dùng để đăng nhập và nhận thông báo về hồ sơ. Ví dụ 0912345678."),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = ServiceCheckedCharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá dễ đoán."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:  # already signed in: no second account from here
        return redirect(_next(request))
    form = SignUpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = citizen_sign_up(
                full_name=data["full_name"],
                contact=data["contact"],
                password=data["password"],
                consent=bool(data["consent"]),
                consent_text_version=CONSENT_VERSION,
                client_address=client_ip(request),
                now=clock_now(),
            )
        except SignUpLimited as exc:
            response = render(
                request, "web/signin/signup_limited.html", {"message": exc.render()}, status=429
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        except ValidationError as exc:
            for problem in exc.errors:
                form.add_error(problem["field"], problem["message"])
            status = 400
        else:
            auth_login(request, user, backend=BACKEND)
            messages.success(
                request,
                gettext(
                    "Đã tạo tài khoản và đăng nhập. Bạn có thể bổ sung thông tin cá nhân tại "
                    "trang Thông tin tài khoản."
                ),
            )
            return redirect(_next(request))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "web/signin/signup.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
        status=status,
    )
