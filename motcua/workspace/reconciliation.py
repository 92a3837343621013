"""`/workspace/payments/reconciliation/`: the accountant's reconciliation of the payment
gateways' statements (docs/payments.md, "Reconciliation").

- `/workspace/payments/reconciliation/`: past runs, the newest day first, paginated; the
  form to upload a day's statement file (gateway, day, CSV). A file the gateway's parser
  refuses shows every bad row by its number in the error summary; the gateway and day stay
  filled in.
- in the demo (the demo bank on): a form that downloads the demo bank's statement of a day
  (`/demo-bank/statement/`), the file a real bank's merchant pages give;
- `<id>/`: one run, its totals and its differences by kind (a link to the dossier of the
  order when there is one); `<id>/differences.csv`: the differences as CSV.

Who: an accountant (role `accountant` in any active unit) or a superuser; other staff get
403. The service only reports: no money moves."""

from __future__ import annotations

import io
from itertools import groupby
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from motcua.accounts.models import User
from motcua.core.clock import DATE_INPUT_FORMATS, VN_TZ
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.payments.models import DifferenceKind, ReconciliationRun
from motcua.payments.reconcile import (
    STATEMENT_MAX_BYTES,
    StatementInvalid,
    reconciliation_statement_upload,
)
from motcua.payments.reconcile_selectors import (
    reconciliation_differences,
    reconciliation_differences_write,
    reconciliation_gateways,
    reconciliation_run_get_for_actor,
    reconciliation_runs_for_actor,
)
from motcua.web.access import forbidden, staff_required

PAGE_SIZE = 25
#: The states a difference names on either side, in words.
STATES = {
    "paid": gettext_lazy("đã thu"),
    "refunded": gettext_lazy("đã hoàn"),
    "failed": gettext_lazy("không thành công"),
    "pending": gettext_lazy("đang chờ thanh toán"),
    "succeeded": gettext_lazy("thanh toán thành công"),
    "cancelled": gettext_lazy("đã hủy"),
}


class StatementUploadForm(forms.Form):
    gateway = forms.ChoiceField(
        label=gettext_lazy("Cổng thanh toán"),
        choices=reconciliation_gateways,
        error_messages={
            "required": gettext_lazy("Chọn cổng thanh toán."),
            "invalid_choice": gettext_lazy("Chọn cổng thanh toán trong danh sách."),
        },
    )
    day = forms.DateField(
        label=gettext_lazy("Ngày đối soát"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=gettext_lazy("Ngày của sao kê (giờ Việt Nam), ví dụ 01/12/2026."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 01/12/2026."),
            "required": gettext_lazy("Nhập ngày đối soát."),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp sao kê (CSV)"),
        help_text=gettext_lazy(
            "Tệp sao kê giao dịch của ngày, tải về từ trang quản trị của cổng thanh toán "
            "(CSV, mã UTF-8, có dòng tiêu đề)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": gettext_lazy("Chọn tệp sao kê."),
            "empty": gettext_lazy("Tệp sao kê trống."),
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > STATEMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp sao kê quá lớn (tối đa %(mb)s MB).")
                % {"mb": STATEMENT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class DemoStatementForm(forms.Form):
    """The day of the demo bank's statement to download (a GET to the bank's page)."""

    day = forms.DateField(
        label=gettext_lazy("Ngày của sao kê"),
        input_formats=DATE_INPUT_FORMATS,
        help_text=gettext_lazy("Giờ Việt Nam, ví dụ 01/12/2026."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}),
    )


def _demo_statement(gateways: dict[str, str]) -> dict[str, Any] | None:
    """The demo bank's statement download, when the demo bank is on (its pages mounted)."""
    if "sandbox" not in gateways:
        return None
    try:
        url = reverse("paygate_demo:statement")
    except NoReverseMatch:
        return None
    today = clock_now().astimezone(VN_TZ).date()
    return {"url": url, "form": DemoStatementForm(auto_id="statement-%s", initial={"day": today})}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _list_page(request: HttpRequest, *, form: StatementUploadForm) -> HttpResponse:
    try:
        runs = reconciliation_runs_for_actor(actor=_actor(request))
    except PermissionDenied as error:
        return forbidden(request, error.render())
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    gateways = dict(reconciliation_gateways())
    return render(
        request,
        "workspace/payments/reconciliation_list.html",
        {
            "page": page,
            "form": form,
            "gateways": gateways,
            "demo_statement": _demo_statement(gateways),
            "nav": "reconciliation",
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    """The runs and the upload form; POST reconciles the uploaded file."""
    actor = _actor(request)
    if request.method != "POST":
        return _list_page(request, form=StatementUploadForm())
    form = StatementUploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = reconciliation_statement_upload(
                gateway=data["gateway"],
                day=data["day"],
                content=data["file"].read(),
                actor=actor,
                now=clock_now(),
            )
        except PermissionDenied as error:
            return forbidden(request, error.render())
        except StatementInvalid as error:
            # the count, then every bad row by its line number in the file, in the error
            # summary; beside the file input what to do next
            form.add_error(None, error.render())
            for problem in error.problems:
                form.add_error(
                    None, _("Dòng %(row)s: %(why)s") % {"row": problem.row, "why": problem.message}
                )
            form.add_error("file", _("Sửa các dòng có lỗi trong tệp rồi chọn lại tệp."))
        except DomainError as error:
            form.add_error("file", error.render())
        else:
            run = report.run
            if not report.created:
                text = _("Tệp này đã được đối soát, kết quả như lần #%(pk)s.")
            elif run.is_clean:
                text = _("Đã đối soát (lần #%(pk)s): không có chênh lệch.")
            else:
                text = _("Đã đối soát (lần #%(pk)s): có %(count)s chênh lệch cần xem.")
            messages.success(request, text % {"pk": run.pk, "count": run.differences_count})
            return redirect("workspace:reconciliation_run", pk=run.pk)
    return _list_page(request, form=form)


def _run(request: HttpRequest, pk: int) -> ReconciliationRun | HttpResponse:
    try:
        return reconciliation_run_get_for_actor(actor=_actor(request), pk=pk)
    except PermissionDenied as error:
        return forbidden(request, error.render())
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)


@staff_required
@require_safe
def reconciliation_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    if isinstance(run, HttpResponse):
        return run
    differences = reconciliation_differences(run=run)
    for d in differences:
        d.statement_status_label = STATES.get(d.statement_status, d.statement_status)  # type: ignore[attr-defined]
        d.motcua_status_label = STATES.get(d.motcua_status, d.motcua_status)  # type: ignore[attr-defined]
    groups = [
        (DifferenceKind(kind).label, kind, list(items))
        for kind, items in groupby(differences, key=lambda d: d.kind)
    ]
    return render(
        request,
        "workspace/payments/reconciliation_run.html",
        {
            "run": run,
            "groups": groups,
            "gateway_label": dict(reconciliation_gateways()).get(run.gateway, run.gateway),
            "nav": "reconciliation",
        },
    )


@staff_required
@require_safe
def reconciliation_run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    if isinstance(run, HttpResponse):
        return run
    out = io.StringIO()
    reconciliation_differences_write(run=run, out=out)
    response = HttpResponse(out.getvalue().encode(), content_type="text/csv; charset=utf-8")
    name = f"doi-soat-{run.gateway}-{run.day:%Y%m%d}-{run.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("", reconciliation_list, name="reconciliation"),
    path("<int:pk>/", reconciliation_run, name="reconciliation_run"),
    path("<int:pk>/differences.csv", reconciliation_run_csv, name="reconciliation_run_csv"),
]
