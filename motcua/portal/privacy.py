"""A person's own personal data (Law 91/2025; docs/personal-data.md), under `/my/data/`:

- `/my/data/`: what is held about me, by source, with my consents and a "withdraw" button
  for each standing one (`accounts.services.consent_withdraw`);
- `/my/data/reads/`: who read it (unit and role, purpose, channel), newest first, paginated;
- `/my/data/export.json`, `/my/data/export.pdf`: everything, as a download (recorded);
- `/my/data/requests/`, `/my/data/requests/new/`, `/my/data/requests/<id>/`: my requests to
  restrict, delete, correct or withdraw consent, and their answers.

Everything needs sign-in. Views parse, call one selector or service, render; someone else's
request is a 404 (the selector logs the attempt)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import ConsentPurpose, User
from motcua.accounts.selectors import consent_current
from motcua.accounts.services import consent_withdraw
from motcua.core.clock import format_vn_date
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound
from motcua.privacy.export import personal_data_json, personal_data_pdf
from motcua.privacy.models import RequestKind, RequestScope
from motcua.privacy.selectors import (
    READS_PAGE,
    data_request_get_for_person,
    data_requests_of,
    personal_data_of,
    personal_data_reads,
    reads_describe,
)
from motcua.privacy.services import data_request_submit, personal_data_export_record

#: Entries shown per section on the page (the export has them all).
SECTION_LIMIT = 10
REQUESTS_PAGE = 20


def _person(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    held = personal_data_of(person=person, now=clock_now(), limit=SECTION_LIMIT)
    consents = [
        {"purpose": p, "current": consent_current(person=person, purpose=p.value)}
        for p in ConsentPurpose
    ]
    return render(
        request,
        "portal/privacy/my_data.html",
        {"held": held, "consents": consents, "limit": SECTION_LIMIT, "nav": "data"},
    )


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, purpose: str) -> HttpResponse:
    if purpose not in ConsentPurpose.values:
        return _not_found(request)
    try:
        consent_withdraw(person=_person(request), purpose=purpose, now=clock_now())
    except DomainError as error:
        messages.error(request, error.render())
    else:
        messages.success(
            request,
            _("Bạn đã rút lại sự đồng ý: %(purpose)s.")
            % {"purpose": ConsentPurpose(purpose).label},
        )
    return redirect("portal:my_data")


@login_required
@require_safe
def my_reads(request: HttpRequest) -> HttpResponse:
    page = Paginator(personal_data_reads(person=_person(request)), READS_PAGE).get_page(
        request.GET.get("page")
    )
    rows = reads_describe(list(page.object_list))
    return render(request, "portal/privacy/reads.html", {"page": page, "rows": rows})


@login_required
@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    person, now = _person(request), clock_now()
    body = personal_data_json(person=person, now=now)
    personal_data_export_record(person=person, file_format="json", now=now)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def export_pdf(request: HttpRequest) -> HttpResponse:
    person, now = _person(request), clock_now()
    body = personal_data_pdf(person=person, now=now)
    personal_data_export_record(person=person, file_format="pdf", now=now)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.pdf"'
    response["Cache-Control"] = "no-store"
    return response


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Bạn muốn gì?"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Chọn loại yêu cầu.")},
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Về dữ liệu nào?"),
        choices=RequestScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Chọn dữ liệu bạn yêu cầu.")},
    )
    scope_detail = forms.CharField(
        label=gettext_lazy("Cụ thể (mã hồ sơ, tên giấy tờ, thông tin cần sửa)"),
        required=False,
        max_length=300,
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do, hoặc điều bạn muốn"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Cho biết lý do hoặc điều bạn muốn.")},
    )


def _form_error(form: forms.Form, error: DomainError) -> None:
    fields = [e.get("field") for e in getattr(error, "errors", [])]
    field = next((f for f in fields if f in form.fields), None)
    form.add_error(field, error.render())


@login_required
@require_safe
def my_requests(request: HttpRequest) -> HttpResponse:
    page = Paginator(data_requests_of(person=_person(request)), REQUESTS_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/privacy/requests.html", {"page": page, "now": clock_now()})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if request.GET.get("kind") in RequestKind.values:
        initial["kind"] = request.GET["kind"]
    if request.GET.get("scope") in RequestScope.values:
        initial["scope"] = request.GET["scope"]
    form = DataRequestForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = data_request_submit(
                    person=_person(request), now=clock_now(), **form.cleaned_data
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã nhận yêu cầu số %(pk)s. Hạn trả lời: %(due)s.")
                    % {"pk": created.pk, "due": format_vn_date(created.due_at)},
                )
                return redirect("portal:my_data_request", pk=created.pk)
        status = 400
    return render(request, "portal/privacy/request_new.html", {"form": form}, status=status)


@login_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        data_request = data_request_get_for_person(person=_person(request), pk=pk)
    except NotFound:
        return _not_found(request)
    return render(
        request, "portal/privacy/request.html", {"data_request": data_request, "now": clock_now()}
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy/not_found.html", status=404)


urlpatterns = [
    path("", my_data, name="my_data"),
    path(
        "consents/<str:purpose>/withdraw/", consent_withdraw_view, name="my_data_consent_withdraw"
    ),
    path("reads/", my_reads, name="my_data_reads"),
    path("export.json", export_json, name="my_data_export_json"),
    path("export.pdf", export_pdf, name="my_data_export_pdf"),
    path("requests/", my_requests, name="my_data_requests"),
    path("requests/new/", request_new, name="my_data_request_new"),
    path("requests/<int:pk>/", request_detail, name="my_data_request"),
]
