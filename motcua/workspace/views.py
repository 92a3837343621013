"""Staff workspace pages: parse the request, call one selector or `dossier_act`, render.

Every action is a form POST (CSRF) with the dossier's `expected_version`, offered exactly as
`dossier_actions_for` says and taken through `dossier_act`. Without JavaScript a POST ends
in a redirect (POST-redirect-GET). With htmx (`HX-Request`) an inbox row's form gets the row
back (done, or again with the message and what was typed); the dossier page's forms swap the
page's main part (htmx follows the redirect and picks `#main`); a failure then answers 200,
since htmx swaps only 2xx answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.core.clock import now as clock_now
from motcua.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from motcua.deadlines.clock import WorkingClock, clock_for_unit
from motcua.dossiers.forms import form_pdf_for_actor, forms_pdf_for_actor_many
from motcua.dossiers.lifecycle import TRANSITIONS, FieldKind, action_label, role_label
from motcua.dossiers.models import Channel, Dossier, DossierStatus
from motcua.dossiers.selectors import (
    QUEUE_BUCKETS,
    dossier_actions_for,
    dossier_actions_for_many,
    dossier_events,
    dossier_file_get_for_actor,
    dossier_get_for_actor,
    dossier_online_inbox,
    dossier_steps,
    dossier_work_queue,
    log_personal_data_list,
    queue_bounds,
)
from motcua.dossiers.services.act import dossier_act, transition_get
from motcua.web.access import staff_required
from motcua.web.downloads import stored_file_response

from .fees import fees_summary
from .forms import QueueFilterForm
from .processing import processing_context
from .timeleft import time_left_text, working_hours_left

PAGE_SIZE = 25


def _bucket_labels() -> dict[str, str]:
    return {
        "today": _("Đến hạn hôm nay"),
        "soon": _("Đến hạn trong 2 ngày làm việc"),
        "late": _("Quá hạn"),
        "waiting": _("Chờ người nộp"),
    }


# --- the work queue -------------------------------------------------------------------------


def _left(*, clock: Any, now: dt.datetime, due: dt.datetime | None) -> dict[str, Any] | None:
    """The working time from `now` to `due` on `clock`, in words, late or nearly due."""
    if due is None:
        return None
    hours = working_hours_left(clock=clock, now=now, due=due)
    return {"text": time_left_text(hours), "late": hours < 0, "soon": 0 <= hours <= 2}


@staff_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    bucket = request.GET.get("bucket", "today")
    if bucket not in QUEUE_BUCKETS:
        bucket = "today"
    clocks: dict[int | None, WorkingClock] = {None: clock_for_unit(None)}

    def clock_of(unit: Any) -> WorkingClock:
        # One read of the shared cache per unit on the page, not two per row.
        if unit.pk not in clocks:
            clocks[unit.pk] = clock_for_unit(unit)
        return clocks[unit.pk]

    bounds = queue_bounds(now=now, clock=clocks[None])
    # The filters are read before their lists are known: a value outside the lists finds
    # nothing (and the form shows "all" for it).
    filters = QueueFilterForm.from_query(request.GET)
    work = dossier_work_queue(actor=actor, bucket=bucket, bounds=bounds, **filters)
    counts = work.counts
    form = QueueFilterForm(request.GET or None, procedures=work.procedures, fields=work.fields)
    paginator = Paginator(work.dossiers, PAGE_SIZE)
    paginator.count = counts[bucket]  # counted with the tabs: no COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    rows = []
    for dossier in page.object_list:
        due = dossier.due  # type: ignore[attr-defined]
        step = dossier.current_step
        if step is not None and step.finished_at is not None:
            step = None
        clock = clock_of(dossier.handling_unit)
        paused = bucket == "waiting"  # the clock stands still: no time left is counted
        rows.append(
            {
                "dossier": dossier,
                "due": due,
                "left": None if paused else _left(clock=clock, now=now, due=due),
                "step_due": step.due_at if step is not None else None,
                "step_left": None
                if paused or step is None
                else _left(clock=clock_of(step.unit), now=now, due=step.due_at),
                "holder": step.assignee.display_name if step is not None and step.assignee else "",
                "step": step.name if step is not None else "",
            }
        )
    log_personal_data_list(actor=actor, dossiers=page.object_list, now=now)
    labels = _bucket_labels()
    tabs = [
        {"bucket": name, "label": labels[name], "count": counts[name], "current": name == bucket}
        for name in QUEUE_BUCKETS
    ]
    return render(
        request,
        "workspace/queue.html",
        {
            "nav": "queue",
            "form": form,
            "tabs": tabs,
            "bucket": bucket,
            "bucket_label": labels[bucket],
            "page": page,
            "rows": rows,
            "now": now,
        },
    )


# --- the online inbox -----------------------------------------------------------------------


INBOX_ACTIONS = ("receive", "request_supplement", "refuse")


def _inbox_row(*, dossier: Dossier, now: dt.datetime, options: list[Any]) -> dict[str, Any]:
    left = None
    if dossier.reception_due_at is not None:
        hours = working_hours_left(
            clock=clock_for_unit(dossier.receiving_unit), now=now, due=dossier.reception_due_at
        )
        left = time_left_text(hours)
    offered = {o.action: o for o in options}
    return {
        "dossier": dossier,
        "state": getattr(dossier, "reception_state", "ok"),
        "left": left,
        "actions": [offered[name] for name in INBOX_ACTIONS if name in offered],
    }


@staff_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    paginator = Paginator(dossier_online_inbox(actor=actor, now=now), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    dossiers = list(page.object_list)
    options = dossier_actions_for_many(actor=actor, dossiers=dossiers, now=now)
    rows = [_inbox_row(dossier=d, now=now, options=options[d.pk]) for d in dossiers]
    log_personal_data_list(actor=actor, dossiers=dossiers, now=now)
    return render(
        request,
        "workspace/inbox.html",
        {"nav": "inbox", "page": page, "rows": rows, "now": now},
    )


# --- one dossier ----------------------------------------------------------------------------


def _summary(dossier: Dossier) -> list[tuple[str, Any]]:
    step = dossier.current_step
    holder = ""
    if step is not None and step.finished_at is None:
        holder = step.name + (f" — {step.assignee.display_name}" if step.assignee else "")
    return [
        (_("Mã hồ sơ"), dossier.code),
        (_("Thủ tục"), dossier.procedure_version.procedure.name),
        (_("Người nộp"), dossier.applicant_name),
        (_("Số định danh"), dossier.applicant_id_number),
        (_("Số điện thoại"), dossier.applicant_phone),
        (_("Kênh nộp"), Channel(dossier.channel).label),
        (_("Đơn vị tiếp nhận"), dossier.receiving_unit.name),
        (_("Đơn vị giải quyết"), dossier.handling_unit.name),
        (_("Nộp lúc"), dossier.submitted_at),
        (_("Tiếp nhận lúc"), dossier.received_at),
        (_("Hạn tiếp nhận"), dossier.reception_due_at if dossier.status == 1 else None),
        (_("Hẹn trả kết quả"), dossier.effective_appointment_at),
        (_("Bước hiện tại"), holder),
    ]


def _timeline(events: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": action_label(event.action),
            "at": event.at,
            "actor": event.actor.display_name if event.actor else "",
            "role": role_label(event.actor_role) if event.actor_role else "",
            "status_after": event.status_after,
            "status_changed": event.status_after != event.status_before,
            "reason": event.reason,
        }
        for event in events
    ]


def _dossier_context(
    request: HttpRequest,
    *,
    dossier: Dossier,
    now: dt.datetime,
    failed: str = "",
    errors: dict[str, list[str]] | None = None,
    values: QueryDict | None = None,
    banner: dict[str, str] | None = None,
) -> dict[str, Any]:
    actor: User = request.user  # type: ignore[assignment]
    # The slip and the history are read once each and shared by every section.
    runs = list(dossier_steps(dossier=dossier))
    events = list(dossier_events(dossier=dossier))
    actions = []
    for option in dossier_actions_for(actor=actor, dossier=dossier, now=now, runs=runs):
        fields = []
        for f in option.fields:
            if f.kind == FieldKind.OBJECT:
                continue  # e-form data: the applicant's form, not a workspace field
            fields.append(
                {
                    "spec": f,
                    "id": f"{option.action}-{f.name}",
                    "value": values.get(f.name, "")
                    if values is not None and failed == option.action
                    else "",
                    "errors": (errors or {}).get(f.name, []) if failed == option.action else [],
                }
            )
        actions.append({"option": option, "fields": fields, "failed": failed == option.action})
    return {
        **processing_context(dossier=dossier, now=now, events=events, runs=runs),
        "nav": "",
        "dossier": dossier,
        "summary": _summary(dossier),
        "timeline": _timeline(events),
        "actions": actions,
        "failed": failed,
        "errors": errors or {},
        "banner": banner,
        "forms": _form_links(dossier, events=events, has_steps=bool(runs)),
        "fees": fees_summary(actor=actor, dossier=dossier),
    }


def _form_links(dossier: Dossier, **known: Any) -> list[dict[str, Any]]:
    """The dossier page's "Biểu mẫu" section: the forms this dossier has."""
    from .counter import form_links

    return form_links(dossier, **known)


