"""Electronic certified copies from the original in the workspace (docs/certified-copies.md):
the unit's certification book (newest first, paginated, each line shown logged as a read of
personal data), the form that certifies a copy (`copy_certify`: the scan, the requester, the
document, copies, fee, the officer's confirmation that the copy was compared with the
original, at home with the address and reason), the page of one certified copy (its number,
verification code, the signed PDF) and the export of the book for a period (CSV or XLSX).

Who: the book's readers (officers, leaders, supervisors, auditors of the unit) read; the
unit's officers and leaders certify (`copy_certify` checks it, the form is offered to them)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from motcua.accounts.models import User
from motcua.core.clock import DATE_INPUT_FORMATS, format_vn_moment, local
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from motcua.documents.certification import CERTIFIER_ROLES, Place, copy_certify
from motcua.documents.issued import verify_code_display, verify_url
from motcua.documents.selectors import (
    certification_book_export,
    certification_book_period_for_actor,
    certification_entries_for_actor,
    certification_entries_log,
    certification_entry_get_for_actor,
    certification_units_for_actor,
)
from motcua.organisation.models import Unit
from motcua.organisation.selectors import user_unit_ids
from motcua.payments.words import vnd_figures_local
from motcua.web.access import forbidden, staff_required
from motcua.web.downloads import stored_file_response

PAGE_SIZE = 25
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        help_text=gettext_lazy("Ngày/tháng/năm, ví dụ 04/03/2026."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 04/03/2026."),
            "required": gettext_lazy("Nhập ngày."),
        },
    )


def _text(label: Any, *, max_length: int, required: bool = True, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": gettext_lazy("Trường này là bắt buộc."),
            "max_length": gettext_lazy("Tối đa %(limit_value)s ký tự."),
        },
    )


class CertifyForm(forms.Form):
    """What the officer types; `copy_certify` checks it again and has the last word. The
    template never pre-ticks the comparison box, not even after a refusal."""

    file = forms.FileField(
        label=gettext_lazy("Bản chụp (scan) của giấy tờ, tệp PDF"),
        help_text=gettext_lazy("Một tệp PDF gồm mọi trang, theo thứ tự; số trang lấy từ tệp."),
        error_messages={"required": gettext_lazy("Chọn tệp PDF bản chụp của giấy tờ.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    requester_name = _text(
        gettext_lazy("Họ và tên người yêu cầu"), max_length=200, autocomplete="off"
    )
    requester_id_number = _text(
        gettext_lazy("Số giấy tờ tùy thân của người yêu cầu"),
        max_length=20,
        autocomplete="off",
        inputmode="numeric",
        spellcheck="false",
    )
    document_title = _text(gettext_lazy("Tên giấy tờ"), max_length=300)
    document_issuer = _text(gettext_lazy("Cơ quan, tổ chức cấp giấy tờ"), max_length=300)
    copies = forms.IntegerField(
        label=gettext_lazy("Số bản sao"),
        min_value=1,
        max_value=100,
        initial=1,
        error_messages={
            "required": gettext_lazy("Nhập số bản sao."),
            "invalid": gettext_lazy("Số bản sao phải từ 1 đến 100."),
            "min_value": gettext_lazy("Số bản sao phải từ 1 đến 100."),
            "max_value": gettext_lazy("Số bản sao phải từ 1 đến 100."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    fee_vnd = forms.IntegerField(
        label=gettext_lazy("Lệ phí (đồng)"),
        min_value=0,
        initial=0,
        help_text=gettext_lazy("Số tiền đã thu, bằng số, ví dụ 4000."),
        error_messages={
            "required": gettext_lazy("Nhập lệ phí (0 nếu miễn)."),
            "invalid": gettext_lazy("Lệ phí phải là số nguyên không âm (đồng)."),
            "min_value": gettext_lazy("Lệ phí phải là số nguyên không âm (đồng)."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    dossier_code = _text(gettext_lazy("Mã hồ sơ liên quan"), max_length=40, required=False)
    at_home = forms.BooleanField(
        label=gettext_lazy("Chứng thực ngoài trụ sở (tại nhà người yêu cầu)"), required=False
    )
    place_address = _text(
        gettext_lazy("Địa điểm chứng thực (khi chứng thực ngoài trụ sở)"),
        max_length=500,
        required=False,
    )
    place_reason = _text(
        gettext_lazy("Lý do chứng thực ngoài trụ sở"),
        max_length=500,
        required=False,
    )
    compared_with_original = forms.BooleanField(
        label=gettext_lazy("Tôi đã đối chiếu bản sao với bản chính và xác nhận bản sao đúng."),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Chỉ chứng thực bản sao sau khi đã đối chiếu với bản chính: đánh dấu xác nhận."
            )
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("at_home"):
            for name in ("place_address", "place_reason"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Khi chứng thực ngoài trụ sở, nhập trường này."))
        return data


class ExportForm(forms.Form):
    start = _date(gettext_lazy("Từ ngày"))
    end = _date(gettext_lazy("Đến ngày"))
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"),
        choices=(("xlsx", "XLSX (Excel)"), ("csv", "CSV")),
        initial="xlsx",
        widget=forms.RadioSelect,
    )


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    """The unit asked for (`unit` of the POST or the query) among `units`, else the first;
    None for a unit asked for but not among them (never another unit in its place)."""
    wanted = request.POST.get("unit") or request.GET.get("unit") or ""
    if wanted:
        return next((u for u in units if u.code == wanted), None)
    return units[0] if units else None


def _no_unit(request: HttpRequest) -> HttpResponse:
    return forbidden(request, _("Tài khoản này không thuộc đơn vị nào có sổ chứng thực."))


def _may_certify(actor: User, unit: Unit) -> bool:
    return unit.pk in user_unit_ids(user=actor, roles=CERTIFIER_ROLES)


@staff_required
@require_safe
def book(request: HttpRequest) -> HttpResponse:
    """The unit's book, newest first; the export form below it."""
    actor = _actor(request)
    units = certification_units_for_actor(actor=actor)
    unit = _unit(request, units)
    if unit is None:
        return _no_unit(request)
    try:
        entries = certification_entries_for_actor(actor=actor, unit=unit)
    except PermissionDenied as error:
        return forbidden(request, error.render())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    certification_entries_log(actor=actor, entries=page.object_list, now=clock_now())
    today = local(clock_now()).date()
    export = ExportForm(
        initial={"start": today.replace(day=1), "end": today, "format": "xlsx"},
    )
    return render(
        request,
        "workspace/certified_copies/book.html",
        {
            "nav": "certified",
            "units": units,
            "unit": unit,
            "page": page,
            "may_certify": _may_certify(actor, unit),
            "export": export,
        },
    )


