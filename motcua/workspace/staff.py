"""Staff accounts in the workspace: an administrator of accounts resets the second factor of
a staff member who lost their phone and their recovery codes (`second_factor_reset`, audited;
their next sign-in goes to enrolment). One form: the account and the reason."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.accounts.models import User
from motcua.accounts.second_factor import may_reset_second_factor, second_factor_reset
from motcua.core.clock import now as clock_now
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.web.access import forbidden, staff_required


class SecondFactorResetForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Tên đăng nhập của cán bộ"),
        max_length=150,
        error_messages={"required": gettext_lazy("Nhập tên đăng nhập của cán bộ.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        help_text=gettext_lazy(
            "Ví dụ: mất điện thoại, không còn mã khôi phục; đã xác minh danh tính trực tiếp."
        ),
        max_length=500,
        error_messages={"required": gettext_lazy("Cần ghi rõ lý do.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def second_factor_reset_page(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    if not may_reset_second_factor(actor):
        return forbidden(request, _("Chỉ quản trị viên tài khoản được đặt lại xác thực hai lớp."))
    form = SecondFactorResetForm(
        request.POST or None, initial={"username": request.GET.get("username", "")[:150]}
    )
    if request.method == "POST" and form.is_valid():
        target = (
            User.objects.filter(username=form.cleaned_data["username"].strip(), is_active=True)
            .filter(kind=User.Kind.STAFF)
            .first()
        )
        if target is None:
            form.add_error("username", _("Không có tài khoản cán bộ nào có tên đăng nhập này."))
        else:
            try:
                second_factor_reset(
                    user=target, actor=actor, now=clock_now(), reason=form.cleaned_data["reason"]
                )
            except (PermissionDenied, ValidationError) as error:
                form.add_error(
                    "reason" if isinstance(error, ValidationError) else "username",
                    error.render(),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Đã đặt lại xác thực hai lớp của %(name)s: lần đăng nhập tới, cán bộ "
                        "cài đặt lại ứng dụng xác thực."
                    )
                    % {"name": target.display_name},
                )
                return redirect("workspace:staff_second_factor")
    status = 400 if form.errors else 200
    return render(
        request,
        "workspace/staff/second_factor_reset.html",
        {"nav": "staff", "form": form},
        status=status,
    )
