"""Citizens' feedback on the portal (phản ánh, kiến nghị; docs/feedback.md), under
`/feedback/`:

- `/feedback/`: the form (no account needed; name, phone and e-mail prefilled for a signed-in
  person), with up to 5 photos or PDFs (`feedback_attachments_check`: every problem is
  listed with the others; a browser cannot keep chosen files, so after an error the page
  says which were chosen and asks to choose them again, the typed text kept). Sending is
  rate-limited per client address (`MOTCUA_RATE_LIMITS["feedback_submit"]`, a 429 page).
  Success redirects to the confirmation.
- `/feedback/<code>/sent/`: the code, the answer deadline and, for a sender without an
  account, the secret to follow it, shown once (kept in the session until then).
- `/feedback/<code>/`: the follow page. The signed-in sender sees it at once; anyone else
  types the secret (POST, so it stays out of addresses and logs; attempts rate-limited:
  `["feedback_follow"]`). A wrong code and a wrong secret give one answer. The answer is
  shown once published.
- `/feedback/<code>/files/<id>/`: a file the sender attached, to the sender only (their
  account, or this session once the secret was typed on the follow page); a download.
- `/feedback/answers/`: published answers the senders agreed to show, newest first, without
  names or contacts, paginated, by category.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from motcua.accounts.models import User
from motcua.core.addresses import name_sort_key
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound
from motcua.core.ratelimit import client_ip, rate_limit_hit, rate_limit_retry_after
from motcua.feedback.models import Feedback, FeedbackCategory, FeedbackStatus
from motcua.feedback.selectors import (
    feedback_answer_attachments_for_sender,
    feedback_attachment_get_for_sender,
    feedback_attachment_of,
    feedback_attachments,
    feedback_code_normalise,
    feedback_followed,
    feedback_get_for_sender,
    feedback_public_answers,
)
from motcua.feedback.services import (
    attachment_limits,
    feedback_attachments_check,
    feedback_submit,
)
from motcua.organisation.models import Unit
from motcua.organisation.selectors import unit_choices
from motcua.web.downloads import stored_file_response
from motcua.web.fields import MultipleFileField

from .lookup import retry_minutes

ANSWERS_PAGE = 10
SESSION_SECRET = "feedback_secret:%s"  # noqa: S105 (a session key)
#: This session typed the right secret for the code: the sender's files download.
SESSION_FOLLOW = "feedback_follow:%s"
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


def _place_choices() -> list[tuple[str, Any]]:
    province = (
        Unit.objects.filter(parent__isnull=True, is_active=True)
        .order_by("code")
        .values_list("province_code", flat=True)
        .first()
    )
    rows = unit_choices(province_code=province) if province else []
    return [("", gettext_lazy("Không rõ, hoặc không gắn với đơn vị nào"))] + [
        (code, name) for _pk, code, name in sorted(rows, key=lambda r: name_sort_key(r[2]))
    ]


class FeedbackForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Tiêu đề"),
        max_length=200,
        error_messages={"required": gettext_lazy("Nhập tiêu đề phản ánh.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Nội dung phản ánh, kiến nghị"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Việc gì, ở đâu, khi nào. Không ghi số định danh cá nhân hay thông tin nhạy cảm."
        ),
        error_messages={"required": gettext_lazy("Nhập nội dung phản ánh.")},
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Lĩnh vực"),
        choices=[("", gettext_lazy("Chọn nếu bạn biết")), *FeedbackCategory.choices],
        required=False,
    )
    dossier_code = forms.CharField(
        label=gettext_lazy("Mã hồ sơ liên quan"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("In trên giấy tiếp nhận hồ sơ, ví dụ 00070-260302-0001."),
    )
    place = forms.ChoiceField(label=gettext_lazy("Nơi xảy ra"), choices=(), required=False)
    sender_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=200,
        error_messages={"required": gettext_lazy("Nhập họ và tên của bạn.")},
    )
    sender_phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Để báo cho bạn khi có trả lời. Bắt buộc khi chưa đăng nhập."),
    )
    sender_email = forms.EmailField(
        label=gettext_lazy("Thư điện tử"),
        required=False,
        error_messages={"invalid": gettext_lazy("Địa chỉ thư điện tử không đúng.")},
    )
    public_consent = forms.BooleanField(
        label=gettext_lazy(
            "Tôi đồng ý công khai nội dung phản ánh và trả lời trên cổng (không kèm họ tên, "
            "số điện thoại, thư điện tử)."
        ),
        required=False,
    )
    attachments = MultipleFileField(label=gettext_lazy("Ảnh, tài liệu kèm theo"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _place_choices()  # type: ignore[attr-defined]
        limits = attachment_limits()
        self.fields["attachments"].help_text = gettext_lazy(
            "Tối đa %(count)s tệp ảnh JPEG, PNG hoặc PDF, mỗi tệp tối đa %(size)s MB."
        ) % {"count": limits["max_files"], "size": limits["max_bytes"] // (1024 * 1024)}


def _form_error(form: forms.Form, error: DomainError) -> None:
    fields = [e.get("field") for e in getattr(error, "errors", [])]
    field = next((f for f in fields if f in form.fields), None)
    form.add_error(field, error.render())


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _limited(request: HttpRequest, scope: str) -> HttpResponse | None:
    if not rate_limit_hit(name=scope, key=client_ip(request)):
        return None
    wait = rate_limit_retry_after(name=scope)
    response = render(
        request,
        "portal/feedback/limited.html",
        {"nav": "feedback", "minutes": retry_minutes(wait)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    person = _signed_in(request)
    initial: dict[str, Any] = {}
    if person is not None:
        initial = {
            "sender_name": person.display_name,
            "sender_phone": person.phone,
            "sender_email": person.email,
        }
    if request.GET.get("dossier"):
        initial["dossier_code"] = request.GET["dossier"][:40]
    form = FeedbackForm(request.POST or None, request.FILES or None, initial=initial)
    if person is None:
        # Without an account the phone is how the sender hears of the answer: asked at once
        # with the other fields (the service checks it too).
        phone = form.fields["sender_phone"]
        phone.required = True
        phone.error_messages["required"] = gettext_lazy(
            "Cần số điện thoại để báo cho bạn khi có trả lời."
        )
    status = 200
    chosen: list[str] = []
    if request.method == "POST":
        if not form.is_valid():
            _attachments_errors(form, request.FILES.getlist("attachments"))
        else:
            limited = _limited(request, "feedback_submit")
            if limited is not None:
                return limited
            data = form.cleaned_data
            place = (
                Unit.objects.filter(code=data["place"], is_active=True).first()
                if data["place"]
                else None
            )
            try:
                submitted = feedback_submit(
                    subject=data["subject"],
                    body=data["body"],
                    sender_name=data["sender_name"],
                    sender=person,
                    sender_phone=data["sender_phone"],
                    sender_email=data["sender_email"],
                    dossier_code=data["dossier_code"],
                    place=place,
                    category=data["category"],
                    public_consent=data["public_consent"],
                    attachments=data["attachments"],
                    now=clock_now(),
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                code = submitted.feedback.code
                if submitted.secret:
                    request.session[SESSION_SECRET % code] = submitted.secret
                return redirect("portal:feedback_sent", code=code)
        status = 400
        # The browser forgets chosen files on this page: say which ones to choose again.
        chosen = [str(f.name) for f in request.FILES.getlist("attachments")]
    return render(
        request,
        "portal/feedback/new.html",
        {
            "form": form,
            "nav": "feedback",
            "signed_in": person is not None,
            "accept": ACCEPT,
            "chosen": chosen,
        },
        status=status,
    )


def _attachments_errors(form: FeedbackForm, uploads: list[Any]) -> None:
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


@require_safe
def feedback_sent(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation. The secret is in this session only, once; after that (or in
    another browser) the page is the follow page's question."""
    secret = request.session.pop(SESSION_SECRET % code, "")
    person = _signed_in(request)
    try:
        feedback = feedback_get_for_sender(code=code, person=person, secret=secret)
    except NotFound:
        return redirect("portal:feedback_follow", code=code)
    return render(
        request,
        "portal/feedback/sent.html",
        {"feedback": feedback, "secret": secret, "nav": "feedback"},
    )


