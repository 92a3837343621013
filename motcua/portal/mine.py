"""The applicant's own pages under `/my/` (docs/my-dossiers.md): my dossiers, one dossier
(its plain timeline, the appointment, what is expected of me now, the results and forms),
answering a supplement request, withdrawing, rating the service, reporting a demand for a
certified copy, my reports and my data store.

Views parse the request, call one selector or service, render. Reads go through the
applicant's access selectors (`dossiers.applicant_selectors`): another person's dossier is a
404 and the attempt is logged. The actions offered are exactly the applicant's actions of
`dossier_actions_for`, each a form built from its fields, sent back through `dossier_act`
with the dossier's `expected_version`: a dossier that changed meanwhile answers with a clear
message and the page again, what was typed kept. Everything works without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import User
from motcua.catalog.models import Component, ResultKind
from motcua.core.clock import local
from motcua.core.clock import now as clock_now
from motcua.core.errors import Conflict, DomainError, NotFound, ValidationError
from motcua.documents.issued import (
    issued_codes_for_files,
    issued_document_get,
    verify_code_display,
    verify_path,
)
from motcua.documents.kinds import DocumentKind
from motcua.documents.selectors import datastore_items_for_actor
from motcua.dossiers.applicant_selectors import (
    GROUP_ACTION,
    GROUP_FINISHED,
    GROUP_IN_PROGRESS,
    GROUPS,
    certified_copy_reports_for_applicant,
    datastore_item_for_download,
    dossier_get_for_applicant,
    dossier_group_counts,
    dossier_list_for_applicant,
    dossier_rating_for,
    dossier_result_files,
)
from motcua.dossiers.forms import TITLES as FORM_TITLES
from motcua.dossiers.forms import FormNotIssued, form_pdf, forms_issued
from motcua.dossiers.lifecycle import APPLICANT_ROLE, ActionOption, FieldKind
from motcua.dossiers.models import (
    RATEABLE_STATUSES,
    RATING_CRITERIA,
    Dossier,
    DossierStatus,
    SatisfactionLevel,
)
from motcua.dossiers.receipt_selectors import dossier_receipts, receipt_channels
from motcua.dossiers.selectors import (
    dossier_actions_for,
    dossier_events,
    dossier_file_get_for_actor,
    dossier_steps,
)
from motcua.dossiers.services import certified_copy_report_file, dossier_act, dossier_rate
from motcua.dossiers.services.fees import dossier_fee_lines
from motcua.dossiers.services.payments import dossier_payment_callback, dossier_payment_start
from motcua.dossiers.services.receipts import receipt_number_display
from motcua.dossiers.timeline import applicant_timeline
from motcua.payments.gateways.registry import gateway_label, gateways_online
from motcua.payments.models import FeeLineState, PaymentOrderStatus, ReceiptStatus
from motcua.payments.services import PAYABLE
from motcua.web.downloads import stored_file_response

PAGE_SIZE = 20
#: The forms an applicant is given (form 06, the process control slip, is the agency's
#: internal record: it names the officers of every step).
APPLICANT_FORMS = ("01", "02", "03", "04", "05")
#: The actions the portal takes (the applicant's, in the lifecycle table).
PORTAL_ACTIONS = ("supplement", "withdraw")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _group_labels() -> dict[str, str]:
    return {
        GROUP_ACTION: _("Cần tôi thực hiện"),
        GROUP_IN_PROGRESS: _("Đang giải quyết"),
        GROUP_FINISHED: _("Đã kết thúc"),
    }


def todo(dossier: Dossier) -> str:
    """What the applicant has to do now, in a few words (empty: nothing)."""
    if dossier.closed_at is not None:
        return ""
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        return _("Bổ sung hồ sơ")
    if dossier.status == DossierStatus.PAYMENT_REQUESTED:
        return _("Thực hiện nghĩa vụ tài chính (nộp phí, lệ phí)")
    if dossier.status == DossierStatus.FINISHED:
        if dossier.result_kind == ResultKind.ELECTRONIC:
            return _("Kết quả đã sẵn sàng: tải kết quả điện tử")
        return _("Kết quả đã sẵn sàng: đến nhận kết quả")
    return ""


# --- my dossiers ------------------------------------------------------------------------------


@login_required
@require_safe
def my_dossiers(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    group = request.GET.get("group") or None
    if group not in GROUPS:
        group = None
    counts = dossier_group_counts(actor=actor)
    page = Paginator(dossier_list_for_applicant(actor=actor, group=group), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = _group_labels()
    rows = [
        {
            "dossier": d,
            "todo": todo(d),
            "principal": (d.representative or {}).get("principal_name", ""),
            "rate": d.status in RATEABLE_STATUSES and not d.rated,  # type: ignore[attr-defined]
        }
        for d in page.object_list
    ]
    tabs = [
        {"group": None, "label": _("Tất cả"), "count": sum(counts.values()), "current": not group}
    ]
    tabs += [
        {"group": name, "label": labels[name], "count": counts[name], "current": name == group}
        for name in GROUPS
    ]
    return render(
        request,
        "portal/mine/list.html",
        {
            "rows": rows,
            "page": page,
            "tabs": tabs,
            "heading": labels[group] if group else _("Tất cả hồ sơ"),
        },
    )


# --- one dossier -----------------------------------------------------------------------------


def _applicant_actions(*, actor: User, dossier: Dossier, now: dt.datetime) -> list[ActionOption]:
    """The actions `dossier_actions_for` gives the applicant (a staff account that is also
    the applicant acts on it from the workspace)."""
    return [
        option
        for option in dossier_actions_for(actor=actor, dossier=dossier, now=now)
        if option.role == APPLICANT_ROLE and option.action in PORTAL_ACTIONS
    ]


def _action_forms(
    options: list[ActionOption],
    *,
    failed: str = "",
    errors: dict[str, list[str]] | None = None,
    values: QueryDict | None = None,
) -> list[dict[str, Any]]:
    forms = []
    for option in options:
        mine = failed == option.action
        fields = []
        for spec in option.fields:
            if spec.kind == FieldKind.OBJECT:
                continue  # the e-form's data: changed through the application pages
            if spec.kind == FieldKind.FILES:
                for choice in spec.choices or []:
                    name = f"files[{choice.value}]"
                    fields.append(
                        {
                            "kind": "file",
                            "name": name,
                            "id": f"{option.action}-file-{choice.value}",
                            "label": choice.label,
                            "required": True,
                            "errors": (errors or {}).get(name, []) if mine else [],
                        }
                    )
                continue
            fields.append(
                {
                    "kind": "text",
                    "name": spec.name,
                    "id": f"{option.action}-{spec.name}",
                    "label": spec.label,
                    "required": spec.required,
                    "value": values.get(spec.name, "") if values is not None and mine else "",
                    "errors": (errors or {}).get(spec.name, []) if mine else [],
                }
            )
        shown = {f["name"] for f in fields}
        general = [  # errors about no field of the form (a file nobody asked for)
            message
            for name, found in (errors or {}).items()
            if name not in shown
            for message in found
        ]
        forms.append(
            {
                "option": option,
                "fields": fields,
                "files": any(f["kind"] == "file" for f in fields),
                "failed": mine,
                "general": general if mine else [],
            }
        )
    return forms


def _open_supplement_items(dossier: Dossier, events: list[Any]) -> list[tuple[str, str]]:
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
        return []
    for event in reversed(events):
        if event.action in {"request_supplement", "guide_at_counter"}:
            return [
                (str(i.get("name") or i.get("component") or ""), str(i.get("reason") or ""))
                for i in (event.after or {}).get("items") or []
            ]
    return []


def _results(dossier: Dossier) -> list[dict[str, Any]]:
    files = dossier_result_files(dossier=dossier)
    codes = issued_codes_for_files(file_ids=[f.file_id for f in files])
    rows = []
    for link in files:
        code = codes.get(link.file_id)
        rows.append(
            {
                "id": link.file_id,
                "name": link.file.name,
                "kind": link.get_kind_display(),
                "size_kb": max(1, round(link.file.size / 1024)),
                "code": verify_code_display(code) if code else "",
                "verify": verify_path(code) if code else "",
            }
        )
    return rows


def _receipts(dossier: Dossier) -> list[dict[str, Any]]:
    receipts = dossier_receipts(dossier=dossier)
    channels = receipt_channels(receipts=receipts)
    return [
        {
            "channel": channels[receipt.pk],
            "id": receipt.pk,
            "payment_id": receipt.payment_id,
            "number": receipt_number_display(receipt),
            "amount": receipt.amount_vnd,
            "issued_at": receipt.issued_at,
            "cancelled": receipt.status == ReceiptStatus.CANCELLED,
            "signed": bool(receipt.verify_code),
            "code": verify_code_display(receipt.verify_code) if receipt.verify_code else "",
            "verify": verify_path(receipt.verify_code) if receipt.verify_code else "",
        }
        for receipt in receipts
    ]


def _fees(dossier: Dossier) -> dict[str, Any]:
    lines = dossier_fee_lines(dossier.code)
    payable = [line for line in lines if line.state in PAYABLE]
    online = gateways_online() if payable else []
    return {
        "lines": lines,
        "payable": sum(line.net_vnd for line in payable),
        "pending": any(line.state == FeeLineState.PENDING for line in payable),
        "online": bool(online),
        "gateway": gateway_label(online[0].name) if online else "",
    }


def _detail_context(
    request: HttpRequest,
    *,
    dossier: Dossier,
    now: dt.datetime,
    failed: str = "",
    errors: dict[str, list[str]] | None = None,
    values: QueryDict | None = None,
    banner: dict[str, str] | None = None,
) -> dict[str, Any]:
    actor = _actor(request)
    events = list(dossier_events(dossier=dossier))
    issued = set(forms_issued(dossier=dossier))
    forms = [{"number": n, "title": FORM_TITLES.get(n, "")} for n in APPLICANT_FORMS if n in issued]
    rating = dossier_rating_for(dossier=dossier)
    options = _applicant_actions(actor=actor, dossier=dossier, now=now)
    return {
        "dossier": dossier,
        "todo": todo(dossier),
        "appointment": dossier.effective_appointment_at,
        "first_appointment": dossier.appointment_at,
        "extended": dossier.new_appointment_at is not None,
        "principal": dossier.representative or {},
        "timeline": applicant_timeline(
            dossier=dossier, events=events, steps=dossier_steps(dossier=dossier)
        ),
        "missing": _open_supplement_items(dossier, events),
        "actions": _action_forms(options, failed=failed, errors=errors, values=values),
        "results": _results(dossier),
        "receipts": _receipts(dossier),
        "fees": _fees(dossier),
        "forms": forms,
        "rating": rating,
        "rating_levels": dict(SatisfactionLevel.choices),
        "rateable": rating is None and dossier.status in RATEABLE_STATUSES,
        "banner": banner,
    }


def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(request, "portal/mine/not_found.html", {"message": error.render()}, status=404)


@login_required
@require_safe
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=_actor(request), code=code, now=now)
    except NotFound as error:
        return _not_found(request, error)
    return render(
        request, "portal/mine/detail.html", _detail_context(request, dossier=dossier, now=now)
    )


def _posted_values(action: str, request: HttpRequest) -> dict[str, Any]:
    """The posted form as `dossier_act` takes it: the text fields, and for a supplement the
    files by component (`files[<code>]`, several for the scanned pages of one)."""
    values: dict[str, Any] = {}
    reason = request.POST.get("reason", "")
    if reason.strip():
        values["reason"] = reason
    if action == "supplement":
        files: dict[str, Any] = {}
        for key in request.FILES:
            if key.startswith("files[") and key.endswith("]"):
                uploads = [f for f in request.FILES.getlist(key) if f.size]
                if uploads:
                    files[key[6:-1]] = uploads[0] if len(uploads) == 1 else uploads
        if files:
            values["files"] = files
    return values


def _field_errors(error: DomainError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    if isinstance(error, ValidationError) and error.errors:
        for item in error.errors:
            message = str(item.get("message") or error.render())
            result.setdefault(str(item.get("field") or "__all__"), []).append(message)
    return result


CONFLICT_TEXT = gettext_lazy(
    "Hồ sơ vừa được cơ quan cập nhật nên yêu cầu của bạn chưa được gửi. Trang đã hiển thị "
    "thông tin mới nhất; nội dung bạn đã nhập vẫn được giữ (tệp đính kèm cần chọn lại), hãy "
    "kiểm tra rồi gửi lại nếu vẫn cần."
)


@login_required
@require_POST
def my_dossier_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    actor = _actor(request)
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=actor, code=code, now=now)
    except NotFound as error:
        return _not_found(request, error)
    if action not in PORTAL_ACTIONS:
        return _not_found(request, NotFound(_("Không có thao tác này.")))
    raw_version = request.POST.get("expected_version", "")
    try:
        changed = dossier_act(
            action=action,
            dossier=dossier,
            actor=actor,
            now=now,
            expected_version=int(raw_version) if raw_version.isdigit() else None,
            values=_posted_values(action, request),
        )
    except DomainError as error:
        fresh = dossier_get_for_applicant(actor=actor, code=code, now=now)
        text = str(CONFLICT_TEXT) if isinstance(error, Conflict) else error.render()
        context = _detail_context(
            request,
            dossier=fresh,
            now=now,
            failed=action,
            errors=_field_errors(error),
            values=request.POST,
            banner={"kind": "error", "text": text},
        )
        status = 409 if error.status == 409 else (403 if error.status == 403 else 400)
        return render(request, "portal/mine/detail.html", context, status=status)
    done = {
        "supplement": _("Đã gửi hồ sơ bổ sung. Cơ quan sẽ tiếp tục giải quyết."),
        "withdraw": _("Đã rút hồ sơ. Thông báo dừng giải quyết (mẫu 05) có ở mục Giấy tờ."),
    }[action]
    messages.success(request, done)
    return redirect("portal:my_dossier", code=changed.code)


# --- files and forms ---------------------------------------------------------------------


@login_required
@require_safe
def my_dossier_file(request: HttpRequest, code: str, file_id: int) -> HttpResponse:
    """A file of my dossier (the signed result, my own components), as a download."""
    actor = _actor(request)
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=actor, code=code, now=now)
        link = dossier_file_get_for_actor(actor=actor, file_id=file_id, now=now)
        if link.dossier_id != dossier.pk:
            raise NotFound(_("Không tìm thấy tệp %(file)s."), file=file_id)
    except NotFound as error:
        return _not_found(request, error)
    return stored_file_response(link.file)  # type: ignore[return-value]


@login_required
@require_POST
def my_dossier_pay(request: HttpRequest, code: str) -> HttpResponse:
    """Start paying the dossier's fees online: to the bank, which sends the payer back to
    `my_dossier_payment_return`. Only a verified callback makes a line "paid"."""
    actor = _actor(request)
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=actor, code=code, now=now)
    except NotFound as error:
        return _not_found(request, error)
    online = gateways_online()
    try:
        if not online:
            raise Conflict(_("Chưa có cổng thanh toán trực tuyến."), code="gateway_unavailable")
        _order, redirect_to = dossier_payment_start(
            dossier=dossier,
            payer=actor,
            gateway=online[0].name,
            return_url=request.build_absolute_uri(
                reverse("portal:my_dossier_payment_return", args=[dossier.code])
            ),
            now=now,
            client_ip=request.META.get("REMOTE_ADDR", ""),
        )
    except DomainError as error:
        messages.error(request, error.render())
        return redirect(reverse("portal:my_dossier", args=[dossier.code]) + "#fees")
    return redirect(redirect_to)


@login_required
@require_safe
def my_dossier_payment_return(request: HttpRequest, code: str) -> HttpResponse:
    """The payer back from the bank. The address carries the bank's signed result, which is
    checked like the bank's own call (it may come first); what the page says is what the
    ledger holds, never what the address claims."""
    actor = _actor(request)
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=actor, code=code, now=now)
    except NotFound as error:
        return _not_found(request, error)
    fields = {key: str(value) for key, value in request.GET.items()}
    order = None
    if fields:
        online = gateways_online()
        if online:
            _outcome, order = dossier_payment_callback(
                gateway=online[0].name, params=fields, now=now
            )
    if order is not None and order.dossier_code != dossier.code:
        order = None
    if order is not None:
        order.refresh_from_db()
    state = "waiting"
    if (
        order is not None
        and order.payment_id is not None
        and order.status == PaymentOrderStatus.SUCCEEDED
    ):
        state = "paid"
    elif order is not None and order.status in (
        PaymentOrderStatus.FAILED,
        PaymentOrderStatus.CANCELLED,
    ):
        state = order.status
    paid_by = order.payment_id if state == "paid" and order is not None else None
    context = {
        "dossier": dossier,
        "order": order,
        "state": state,
        "fees": _fees(dossier),
        "receipts": [r for r in _receipts(dossier) if paid_by and r["payment_id"] == paid_by],
        "gateway": gateway_label(order.gateway) if order is not None else "",
    }
    return render(request, "portal/mine/payment_return.html", context)


@login_required
@require_safe
def my_dossier_receipt(request: HttpRequest, code: str, receipt_id: int) -> HttpResponse:
    """The signed PDF of a receipt of my dossier."""
    try:
        dossier = dossier_get_for_applicant(actor=_actor(request), code=code, now=clock_now())
        receipt = next((r for r in dossier_receipts(dossier=dossier) if r.pk == receipt_id), None)
        document = (
            issued_document_get(code=receipt.verify_code)
            if receipt is not None and receipt.verify_code
            else None
        )
        if document is None:
            raise NotFound(_("Không tìm thấy biên lai %(number)s."), number=receipt_id)
    except NotFound as error:
        return _not_found(request, error)
    return stored_file_response(document.file)  # type: ignore[return-value]


@login_required
@require_safe
def my_dossier_form(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """Form 01–05 of my dossier as a PDF (those the dossier has)."""
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=_actor(request), code=code, now=now)
        if number not in APPLICANT_FORMS:
            raise NotFound(_("Không có mẫu số %(number)s cho hồ sơ."), number=number)
        pdf = form_pdf(dossier=dossier, number=number, now=now)
    except NotFound as error:
        return _not_found(request, error)
    except FormNotIssued as error:
        return render(
            request, "portal/mine/not_found.html", {"message": error.render()}, status=409
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{code}-mau-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- rating ----------------------------------------------------------------------------------


def _rating_context(
    dossier: Dossier, *, values: QueryDict | None = None, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    chosen = values or QueryDict()
    levels = SatisfactionLevel.choices
    return {
        "dossier": dossier,
        "levels": levels,
        "overall": chosen.get("overall", ""),
        "criteria": [
            {"code": code, "label": label, "value": chosen.get(f"criteria.{code}", "")}
            for code, label in RATING_CRITERIA
        ],
        "comment": chosen.get("comment", ""),
        "errors": errors or {},
        "error_list": [m for messages_ in (errors or {}).values() for m in messages_],
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_dossier_rate(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=actor, code=code, now=now)
    except NotFound as error:
        return _not_found(request, error)
    back = reverse("portal:my_dossier", args=[dossier.code])
    if dossier_rating_for(dossier=dossier) is not None:
        messages.info(request, _("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."))
        return redirect(back)
    if dossier.status not in RATEABLE_STATUSES:
        messages.warning(request, _("Chỉ đánh giá được hồ sơ đã có kết quả giải quyết."))
        return redirect(back)
    if request.method != "POST":
        return render(request, "portal/mine/rate.html", _rating_context(dossier))
    criteria = {
        code: request.POST.get(f"criteria.{code}", "")
        for code, _label in RATING_CRITERIA
        if request.POST.get(f"criteria.{code}")
    }
    try:
        dossier_rate(
            dossier=dossier,
            actor=actor,
            overall=request.POST.get("overall", ""),
            criteria=criteria,
            comment=request.POST.get("comment", ""),
            now=now,
        )
    except Conflict as error:  # rated meanwhile (another tab)
        messages.info(request, error.render())
        return redirect(back)
    except DomainError as error:
        errors = _field_errors(error) or {"__all__": [error.render()]}
        errors = {k.replace("criteria.", "criteria-"): v for k, v in errors.items()}
        context = _rating_context(dossier, values=request.POST, errors=errors)
        return render(request, "portal/mine/rate.html", context, status=400)
    messages.success(request, _("Cảm ơn bạn đã đánh giá. Ý kiến của bạn đã được ghi nhận."))
    return redirect(back)


# --- certified copies ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_dossier_report(request: HttpRequest, code: str) -> HttpResponse:
    """Report "I was asked for a certified copy" of a component of my dossier."""
    actor = _actor(request)
    now = clock_now()
    try:
        dossier = dossier_get_for_applicant(actor=actor, code=code, now=now)
    except NotFound as error:
        return _not_found(request, error)
    components = list(
        Component.objects.filter(version_id=dossier.procedure_version_id)
        .order_by("order")
        .values_list("code", "name")
    )
    context: dict[str, Any] = {
        "dossier": dossier,
        "components": components,
        "component": request.POST.get("component", ""),
        "note": request.POST.get("note", ""),
        "errors": {},
    }
    if request.method != "POST":
        return render(request, "portal/mine/report.html", context)
    try:
        certified_copy_report_file(
            dossier=dossier,
            actor=actor,
            component_code=request.POST.get("component", ""),
            note=request.POST.get("note", ""),
            now=now,
        )
    except DomainError as error:
        errors = _field_errors(error) or {
            ("component" if isinstance(error, Conflict) else "__all__"): [error.render()]
        }
        context["errors"] = errors
        context["error_list"] = [m for found in errors.values() for m in found]
        return render(request, "portal/mine/report.html", context, status=error.status)
    messages.success(
        request,
        _(
            "Đã ghi nhận phản ánh. Cơ quan không được yêu cầu bản sao chứng thực khi thủ tục "
            "không quy định; người giám sát theo dõi các phản ánh này."
        ),
    )
    return redirect("portal:my_reports")


@login_required
@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        certified_copy_reports_for_applicant(actor=_actor(request)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "portal/mine/reports.html", {"page": page})


# --- my data store ---------------------------------------------------------------------------


@login_required
@require_safe
def my_documents(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    today = local(clock_now()).date()
    page = Paginator(datastore_items_for_actor(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kinds = dict(DocumentKind.choices)
    rows = [
        {
            "item": item,
            "kind": kinds.get(item.kind, ""),
            "expired": item.valid_until is not None and item.valid_until < today,
            "not_yet": item.valid_from is not None and item.valid_from > today,
        }
        for item in page.object_list
    ]
    verified = actor.identity_verified_at is not None
    return render(
        request, "portal/mine/documents.html", {"page": page, "rows": rows, "verified": verified}
    )


@login_required
@require_safe
def my_document_download(request: HttpRequest, item_id: int) -> HttpResponse:
    """One paper of my data store, as a download (the read is logged: purpose
    `datastore_download`)."""
    actor = _actor(request)
    now = clock_now()
    try:
        item = datastore_item_for_download(actor=actor, item_id=item_id, now=now)
    except NotFound as error:
        return _not_found(request, error)
    return stored_file_response(item.file)  # type: ignore[return-value]
