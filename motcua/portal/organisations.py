"""`/profile/organisations/`: the organisations a person may act for, registering one by its
tax code (the registering person becomes its legal representative), and — for its legal
representative — the people authorised to act for it: authorise one by phone, e-mail or
personal identification number, revoke one. Rules: `motcua.accounts.organisations`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import OrganisationAuthorisation, User
from motcua.accounts.organisations import (
    OrganisationForPerson,
    organisation_authorisation_revoke,
    organisation_authorise,
    organisation_get_for_person,
    organisation_people,
    organisation_register,
    organisations_for,
)
from motcua.core.clock import VN_TZ, local
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, ValidationError
from motcua.web.fields import ServiceCheckedCharField

PAGE_SIZE = 20


class RegisterForm(forms.Form):
    tax_code = ServiceCheckedCharField(
        label=_("Mã số thuế"),
        max_length=20,
        help_text=_("10 chữ số, hoặc 10 chữ số - 3 chữ số với chi nhánh, ví dụ 0109876543."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    is_legal_representative = forms.BooleanField(
        label=_("Tôi là người đại diện theo pháp luật của tổ chức này."), required=False
    )


class AuthoriseForm(forms.Form):
    who = ServiceCheckedCharField(
        label=_("Số điện thoại, thư điện tử hoặc số định danh cá nhân của người được cấp quyền"),
        max_length=254,
        help_text=_("Người này cần có tài khoản trên cổng."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    valid_to = forms.CharField(
        label=_("Có hiệu lực đến hết ngày"),
        required=False,
        max_length=20,
        help_text=_("Ngày/tháng/năm, ví dụ 31/12/2026. Để trống: đến khi thu hồi."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-date"}),
    )


def _field_errors(form: forms.Form, error: DomainError) -> None:
    problems = getattr(error, "errors", None) or [{"field": None, "message": error.render()}]
    for problem in problems:
        field = problem.get("field")
        form.add_error(field if field in form.fields else None, problem["message"])


@never_cache
@login_required
@require_safe
def organisations(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    items = organisations_for(person=user, now=clock_now())
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/organisations/list.html", {"page": page})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = RegisterForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_register(
                person=user,
                tax_code=form.cleaned_data["tax_code"],
                is_legal_representative=form.cleaned_data["is_legal_representative"],
                now=clock_now(),
            )
        except DomainError as exc:
            _field_errors(form, exc)
            status = exc.status
        else:
            messages.success(
                request,
                gettext("Đã đăng ký %(name)s; bạn là người đại diện theo pháp luật.")
                % {"name": organisation.name},
            )
            return redirect("portal:organisation", organisation_id=organisation.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "portal/organisations/register.html", {"form": form}, status=status)


def _mine(request: HttpRequest, organisation_id: int) -> OrganisationForPerson:
    user: User = request.user  # type: ignore[assignment]
    try:
        return organisation_get_for_person(
            person=user, organisation_id=organisation_id, now=clock_now()
        )
    except NotFound as exc:
        raise Http404 from exc


def _people_page(request: HttpRequest, item: OrganisationForPerson) -> dict[str, Any]:
    now = clock_now()
    if not item.is_legal_representative:
        return {"page": None, "now": now}
    people = organisation_people(organisation=item.organisation)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "authorisation": a,
            "active": a.is_active_at(now),
            "revocable": a.is_active_at(now) and a.role == "authorised",
        }
        for a in page.object_list
    ]
    return {"page": page, "rows": rows, "now": now}


@never_cache
@login_required
@require_safe
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    item = _mine(request, organisation_id)
    context = {"item": item, "form": AuthoriseForm(), **_people_page(request, item)}
    return render(request, "portal/organisations/detail.html", context)


def _end_of_day(text: str) -> dt.datetime | None:
    """The end of the day typed (dd/mm/yyyy) in Việt Nam's time, or None when empty.
    ValueError when it is not a date."""
    if not text.strip():
        return None
    day = dt.datetime.strptime(text.strip(), "%d/%m/%Y").replace(tzinfo=VN_TZ).date()
    start = local(clock_now()).replace(
        year=day.year, month=day.month, day=day.day, hour=0, minute=0, second=0, microsecond=0
    )
    return start + dt.timedelta(days=1)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def organisation_authorise_view(request: HttpRequest, organisation_id: int) -> HttpResponse:
    item = _mine(request, organisation_id)
    user: User = request.user  # type: ignore[assignment]
    if not item.is_legal_representative:
        raise Http404
    form = AuthoriseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        now = clock_now()
        try:
            valid_to = _end_of_day(form.cleaned_data["valid_to"])
        except ValueError:
            form.add_error(
                "valid_to", gettext("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 31/12/2026.")
            )
        else:
            try:
                authorisation = organisation_authorise(
                    organisation=item.organisation,
                    actor=user,
                    who=form.cleaned_data["who"],
                    valid_from=now,
                    valid_to=valid_to,
                    now=now,
                )
            except DomainError as exc:
                _field_errors(form, exc)
            else:
                messages.success(
                    request,
                    gettext("Đã cấp quyền cho %(name)s.")
                    % {"name": authorisation.person.display_name},
                )
                return redirect("portal:organisation", organisation_id=organisation_id)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "portal/organisations/authorise.html",
        {"item": item, "form": form},
        status=status,
    )


@login_required
@require_POST
def organisation_revoke(
    request: HttpRequest, organisation_id: int, authorisation_id: int
) -> HttpResponse:
    item = _mine(request, organisation_id)
    user: User = request.user  # type: ignore[assignment]
    authorisation = OrganisationAuthorisation.objects.filter(
        pk=authorisation_id, organisation=item.organisation
    ).first()
    if authorisation is None:
        raise Http404
    try:
        organisation_authorisation_revoke(authorisation=authorisation, actor=user, now=clock_now())
    except ValidationError as exc:
        messages.error(request, exc.render())
    except DomainError as exc:
        messages.error(request, exc.render())
    else:
        messages.success(
            request,
            gettext("Đã thu hồi quyền của %(name)s.") % {"name": authorisation.person.display_name},
        )
    if authorisation.person_id == user.pk:
        return redirect("portal:organisations")
    return redirect("portal:organisation", organisation_id=organisation_id)