def _follow_page(request: HttpRequest, feedback: Feedback, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "portal/feedback/follow.html",
        {
            "feedback": feedback,
            "attachments": feedback_attachments(feedback=feedback),
            "answer_attachments": feedback_answer_attachments_for_sender(feedback=feedback),
            "published": feedback.status == FeedbackStatus.PUBLISHED,
            "late": feedback.is_late(clock_now()),
            "nav": "feedback",
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_follow(request: HttpRequest, code: str) -> HttpResponse:
    canonical = feedback_code_normalise(code) or code[:40]
    person = _signed_in(request)
    if person is not None:
        try:
            return _follow_page(request, feedback_get_for_sender(code=canonical, person=person))
        except NotFound:
            pass
    context: dict[str, Any] = {"code": canonical, "nav": "feedback", "error": ""}
    if request.method != "POST":
        return render(request, "portal/feedback/secret.html", context)
    secret = (request.POST.get("secret") or "").strip()[:40]
    if not secret:
        context["error"] = str(gettext_lazy("Nhập mã bí mật nhận được khi gửi phản ánh."))
        return render(request, "portal/feedback/secret.html", context, status=400)
    limited = _limited(request, "feedback_follow")
    if limited is not None:
        return limited
    try:
        feedback = feedback_get_for_sender(code=canonical, secret=secret)
    except NotFound as error:
        context["error"] = error.render()
        return render(request, "portal/feedback/secret.html", context, status=404)
    request.session[SESSION_FOLLOW % feedback.code] = feedback.pk
    return _follow_page(request, feedback)


@require_safe
def feedback_file(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    """A file the sender attached: to their account, or to the session that typed the
    secret on the follow page. 404 for anyone else and for another feedback's file."""
    canonical = feedback_code_normalise(code) or code[:40]
    person = _signed_in(request)
    try:
        if person is not None:
            with contextlib.suppress(NotFound):
                return stored_file_response(
                    feedback_attachment_get_for_sender(
                        code=canonical, file_id=file_id, person=person
                    ).file
                )
        granted = request.session.get(SESSION_FOLLOW % canonical)
        feedback = feedback_followed(
            code=canonical, feedback_id=granted if isinstance(granted, int) else None
        )
        found = feedback_attachment_of(feedback=feedback, file_id=file_id, sender=True)
    except NotFound as exc:
        raise Http404 from exc
    return stored_file_response(found.file)


@require_safe
def feedback_answers(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in FeedbackCategory.values:
        category = ""
    page = Paginator(feedback_public_answers(category=category), ANSWERS_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/feedback/answers.html",
        {
            "page": page,
            "category": category,
            "categories": FeedbackCategory.choices,
            "nav": "feedback",
        },
    )


urlpatterns = [
    path("", feedback_new, name="feedback"),
    path("answers/", feedback_answers, name="feedback_answers"),
    path("<str:code>/", feedback_follow, name="feedback_follow"),
    path("<str:code>/sent/", feedback_sent, name="feedback_sent"),
    path("<str:code>/files/<int:file_id>/", feedback_file, name="feedback_file"),
]