@staff_required
@require_safe
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    try:
        dossier = dossier_get_for_actor(actor=actor, code=code, now=now)
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    return render(
        request, "workspace/dossier.html", _dossier_context(request, dossier=dossier, now=now)
    )


@staff_required
@require_safe
def dossier_file(request: HttpRequest, code: str, file_id: int) -> HttpResponse:
    """A file of the dossier, shown inline in the browser (PDFs open in its viewer), to staff
    who may see the dossier; the read is logged (`dossier_file_get_for_actor`)."""
    actor: User = request.user  # type: ignore[assignment]
    try:
        link = dossier_file_get_for_actor(actor=actor, file_id=file_id, now=clock_now())
        if link.dossier.code != code:
            raise NotFound(_("Không tìm thấy tệp."))
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    # Shown by the browser's own viewer; only this site may frame it.
    return stored_file_response(link.file, inline=True)  # type: ignore[return-value]


#: How an officer types a moment: day/month/year hour:minute, Việt Nam's time (the pages'
#: own order, whatever the browser's language; a native date picker shows the browser's).
LOCAL_MOMENT_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M", "%d/%m/%Y %Hh")


def _local_datetime(value: str, *, field: str) -> str:
    """A moment as typed ("15/12/2026 16:00", Việt Nam time) as ISO 8601 with the offset,
    which `dossier_act` takes; an ISO 8601 value passes too (an older page, a script).
    Anything else is refused here, in the officer's terms."""
    text = " ".join(value.split())
    for pattern in LOCAL_MOMENT_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=VN_TZ).isoformat()
        except ValueError:
            continue
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        message = _("Nhập ngày giờ theo dạng ngày/tháng/năm giờ:phút, ví dụ 15/12/2026 16:00.")
        raise ValidationError(
            message,
            code="invalid",
            errors=[{"field": field, "code": "datetime_invalid", "message": str(message)}],
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VN_TZ)
    return parsed.isoformat()


