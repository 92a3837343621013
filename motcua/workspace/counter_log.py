"""Around the counter in the workspace (docs/counter.md): free legal advice turns, at-home and
mobile service requests, the hotline log. Each page reads through `motcua.counter.selectors`
and every POST calls one `motcua.counter.services` function (CSRF, POST-redirect-GET); a
refusal shows the page again with the error summary, the field errors and what was typed.

Who: the unit's staff write (the services check it); supervisors above the unit read. The
people's phone numbers and addresses are shown to the unit's staff only, and every list that
shows names or phone numbers writes one `DataAccessLog` row per record shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import User
from motcua.core.clock import DATE_INPUT_FORMATS, VN_TZ, local, parse_vn_date
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, PermissionDenied, ValidationError
from motcua.counter import services
from motcua.counter.models import HomeService, HotlineCall, LegalAdviceTurn
from motcua.counter.selectors import (
    counter_is_staff,
    counter_log_personal_data,
    counter_unit_ids,
    counter_unit_staff,
    counter_units,
    home_services_open,
    hotline_callbacks_pending,
    hotline_calls_for,
    legal_advice_summary,
    legal_advice_turns_for,
)
from motcua.organisation.models import Unit
from motcua.web.access import staff_required

PAGE_SIZE = 25
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M"]


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        help_text=gettext_lazy("Ngày/tháng/năm, ví dụ 04/03/2026."),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 04/03/2026."),
            "required": gettext_lazy("Nhập ngày."),
        },
    )


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=TIME_FORMATS,
        help_text=gettext_lazy("Giờ:phút, ví dụ 08:00."),
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": gettext_lazy("Nhập giờ theo dạng giờ:phút, ví dụ 08:00."),
            "required": gettext_lazy("Nhập giờ."),
        },
    )


def _text(label: Any, *, required: bool = True, max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={"required": gettext_lazy("Thông tin này là bắt buộc.")},
    )


def _long(label: Any, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Thông tin này là bắt buộc.")},
    )


class TurnPlanForm(forms.Form):
    lawyer_name = _text(gettext_lazy("Luật sư"))
    organisation = _text(gettext_lazy("Tổ chức hành nghề"), required=False)
    day = _date_field(gettext_lazy("Ngày"))
    starts = _time_field(gettext_lazy("Từ"))
    ends = _time_field(gettext_lazy("Đến"))


class TurnRecordForm(forms.Form):
    people_served = forms.IntegerField(
        label=gettext_lazy("Số lượt người được tư vấn"),
        min_value=0,
        max_value=10000,
        error_messages={
            "required": gettext_lazy("Nhập số lượt người."),
            "invalid": gettext_lazy("Nhập một số nguyên."),
        },
    )
    topics = _long(gettext_lazy("Nội dung tư vấn"), required=False)
    note = _long(gettext_lazy("Ghi chú"), required=False)


class ReasonForm(forms.Form):
    reason = _long(gettext_lazy("Lý do huỷ"))


class HomeRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Dịch vụ"), choices=HomeService.Kind.choices)
    reason = forms.ChoiceField(
        label=gettext_lazy("Đối tượng"),
        choices=HomeService.Reason.choices,
    )
    person_name = _text(gettext_lazy("Họ và tên"))
    phone = _text(gettext_lazy("Điện thoại"), max_length=20)
    address = _text(gettext_lazy("Địa chỉ phục vụ"), max_length=500)
    details = _long(gettext_lazy("Nội dung yêu cầu"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("Kênh yêu cầu"),
        choices=HomeService.Channel.choices,
        initial=HomeService.Channel.PHONE,
    )
    preferred_day = _date_field(gettext_lazy("Ngày mong muốn"), required=False)


class HomeScheduleForm(forms.Form):
    day = _date_field(gettext_lazy("Ngày phục vụ"))
    time = _time_field(gettext_lazy("Giờ phục vụ"))
    officer = forms.TypedChoiceField(
        label=gettext_lazy("Cán bộ phục vụ"),
        coerce=int,
        error_messages={"required": gettext_lazy("Chọn cán bộ phục vụ.")},
    )

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", _("— chọn —"))] + [  # type: ignore[attr-defined]
            (u.pk, u.display_name) for u in staff
        ]


class HomeCompleteForm(forms.Form):
    outcome = _long(gettext_lazy("Kết quả phục vụ"))
    reference = _text(gettext_lazy("Số hiệu liên quan"), required=False, max_length=100)


class HotlineForm(forms.Form):
    day = _date_field(gettext_lazy("Ngày gọi"))
    time = _time_field(gettext_lazy("Giờ gọi"))
    caller_name = _text(gettext_lazy("Người gọi"), required=False)
    caller_phone = _text(gettext_lazy("Số điện thoại"), required=False, max_length=20)
    topic = forms.ChoiceField(label=gettext_lazy("Nội dung"), choices=HotlineCall.Topic.choices)
    procedure_code = _text(gettext_lazy("Mã thủ tục"), required=False, max_length=40)
    dossier_code = _text(gettext_lazy("Mã hồ sơ"), required=False, max_length=40)
    summary = _long(gettext_lazy("Tóm tắt"))
    outcome = forms.ChoiceField(label=gettext_lazy("Xử lý"), choices=HotlineCall.Outcome.choices)


# --- shared helpers -------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _units(request: HttpRequest) -> tuple[list[Unit], Unit | None]:
    """The units the actor may read and the one chosen (`?unit=` or the POST's, else the
    first)."""
    units = list(counter_units(actor=_actor(request)))
    wanted = request.POST.get("unit") or request.GET.get("unit") or ""
    chosen = next((u for u in units if u.code == wanted), units[0] if units else None)
    return units, chosen


def _no_unit(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"message": _("Tài khoản này không thuộc đơn vị nào có sổ quầy.")},
        status=403,
    )


def _form_error(form: forms.Form, error: DomainError, aliases: dict[str, str]) -> None:
    """A service's refusal on the form: on the field it names, else above the form."""
    message = error.render()
    fields = []
    if isinstance(error, ValidationError):
        fields = [str(e.get("field") or "") for e in error.errors]
    placed = False
    for name in fields:
        name = aliases.get(name, name)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, message)


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=VN_TZ)