def _place_error(form: forms.Form, error: DomainError) -> None:
    """The service's refusal on the field it names (else above the form)."""
    aliases = {"upload": "file", "uploads": "file"}
    placed = False
    if isinstance(error, ValidationError):
        for item in error.errors:
            name = aliases.get(str(item.get("field") or ""), str(item.get("field") or ""))
            if name in form.fields:
                form.add_error(name, str(item.get("message") or error.render()))
                placed = True
    if not placed:
        form.add_error(None, error.render())


@staff_required
@require_http_methods(["GET", "POST"])
def certify(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    units = [u for u in certification_units_for_actor(actor=actor) if _may_certify(actor, u)]
    unit = _unit(request, units)
    if unit is None:
        return forbidden(request, _("Chỉ cán bộ một cửa hoặc lãnh đạo đơn vị được chứng thực."))
    form = CertifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = (
            Place(address=data["place_address"], reason=data["place_reason"])
            if data["at_home"]
            else None
        )
        try:
            entry = copy_certify(
                actor=actor,
                unit=unit,
                upload=data["file"],
                requester_name=data["requester_name"],
                requester_id_number=data["requester_id_number"],
                document_title=data["document_title"],
                document_issuer=data["document_issuer"],
                compared_with_original=data["compared_with_original"],
                copies=data["copies"],
                fee_vnd=data["fee_vnd"],
                place=place,
                dossier_code=data["dossier_code"],
                now=clock_now(),
            )
        except PermissionDenied as error:
            return forbidden(request, error.render())
        except DomainError as error:
            _place_error(form, error)
        else:
            messages.success(
                request,
                _("Đã chứng thực bản sao, số chứng thực %(number)s.")
                % {"number": entry.book_number},
            )
            return redirect("workspace:certified_copy", entry.pk)
    return render(
        request,
        "workspace/certified_copies/certify.html",
        {"nav": "certified", "units": units, "unit": unit, "form": form},
        status=400 if form.errors else 200,
    )


def _entry(request: HttpRequest, pk: int) -> Any:
    try:
        return certification_entry_get_for_actor(
            actor=_actor(request), entry_id=pk, now=clock_now()
        )
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)