def action_values(action: str, data: QueryDict) -> dict[str, Any]:
    """The posted form as `dossier_act` takes it, by the lifecycle table's fields."""
    values: dict[str, Any] = {}
    for spec in transition_get(action).fields:
        raw = data.get(spec.name, "")
        if spec.kind == FieldKind.ITEMS:
            items = [
                {"component": key.removeprefix("items__"), "reason": str(reason).strip()}
                for key, reason in data.items()
                if key.startswith("items__") and str(reason).strip()
            ]
            for component, reason in zip(
                data.getlist("items_component"), data.getlist("items_reason"), strict=False
            ):
                if component.strip() or reason.strip():
                    items.append({"component": component.strip(), "reason": reason.strip()})
            if items:
                values[spec.name] = items
        elif spec.kind in {FieldKind.USER, FieldKind.MONEY}:
            if raw.strip():
                values[spec.name] = int(raw) if raw.strip().isdigit() else raw
        elif spec.kind == FieldKind.DATETIME:
            if raw.strip():
                values[spec.name] = _local_datetime(raw.strip(), field=spec.name)
        elif spec.kind == FieldKind.OBJECT:
            continue
        elif raw != "":
            values[spec.name] = raw
    return values


def _field_errors(error: DomainError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    if isinstance(error, ValidationError) and error.errors:
        for item in error.errors:
            message = str(item.get("message") or error.render())
            result.setdefault(str(item.get("field") or "__all__"), []).append(message)
    return result


def _back_url(request: HttpRequest, dossier: Dossier) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("workspace:dossier", args=[dossier.code])


@staff_required
@require_POST
def dossier_act_view(request: HttpRequest, code: str, action: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    htmx = request.headers.get("HX-Request") == "true"
    try:
        dossier = dossier_get_for_actor(actor=actor, code=code, now=now, purpose="dossier_act")
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    if action not in TRANSITIONS:
        return render(
            request,
            "workspace/not_found.html",
            {"message": _("Không có thao tác này.")},
            status=404,
        )
    raw_version = request.POST.get("expected_version", "")
    expected = int(raw_version) if raw_version.isdigit() else None
    try:
        values = action_values(action, request.POST)
        changed = dossier_act(
            action=action,
            dossier=dossier,
            actor=actor,
            now=now,
            expected_version=expected,
            values=values,
        )
    except PermissionDenied as error:
        if htmx and request.POST.get("partial") == "inbox-row":
            return _inbox_row_failed(request, dossier=dossier, text=error.render(), now=now)
        # htmx swaps only 2xx answers: the refusal page, whose main part replaces the page's.
        return render(
            request,
            "web/forbidden.html",
            {"message": error.render()},
            status=200 if htmx and not request.POST.get("partial") else 403,
        )
    except DomainError as error:
        return _action_failed(request, dossier=dossier, action=action, error=error, now=now)
    done = _("%(action)s: hồ sơ %(code)s (%(status)s).") % {
        "action": action_label(action),
        "code": changed.code,
        "status": DossierStatus(changed.status).label,
    }
    if htmx and request.POST.get("partial") == "inbox-row":
        return render(
            request,
            "workspace/partials/inbox_row_done.html",
            {"dossier": changed, "text": done},
        )
    messages.success(request, done)
    return redirect(_back_url(request, changed))


def _action_failed(
    request: HttpRequest, *, dossier: Dossier, action: str, error: DomainError, now: dt.datetime
) -> HttpResponse:
    """The dossier page again, fresh from the database (its new version), with the message
    and what the person typed in the failed form: nothing is lost."""
    actor: User = request.user  # type: ignore[assignment]
    fresh = dossier_get_for_actor(actor=actor, code=dossier.code, now=now)
    if isinstance(error, Conflict):
        text = _(
            "Hồ sơ vừa được người khác cập nhật nên thao tác chưa được thực hiện. Trang đã "
            "tải lại dữ liệu mới nhất; nội dung bạn đã nhập vẫn được giữ, hãy kiểm tra rồi "
            "gửi lại nếu thao tác vẫn còn phù hợp."
        )
        status = 409
    else:
        text = error.render()
        status = 409 if error.status == 409 else 400
    context = _dossier_context(
        request,
        dossier=fresh,
        now=now,
        failed=action,
        errors=_field_errors(error),
        values=request.POST,
        banner={"kind": "error", "text": text},
    )
    if request.headers.get("HX-Request") == "true" and request.POST.get("partial") == "inbox-row":
        return _inbox_row_failed(request, dossier=fresh, text=text, now=now, action=action)
    if request.headers.get("HX-Request") == "true":
        status = 200  # htmx swaps only 2xx answers; the page's main part carries the message
    return render(request, "workspace/dossier.html", context, status=status)


def _inbox_row_failed(
    request: HttpRequest, *, dossier: Dossier, text: str, now: dt.datetime, action: str = ""
) -> HttpResponse:
    """The inbox row again (`dossier` as just read), with the message and the typed values
    (htmx swaps only 2xx answers)."""
    actor: User = request.user  # type: ignore[assignment]
    options = dossier_actions_for_many(actor=actor, dossiers=[dossier], now=now)
    row = _inbox_row(dossier=dossier, now=now, options=options[dossier.pk])
    row.update({"error": text, "failed": action, "values": request.POST})
    return render(request, "workspace/partials/inbox_row.html", {"row": row})


# --- the official forms of a dossier ----------------------------------------------------------


@staff_required
@require_safe
def forms_bulk(request: HttpRequest) -> HttpResponse:
    """Form 01 or 06 of the dossiers ticked in the work queue, as one PDF to print (a bulk
    action that changes nothing; each dossier under its own access rule and read log)."""
    actor: User = request.user  # type: ignore[assignment]
    number = request.GET.get("number", "06")
    codes = request.GET.getlist("code")
    try:
        pdf = forms_pdf_for_actor_many(actor=actor, codes=codes, number=number, now=clock_now())
    except DomainError as error:  # not visible (404), a form not issued (409), bad input
        return render(
            request, "workspace/not_found.html", {"message": error.render()}, status=error.status
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{number}-{len(set(codes))}-ho-so.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_safe
def form_download(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """Form 01–06 of a dossier as a PDF (`?size=a5` for form 01), under the dossier read's
    access rule and log (`form_pdf_for_actor`: 404 for a dossier the officer may not see)."""
    actor: User = request.user  # type: ignore[assignment]
    size = request.GET.get("size", "a4")
    try:
        pdf = form_pdf_for_actor(actor=actor, code=code, number=number, now=clock_now(), size=size)
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    except DomainError as error:  # not issued (409), a size the form has not (400)
        return render(
            request,
            "workspace/not_found.html",
            {"message": error.render()},
            status=error.status,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-mau-{number}-{size}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
