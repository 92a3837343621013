"""The privacy officer's queue (docs/personal-data.md): people's requests to restrict, delete,
correct or withdraw consent, with their deadline (15 days), under `/workspace/privacy/`.

- `/workspace/privacy/`: the requests, open ones by deadline (amber at 3 days or fewer, red
  when late), then answered ones; filter by status; paginated. No names in the list: the
  person's data is read only when a request is opened.
- `/workspace/privacy/<id>/`: the request and the person's data summary (the read is logged
  by `data_request_get_for_handler`), "take it" and the answer form.
- POST `<id>/assign/`, `<id>/answer/`: `data_request_assign`, `data_request_answer`.

Who: a privacy officer (role `privacy_officer`) or a superuser; other staff get 403."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts.models import User
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.privacy.models import AnswerOutcome, DataSubjectRequest, LegalBasis, RequestStatus
from motcua.privacy.selectors import (
    data_request_countdown,
    data_request_get_for_handler,
    data_request_queue,
    personal_data_of,
)
from motcua.privacy.services import (
    KEPT_BY_LAW,
    data_request_answer,
    data_request_assign,
    data_request_extend,
)
from motcua.web.access import staff_required

PAGE_SIZE = 25
SUMMARY_LIMIT = 5
STATUS_FILTERS: list[tuple[str, Any]] = [
    ("open", gettext_lazy("Chưa trả lời")),
    ("", gettext_lazy("Tất cả")),
    *RequestStatus.choices,
]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Kết quả"),
        choices=AnswerOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Chọn kết quả xử lý.")},
    )
    legal_basis = forms.ChoiceField(
        label=gettext_lazy("Căn cứ của phần không thực hiện (nếu có)"),
        choices=LegalBasis.choices,
        required=False,
    )
    answer = forms.CharField(
        label=gettext_lazy("Trả lời người yêu cầu"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": gettext_lazy("Viết nội dung trả lời cho người yêu cầu.")},
    )


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do gia hạn (người yêu cầu sẽ thấy)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Nêu lý do gia hạn cho người yêu cầu.")},
    )


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/forbidden.html", status=403)


def _not_found(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "workspace/not_found.html",
        {"message": _("Không tìm thấy yêu cầu %(pk)s.") % {"pk": pk}},
        status=404,
    )


@staff_required
@require_safe
def privacy_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status", "open")
    if status not in {value for value, _label in STATUS_FILTERS}:
        status = "open"
    try:
        requests = data_request_queue(actor=actor, status=status or None)
    except PermissionDenied:
        return _forbidden(request)
    now = clock_now()
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, data_request_countdown(request=r, now=now)) for r in page.object_list]
    return render(
        request,
        "workspace/privacy/queue.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "filters": STATUS_FILTERS,
            "nav": "privacy",
        },
    )


def _request_page(
    request: HttpRequest,
    data_request: DataSubjectRequest,
    *,
    form: AnswerForm | None = None,
    extend: ExtendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = clock_now()
    held = personal_data_of(person=data_request.person, now=now, limit=SUMMARY_LIMIT)
    return render(
        request,
        "workspace/privacy/request.html",
        {
            "data_request": data_request,
            "countdown": data_request_countdown(request=data_request, now=now),
            "held": held,
            "form": form or AnswerForm(),
            "extend": extend or ExtendForm(prefix="extend"),
            "kept_by_law": data_request.scope in KEPT_BY_LAW,
            "nav": "privacy",
        },
        status=status,
    )


def _get(request: HttpRequest, pk: int, *, log: bool = True) -> DataSubjectRequest | HttpResponse:
    try:
        return data_request_get_for_handler(actor=_actor(request), pk=pk, now=clock_now(), log=log)
    except PermissionDenied:
        return _forbidden(request)
    except NotFound:
        return _not_found(request, pk)


@staff_required
@require_safe
def privacy_request(request: HttpRequest, pk: int) -> HttpResponse:
    found = _get(request, pk)
    if isinstance(found, HttpResponse):
        return found
    return _request_page(request, found)


@staff_required
@require_POST
def privacy_assign(request: HttpRequest, pk: int) -> HttpResponse:
    found = _get(request, pk, log=False)
    if isinstance(found, HttpResponse):
        return found
    try:
        data_request_assign(request=found, actor=_actor(request), now=clock_now())
    except DomainError as error:
        messages.error(request, error.render())
    else:
        messages.success(request, _("Bạn đã nhận xử lý yêu cầu này."))
    return redirect("workspace:privacy_request", pk=pk)


@staff_required
@require_POST
def privacy_answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = _get(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            data_request_answer(
                request=found, actor=_actor(request), now=clock_now(), **form.cleaned_data
            )
        except DomainError as error:
            fields = [e.get("field") for e in getattr(error, "errors", [])]
            form.add_error(next((f for f in fields if f in form.fields), None), error.render())
        else:
            messages.success(request, _("Đã gửi câu trả lời cho người yêu cầu."))
            return redirect("workspace:privacy_request", pk=pk)
    return _request_page(request, found, form=form, status=400)


@staff_required
@require_POST
def privacy_extend(request: HttpRequest, pk: int) -> HttpResponse:
    found = _get(request, pk)
    if isinstance(found, HttpResponse):
        return found
    form = ExtendForm(request.POST, prefix="extend")
    if form.is_valid():
        try:
            data_request_extend(
                request=found,
                actor=_actor(request),
                reason=form.cleaned_data["reason"],
                now=clock_now(),
            )
        except DomainError as error:
            form.add_error("reason", error.render())
        else:
            messages.success(request, _("Đã gia hạn trả lời thêm 15 ngày."))
            return redirect("workspace:privacy_request", pk=pk)
    return _request_page(request, found, extend=form, status=400)


urlpatterns = [
    path("", privacy_queue, name="privacy_queue"),
    path("<int:pk>/", privacy_request, name="privacy_request"),
    path("<int:pk>/assign/", privacy_assign, name="privacy_assign"),
    path("<int:pk>/answer/", privacy_answer, name="privacy_answer"),
    path("<int:pk>/extend/", privacy_extend, name="privacy_extend"),
]