def _context(request: HttpRequest, units: list[Unit], unit: Unit, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "counter_log",
        "units": units,
        "unit": unit,
        "is_staff": counter_is_staff(actor=_actor(request), unit=unit),
        **extra,
    }


def _record(model: Any, pk: int, request: HttpRequest) -> Any:
    """A record the actor may read, or None."""
    visible = counter_unit_ids(actor=_actor(request))
    rows = model.objects.select_related("unit").filter(pk=pk)
    if visible is not None:
        rows = rows.filter(unit_id__in=visible)
    return rows.first()


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/not_found.html",
        {"message": _("Không có bản ghi này, hoặc bạn không được xem.")},
        status=404,
    )


def _refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": error.render()}, status=403)


def _with_unit(name: str, unit: Unit, **query: str) -> str:
    url = reverse(f"workspace:{name}")
    parts = [f"unit={unit.code}"] + [f"{k}={v}" for k, v in query.items()]
    return f"{url}?{'&'.join(parts)}"


# --- free legal advice turns ------------------------------------------------------------------


def _month(raw: str, today: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime(raw, "%Y-%m").replace(tzinfo=VN_TZ).date().replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def advice(request: HttpRequest) -> HttpResponse:
    """The month's turns with their totals, and the form planning a new turn."""
    actor = _actor(request)
    now = clock_now()
    units, unit = _units(request)
    if unit is None:
        return _no_unit(request)
    form = TurnPlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                turn = services.legal_advice_turn_plan(
                    unit=unit, actor=actor, now=now, **form.cleaned_data
                )
            except PermissionDenied as error:
                return _refused(request, error)
            except DomainError as error:
                _form_error(form, error, {})
            else:
                messages.success(
                    request,
                    _("Đã lên lịch lượt tư vấn của %(lawyer)s ngày %(day)s.")
                    % {"lawyer": turn.lawyer_name, "day": f"{turn.day:%d/%m/%Y}"},
                )
                return redirect(_with_unit("counter_advice", unit, month=f"{turn.day:%Y-%m}"))
        status = 400
    first = _month(request.GET.get("month", ""), local(now).date())
    last = _month_end(first)
    turns = legal_advice_turns_for(actor=actor, unit=unit, start=first, end=last)
    page = Paginator(turns, PAGE_SIZE).get_page(request.GET.get("page"))
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return render(
        request,
        "workspace/counter/advice.html",
        _context(
            request,
            units,
            unit,
            sub="advice",
            form=form,
            page=page,
            month=first,
            previous=f"{previous:%Y-%m}",
            following=f"{following:%Y-%m}",
            summary=legal_advice_summary(actor=actor, unit=unit, start=first, end=last),
        ),
        status=status,
    )


def _turn_page(
    request: HttpRequest,
    turn: LegalAdviceTurn,
    *,
    record: TurnRecordForm | None = None,
    cancel: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    units = list(counter_units(actor=_actor(request)))
    initial = {"people_served": turn.people_served, "topics": turn.topics, "note": turn.note}
    return render(
        request,
        "workspace/counter/advice_turn.html",
        _context(
            request,
            units,
            turn.unit,
            sub="advice",
            turn=turn,
            record=record or TurnRecordForm(initial=initial, prefix="record"),
            cancel=cancel or ReasonForm(prefix="cancel"),
        ),
        status=status,
    )


@staff_required
@require_safe
def advice_turn(request: HttpRequest, pk: int) -> HttpResponse:
    turn = _record(LegalAdviceTurn, pk, request)
    if turn is None:
        return _not_found(request)
    return _turn_page(request, turn)


@staff_required
@require_POST
def advice_turn_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Record a turn as held, or cancel it with a reason."""
    actor = _actor(request)
    now = clock_now()
    turn = _record(LegalAdviceTurn, pk, request)
    if turn is None or action not in ("record", "cancel"):
        return _not_found(request)
    form: forms.Form
    if action == "record":
        form = TurnRecordForm(request.POST, prefix="record")
    else:
        form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            if action == "record":
                services.legal_advice_turn_record(
                    turn=turn, actor=actor, now=now, **form.cleaned_data
                )
                done = _("Đã ghi nhận lượt tư vấn.")
            else:
                services.legal_advice_turn_cancel(
                    turn=turn, reason=form.cleaned_data["reason"], actor=actor, now=now
                )
                done = _("Đã huỷ lượt tư vấn.")
        except PermissionDenied as error:
            return _refused(request, error)
        except DomainError as error:
            _form_error(form, error, {"people_served": "people_served"})
        else:
            messages.success(request, done)
            return redirect("workspace:counter_advice_turn", pk=turn.pk)
    kwargs: dict[str, Any] = {action: form}
    return _turn_page(request, turn, status=400, **kwargs)


# --- at-home and mobile service -------------------------------------------------------------


@staff_required
@require_safe
def home_list(request: HttpRequest) -> HttpResponse:
    """The open requests: scheduled ones by time, then the unscheduled by age."""
    actor = _actor(request)
    units, unit = _units(request)
    if unit is None:
        return _no_unit(request)
    page = Paginator(home_services_open(actor=actor, unit=unit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counter_log_personal_data(
        actor=actor,
        subject_type="counter.homeservice",
        ids=[s.pk for s in page.object_list],
        now=clock_now(),
    )
    return render(
        request,
        "workspace/counter/home_list.html",
        _context(request, units, unit, page=page, sub="home"),
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def home_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    now = clock_now()
    units, unit = _units(request)
    if unit is None:
        return _no_unit(request)
    form = HomeRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service = services.home_service_request(
                    unit=unit, actor=actor, now=now, **form.cleaned_data
                )
            except PermissionDenied as error:
                return _refused(request, error)
            except DomainError as error:
                _form_error(form, error, {})
            else:
                messages.success(request, _("Đã ghi yêu cầu phục vụ tại nhà."))
                return redirect("workspace:counter_home_item", pk=service.pk)
        status = 400
    return render(
        request,
        "workspace/counter/home_new.html",
        _context(request, units, unit, form=form, sub="home"),
        status=status,
    )


def _home_page(
    request: HttpRequest, service: HomeService, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    actor = _actor(request)
    units = list(counter_units(actor=actor))
    staff = counter_unit_staff(unit=service.unit)
    initial: dict[str, Any] = {}
    if service.scheduled_for is not None:
        when = local(service.scheduled_for)
        initial = {"day": when.date(), "time": when.time(), "officer": service.assigned_to_id}
    elif service.preferred_day is not None:
        initial = {"day": service.preferred_day}
    context = _context(
        request,
        units,
        service.unit,
        sub="home",
        service=service,
        schedule=forms_.get("schedule")
        or HomeScheduleForm(initial=initial, staff=staff, prefix="schedule"),
        complete=forms_.get("complete") or HomeCompleteForm(prefix="complete"),
        cancel=forms_.get("cancel") or ReasonForm(prefix="cancel"),
    )
    if context["is_staff"]:
        counter_log_personal_data(
            actor=actor, subject_type="counter.homeservice", ids=[service.pk], now=clock_now()
        )
    return render(request, "workspace/counter/home_item.html", context, status=status)


@staff_required
@require_safe
def home_item(request: HttpRequest, pk: int) -> HttpResponse:
    service = _record(HomeService, pk, request)
    if service is None:
        return _not_found(request)
    return _home_page(request, service)


@staff_required
@require_POST
def home_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Schedule (date, time, officer), complete (outcome, reference) or cancel (reason)."""
    actor = _actor(request)
    now = clock_now()
    service = _record(HomeService, pk, request)
    if service is None or action not in ("schedule", "complete", "cancel"):
        return _not_found(request)
    form: forms.Form
    if action == "schedule":
        form = HomeScheduleForm(
            request.POST, staff=counter_unit_staff(unit=service.unit), prefix="schedule"
        )
    elif action == "complete":
        form = HomeCompleteForm(request.POST, prefix="complete")
    else:
        form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "schedule":
                officer = User.objects.get(pk=data["officer"])
                services.home_service_schedule(
                    service=service,
                    when=_local(data["day"], data["time"]),
                    officer=officer,
                    actor=actor,
                    now=now,
                )
                done = _("Đã hẹn lịch phục vụ.")
            elif action == "complete":
                services.home_service_complete(
                    service=service,
                    outcome=data["outcome"],
                    reference=data["reference"],
                    actor=actor,
                    now=now,
                )
                done = _("Đã ghi kết quả phục vụ.")
            else:
                services.home_service_cancel(
                    service=service, reason=data["reason"], actor=actor, now=now
                )
                done = _("Đã huỷ yêu cầu.")
        except PermissionDenied as error:
            return _refused(request, error)
        except DomainError as error:
            _form_error(form, error, {"scheduled_for": "day", "assigned_to": "officer"})
        else:
            messages.success(request, done)
            return redirect("workspace:counter_home_item", pk=service.pk)
    return _home_page(request, service, status=400, **{action: form})


# --- the hotline ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """The day's calls, the promised call backs still open, and the form logging a call."""
    actor = _actor(request)
    now = clock_now()
    units, unit = _units(request)
    if unit is None:
        return _no_unit(request)
    today = local(now).date()
    form = HotlineForm(
        request.POST or None,
        initial={"day": today, "time": local(now).time().replace(second=0, microsecond=0)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            at = _local(data.pop("day"), data.pop("time"))
            try:
                call = services.hotline_call_record(unit=unit, at=at, actor=actor, now=now, **data)
            except PermissionDenied as error:
                return _refused(request, error)
            except DomainError as error:
                _form_error(form, error, {"at": "time"})
            else:
                messages.success(request, _("Đã ghi cuộc gọi."))
                return redirect(
                    _with_unit("counter_hotline", unit, day=f"{local(call.at):%Y-%m-%d}")
                )
        status = 400
    day = parse_vn_date(request.GET.get("day", "")) or today
    start = _local(day, dt.time(0, 0))
    calls = hotline_calls_for(actor=actor, unit=unit, start=start, end=start + dt.timedelta(days=1))
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = list(hotline_callbacks_pending(actor=actor, unit=unit)[:50])
    counter_log_personal_data(
        actor=actor,
        subject_type="counter.hotlinecall",
        ids={c.pk for c in page.object_list} | {c.pk for c in pending},
        now=now,
    )
    return render(
        request,
        "workspace/counter/hotline.html",
        _context(
            request,
            units,
            unit,
            sub="hotline",
            form=form,
            page=page,
            pending=pending,
            day=day,
            previous=f"{day - dt.timedelta(days=1):%Y-%m-%d}",
            following=f"{day + dt.timedelta(days=1):%Y-%m-%d}",
        ),
        status=status,
    )


@staff_required
@require_POST
def hotline_called_back(request: HttpRequest, pk: int) -> HttpResponse:
    call = _record(HotlineCall, pk, request)
    if call is None:
        return _not_found(request)
    try:
        services.hotline_callback_done(call=call, actor=_actor(request), now=clock_now())
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.render())
    else:
        messages.success(request, _("Đã ghi nhận: đã gọi lại."))
    return redirect(_with_unit("counter_hotline", call.unit, day=f"{local(call.at):%Y-%m-%d}"))