@staff_required
@require_safe
def entry_page(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if isinstance(entry, HttpResponse):
        return entry
    code = entry.issued.code
    rows: list[tuple[Any, Any]] = [
        (_("Số chứng thực"), entry.book_number),
        (_("Mã kiểm tra"), verify_code_display(code)),
        (_("Ngày chứng thực"), format_vn_moment(entry.certified_at)),
        (_("Người yêu cầu"), entry.requester_name),
        (_("Số giấy tờ tùy thân"), entry.requester_id_number),
        (_("Tên giấy tờ"), entry.document_title),
        (_("Cơ quan cấp"), entry.document_issuer),
        (_("Số trang"), entry.pages),
        (_("Số bản sao"), entry.copies),
        (_("Lệ phí (đồng)"), vnd_figures_local(entry.fee_vnd)),
        (_("Người thực hiện"), entry.officer.display_name),
        (_("Người ký chứng thực"), entry.signer_name),
    ]
    if entry.at_home:
        rows.append((_("Chứng thực ngoài trụ sở"), f"{entry.place_address} ({entry.place_reason})"))
    if entry.dossier_code:
        rows.append((_("Mã hồ sơ liên quan"), entry.dossier_code))
    return render(
        request,
        "workspace/certified_copies/entry.html",
        {
            "nav": "certified",
            "entry": entry,
            "rows": rows,
            "verify_url": verify_url(code),
            "book_url": f"{reverse('workspace:certified_copies')}?unit={entry.unit.code}",
        },
    )


@staff_required
@require_safe
def entry_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed copy (PDF), as a download, to the book's readers (the read is logged)."""
    entry = _entry(request, pk)
    if isinstance(entry, HttpResponse):
        return entry
    return stored_file_response(  # type: ignore[return-value]
        entry.file,
        filename=f"ban-sao-chung-thuc-{entry.number}-{entry.year}.pdf",
        content_type="application/pdf",
    )


@staff_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    """The book for a period as CSV or XLSX (the management command's export); a bad period
    shows the book page again with the export form's errors."""
    actor = _actor(request)
    units = certification_units_for_actor(actor=actor)
    unit = _unit(request, units)
    if unit is None:
        return _no_unit(request)
    form = ExportForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entries = certification_book_period_for_actor(
                actor=actor, unit=unit, start=data["start"], end=data["end"], now=clock_now()
            )
        except PermissionDenied as error:
            return forbidden(request, error.render())
        except ValidationError as error:
            form.add_error("end", error.render())
        else:
            out = io.BytesIO()
            certification_book_export(entries=entries, out=out, fmt=data["format"])
            start: dt.date = data["start"]
            end: dt.date = data["end"]
            name = f"so-chung-thuc-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.{data['format']}"
            response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[data["format"]])
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "private, no-store"
            return response
    try:
        entries = certification_entries_for_actor(actor=actor, unit=unit)
    except PermissionDenied as error:
        return forbidden(request, error.render())
    page = Paginator(entries, PAGE_SIZE).get_page(1)
    certification_entries_log(actor=actor, entries=page.object_list, now=clock_now())
    return render(
        request,
        "workspace/certified_copies/book.html",
        {
            "nav": "certified",
            "units": units,
            "unit": unit,
            "page": page,
            "may_certify": _may_certify(actor, unit),
            "export": form,
        },
        status=400,
    )
