"""Citizens' feedback in the workspace (docs/feedback.md), under `/workspace/feedback/`:

- `/workspace/feedback/`: the feedback of the actor's units (intake or assigned), nearest
  deadline first, with a red "late" and an amber "due soon" (2 working days) tag; filters
  by status (open by default), handling unit and late; paginated. No sender names in the
  list: they are read (and logged) when a feedback is opened.
- `/workspace/feedback/late/`: the late ones, with counts per handling unit (for
  supervisors; anyone sees it for the units they see).
- `/workspace/feedback/<code>/`: the feedback, the sender's contact (the read is logged),
  the trail, and the forms the actor may use (`feedback_actions_for`): classify and assign,
  reject or mark a duplicate, answer, publish.
- `/workspace/feedback/<code>/files/<id>/`: a file the sender attached, or one attached to
  the answer, as a download (`feedback_attachment_get_for_actor`: whoever sees the
  feedback; logged).
- The answer form takes photos or PDFs (`multipart/form-data`, no JavaScript needed),
  checked as the sender's; every problem is listed at once in the error summary, the text
  typed stays, and the files chosen are named to be chosen again.
- POST `<code>/classify/`, `<code>/reject/`, `<code>/answer/`, `<code>/publish/`: one
  service each.

Who: staff holding a role that sees feedback (`feedback_staff_may_use`); others get 403.
Another unit's feedback is a 404."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts.models import User
from motcua.core.addresses import name_sort_key
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound
from motcua.feedback.models import (
    Feedback,
    FeedbackAttachmentPart,
    FeedbackCategory,
    FeedbackStatus,
)
from motcua.feedback.selectors import (
    feedback_actions_for,
    feedback_attachment_get_for_actor,
    feedback_attachments,
    feedback_deadline_state,
    feedback_events,
    feedback_filter,
    feedback_for_actor,
    feedback_get_for_actor,
    feedback_late,
    feedback_late_by_unit,
    feedback_soon_horizon,
    feedback_staff_may_use,
    feedback_staff_units,
)
from motcua.feedback.services import (
    attachment_limits,
    feedback_answer,
    feedback_attachments_check,
    feedback_classify,
    feedback_publish,
    feedback_reject,
)
from motcua.organisation.models import Unit
from motcua.organisation.selectors import unit_choices
from motcua.web.access import staff_required
from motcua.web.downloads import stored_file_response
from motcua.web.fields import MultipleFileField

PAGE_SIZE = 25
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"
STATUS_FILTERS: list[tuple[str, Any]] = [
    ("open", gettext_lazy("Chưa công bố trả lời")),
    ("", gettext_lazy("Tất cả")),
    *FeedbackStatus.choices,
]


def _unit_choices(feedback: Feedback | None = None) -> list[tuple[str, Any]]:
    unit = (feedback.intake_unit or feedback.unit) if feedback is not None else None
    province = unit.province_code if unit is not None else None
    if province is None:
        province = (
            Unit.objects.filter(parent__isnull=True, is_active=True)
            .order_by("code")
            .values_list("province_code", flat=True)
            .first()
        )
    rows = unit_choices(province_code=province) if province else []
    rows = sorted(rows, key=lambda r: name_sort_key(r[2]))
    return [("", gettext_lazy("Chọn đơn vị"))] + [
        (code, f"{name} ({code})") for _pk, code, name in rows
    ]


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Lĩnh vực"),
        choices=[("", gettext_lazy("Chọn lĩnh vực")), *FeedbackCategory.choices],
        error_messages={"required": gettext_lazy("Chọn lĩnh vực.")},
    )
    unit = forms.ChoiceField(
        label=gettext_lazy("Đơn vị trả lời"),
        choices=(),
        error_messages={"required": gettext_lazy("Chọn đơn vị trả lời.")},
    )

    def __init__(self, *args: Any, feedback: Feedback, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _unit_choices(feedback)  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do (người gửi sẽ thấy)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Nêu lý do cho người gửi.")},
    )
    duplicate_of = forms.CharField(
        label=gettext_lazy("Trùng với phản ánh (mã, nếu có)"), max_length=20, required=False
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Trả lời người gửi"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Viết nội dung trả lời.")},
    )
    attachments = MultipleFileField(label=gettext_lazy("Ảnh, tài liệu kèm trả lời"), required=False)
    attachments_remove = forms.BooleanField(
        label=gettext_lazy("Bỏ các tệp đã kèm câu trả lời"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = attachment_limits()
        self.fields["attachments"].help_text = gettext_lazy(
            "Tối đa %(count)s tệp ảnh JPEG, PNG hoặc PDF, mỗi tệp tối đa %(size)s MB. Người "
            "gửi thấy các tệp cùng câu trả lời khi được công bố; tệp mới thay các tệp đã kèm."
        ) % {"count": limits["max_files"], "size": limits["max_bytes"] // (1024 * 1024)}


class PublishForm(forms.Form):
    public = forms.BooleanField(
        label=gettext_lazy("Công khai trên trang trả lời phản ánh (người gửi đã đồng ý)"),
        required=False,
        initial=True,
    )


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/forbidden.html", status=403)


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        "workspace/not_found.html",
        {"message": _("Không tìm thấy phản ánh %(code)s.") % {"code": code}},
        status=404,
    )


def _filter_unit(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first() if code else None


@staff_required
@require_safe
def feedback_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    units = feedback_staff_units(actor=actor)
    if not feedback_staff_may_use(actor=actor, units=units):
        return _forbidden(request)
    status = request.GET.get("status", "open")
    if status not in {value for value, _label in STATUS_FILTERS}:
        status = "open"
    unit_code = request.GET.get("unit", "")[:30]
    late = request.GET.get("late") == "1"
    now = clock_now()
    rows = feedback_filter(
        feedback_for_actor(actor=actor, units=units),
        now=now,
        status=status,
        unit=_filter_unit(unit_code),
        late=late,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    horizon = feedback_soon_horizon(now=now)
    return render(
        request,
        "workspace/feedback/queue.html",
        {
            "page": page,
            "rows": [
                (f, feedback_deadline_state(feedback=f, horizon=horizon, now=now))
                for f in page.object_list
            ],
            "status": status,
            "filters": STATUS_FILTERS,
            "unit_code": unit_code,
            "units": _unit_choices(),
            "late": late,
            "nav": "feedback",
        },
    )


@staff_required
@require_safe
def feedback_late_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    units = feedback_staff_units(actor=actor)
    if not feedback_staff_may_use(actor=actor, units=units):
        return _forbidden(request)
    now = clock_now()
    page = Paginator(feedback_late(actor=actor, now=now, units=units), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = feedback_late_by_unit(actor=actor, now=now, units=units)
    return render(
        request,
        "workspace/feedback/late.html",
        {
            "page": page,
            "counts": counts,
            "total": sum(c.late for c in counts),
            "nav": "feedback",
        },
    )


def _get(request: HttpRequest, code: str, *, log: bool = True) -> Feedback | HttpResponse:
    actor = _actor(request)
    units = feedback_staff_units(actor=actor)
    if not feedback_staff_may_use(actor=actor, units=units):
        return _forbidden(request)
    try:
        return feedback_get_for_actor(actor=actor, code=code, now=clock_now(), log=log, units=units)
    except NotFound:
        return _not_found(request, code)


def _page(
    request: HttpRequest,
    feedback: Feedback,
    *,
    classify: ClassifyForm | None = None,
    reject: RejectForm | None = None,
    answer: AnswerForm | None = None,
    chosen: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = clock_now()
    initial = {"category": feedback.category, "unit": feedback.unit.code if feedback.unit else ""}
    if not initial["unit"] and feedback.intake_unit is not None:
        initial["unit"] = feedback.intake_unit.code
    return render(
        request,
        "workspace/feedback/detail.html",
        {
            "feedback": feedback,
            "state": feedback_deadline_state(
                feedback=feedback, horizon=feedback_soon_horizon(now=now), now=now
            ),
            "actions": feedback_actions_for(actor=_actor(request), feedback=feedback),
            "events": feedback_events(feedback=feedback),
            "attachments": feedback_attachments(feedback=feedback),
            "answer_attachments": feedback_attachments(
                feedback=feedback, part=FeedbackAttachmentPart.ANSWER
            ),
            "accept": ACCEPT,
            "chosen": chosen or [],
            "classify": classify or ClassifyForm(feedback=feedback, initial=initial),
            "reject": reject or RejectForm(prefix="reject"),
            "answer": answer or AnswerForm(initial={"answer": feedback.answer}),
            "publish": PublishForm(),
            "nav": "feedback",
        },
        status=status,
    )


@staff_required
@require_safe
def feedback_detail(request: HttpRequest, code: str) -> HttpResponse:
    found = _get(request, code)
    if isinstance(found, HttpResponse):
        return found
    return _page(request, found)


@staff_required  # type: ignore[arg-type]  # a download is a FileResponse (streamed)
@require_safe
def feedback_file(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    actor = _actor(request)
    units = feedback_staff_units(actor=actor)
    if not feedback_staff_may_use(actor=actor, units=units):
        return _forbidden(request)
    try:
        found = feedback_attachment_get_for_actor(
            actor=actor, code=code, file_id=file_id, now=clock_now(), units=units
        )
    except NotFound:
        return _not_found(request, code)
    return stored_file_response(found.file)


def _field_error(form: forms.Form, error: DomainError) -> None:
    fields = [e.get("field") for e in getattr(error, "errors", [])]
    form.add_error(next((f for f in fields if f in form.fields), None), error.render())


@staff_required
@require_POST
def feedback_classify_view(request: HttpRequest, code: str) -> HttpResponse:
    found = _get(request, code, log=False)
    if isinstance(found, HttpResponse):
        return found
    form = ClassifyForm(request.POST, feedback=found)
    if form.is_valid():
        unit = Unit.objects.filter(code=form.cleaned_data["unit"]).first()
        try:
            if unit is None:
                raise NotFound(_("Không tìm thấy đơn vị."))
            feedback_classify(
                feedback=found,
                actor=_actor(request),
                category=form.cleaned_data["category"],
                unit=unit,
                now=clock_now(),
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("Đã chuyển phản ánh cho %(unit)s.") % {"unit": unit.name})
            return redirect("workspace:feedback_detail", code=code)
    return _page(request, found, classify=form, status=400)


@staff_required
@require_POST
def feedback_reject_view(request: HttpRequest, code: str) -> HttpResponse:
    found = _get(request, code, log=False)
    if isinstance(found, HttpResponse):
        return found
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        duplicate = None
        other = form.cleaned_data["duplicate_of"].strip().upper()
        if other:
            duplicate = feedback_for_actor(actor=_actor(request)).filter(code=other).first()
            if duplicate is None:
                form.add_error(
                    "duplicate_of", _("Không tìm thấy phản ánh %(code)s.") % {"code": other}
                )
        if not form.errors:
            try:
                feedback_reject(
                    feedback=found,
                    actor=_actor(request),
                    reason=form.cleaned_data["reason"],
                    duplicate_of=duplicate,
                    now=clock_now(),
                )
            except DomainError as error:
                _field_error(form, error)
            else:
                messages.success(request, _("Đã đóng phản ánh và báo lý do cho người gửi."))
                return redirect("workspace:feedback_detail", code=code)
    return _page(request, found, reject=form, status=400)


@staff_required
@require_POST
def feedback_answer_view(request: HttpRequest, code: str) -> HttpResponse:
    found = _get(request, code, log=False)
    if isinstance(found, HttpResponse):
        return found
    form = AnswerForm(request.POST, request.FILES)
    uploads = request.FILES.getlist("attachments")
    if not form.is_valid():
        _attachments_errors(form, uploads)
    else:
        try:
            feedback_answer(
                feedback=found,
                actor=_actor(request),
                answer=form.cleaned_data["answer"],
                attachments=form.cleaned_data["attachments"],
                attachments_remove=form.cleaned_data["attachments_remove"],
                now=clock_now(),
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("Đã lưu câu trả lời. Câu trả lời cần được công bố."))
            return redirect("workspace:feedback_detail", code=code)
    # The browser forgets chosen files on this page: say which ones to choose again.
    chosen = [str(f.name) for f in uploads]
    return _page(request, found, answer=form, chosen=chosen, status=400)


def _attachments_errors(form: AnswerForm, uploads: list[Any]) -> None:
    """The files' problems listed with the other fields' (the files are checked, not kept)."""
    if not uploads:
        return
    try:
        checked = feedback_attachments_check(uploads=uploads)
    except DomainError as error:
        form.add_error("attachments", error.render())
    else:
        for one in checked:
            one.close()


@staff_required
@require_POST
def feedback_publish_view(request: HttpRequest, code: str) -> HttpResponse:
    found = _get(request, code, log=False)
    if isinstance(found, HttpResponse):
        return found
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        published = feedback_publish(
            feedback=found,
            actor=_actor(request),
            public=bool(form.cleaned_data.get("public")),
            now=clock_now(),
        )
    except DomainError as error:
        messages.error(request, error.render())
        return redirect("workspace:feedback_detail", code=code)
    if published.is_public:
        messages.success(request, _("Đã công bố trả lời cho người gửi và trên trang công khai."))
    else:
        messages.success(request, _("Đã công bố trả lời cho người gửi."))
    return redirect("workspace:feedback_detail", code=code)


urlpatterns = [
    path("", feedback_queue, name="feedback_queue"),
    path("late/", feedback_late_view, name="feedback_late"),
    path("<str:code>/", feedback_detail, name="feedback_detail"),
    path("<str:code>/files/<int:file_id>/", feedback_file, name="feedback_file"),
    path("<str:code>/classify/", feedback_classify_view, name="feedback_classify"),
    path("<str:code>/reject/", feedback_reject_view, name="feedback_reject"),
    path("<str:code>/answer/", feedback_answer_view, name="feedback_answer"),
    path("<str:code>/publish/", feedback_publish_view, name="feedback_publish"),
]
