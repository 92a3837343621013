"""`/my/notifications/`: the signed-in person's in-app notifications and the channels they
choose (docs/notifications.md, "The citizen's pages").

Views parse the request, call one selector or service, render. Reads go through selectors
that know the person (`notifications_for`, `notification_get_for_person`): another person's
notification is the same 404 as one that does not exist. Opening a notification marks it
read; "mark all as read" is a POST (CSRF). The preferences page is one form: each event by
channel as checkboxes, saved through `preference_set`; sign-in codes are shown always on.
Everything works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import User
from motcua.core.clock import now as clock_now
from motcua.core.errors import NotFound, ValidationError
from motcua.notifications.models import OPT_OUT_EVENTS, Channel, Event, NotificationPreference
from motcua.notifications.selectors import notification_get_for_person, notifications_for
from motcua.notifications.services import notification_mark_read, preference_set

PAGE_SIZE = 20

#: When each event is sent, in the citizen's words (the preferences page's hints).
EVENT_HINTS: dict[str, Any] = {
    Event.RECEIVED: gettext_lazy("Khi cơ quan tiếp nhận hồ sơ và hẹn ngày trả kết quả."),
    Event.SUPPLEMENT_REQUESTED: gettext_lazy(
        "Khi hồ sơ cần bổ sung giấy tờ: nếu không bổ sung, hồ sơ có thể bị dừng."
    ),
    Event.PAYMENT_REQUESTED: gettext_lazy("Khi cần nộp phí, lệ phí để hồ sơ được giải quyết."),
    Event.PAYMENT_RECEIVED: gettext_lazy(
        "Khi cơ quan đã nhận tiền phí, lệ phí và lập biên lai điện tử."
    ),
    Event.RECEIPT_REPLACED: gettext_lazy("Khi một biên lai bị hủy và được thay bằng biên lai mới."),
    Event.APOLOGY: gettext_lazy("Khi hồ sơ bị chậm và cơ quan hẹn lại ngày trả kết quả."),
    Event.RESULT_READY: gettext_lazy("Khi đã có kết quả để nhận hoặc tải về."),
    Event.RETURNED: gettext_lazy("Khi kết quả đã được trả cho bạn."),
    Event.REFUSED: gettext_lazy("Khi cơ quan từ chối tiếp nhận hoặc giải quyết hồ sơ."),
    Event.WITHDRAWN: gettext_lazy("Khi hồ sơ đã được rút theo yêu cầu của bạn."),
}
#: The channels' short names on the preferences page, in column order.
CHANNELS: tuple[tuple[str, Any], ...] = (
    (Channel.SMS, gettext_lazy("Tin nhắn SMS")),
    (Channel.EMAIL, gettext_lazy("Thư điện tử")),
    (Channel.INAPP, gettext_lazy("Trên cổng dịch vụ công")),
)


def _person(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(
        request,
        "portal/inbox/not_found.html",
        {"message": error.render(), "nav": "notifications"},
        status=404,
    )


# --- the list, one notification, mark all read -----------------------------------------------


@never_cache
@login_required
@require_safe
def my_notifications(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    page = Paginator(notifications_for(person), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/inbox/list.html",
        {"page": page, "nav": "notifications"},
    )


@never_cache
@login_required
@require_safe
def my_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Opening a notification marks it read (a read receipt, not a change of anything the
    person or the agency relies on: it only moves the header's count)."""
    person = _person(request)
    try:
        notification = notification_get_for_person(person=person, notification_id=notification_id)
    except NotFound as error:
        return _not_found(request, error)
    if notification.read_at is None:
        now = clock_now()
        notification_mark_read(person=person, notification_ids=[notification.pk], now=now)
        notification.read_at = now
    return render(
        request,
        "portal/inbox/detail.html",
        {"notification": notification, "nav": "notifications"},
    )


@login_required
@require_POST
def my_notifications_read(request: HttpRequest) -> HttpResponse:
    """ "Mark all as read": every unread notification of the person, whatever the page."""
    count = notification_mark_read(person=_person(request), all=True, now=clock_now())
    if count:
        messages.success(
            request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count}
        )
    else:
        messages.info(request, _("Không có thông báo nào chưa đọc."))
    return redirect("portal:my_notifications")


# --- preferences --------------------------------------------------------------------------------


def _field_name(event: str, channel: str) -> str:
    return f"{event}-{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per (event, channel), ticked when the person receives it. Sign-in codes
    have no checkbox: they are always sent."""

    def __init__(
        self, *args: Any, preference: NotificationPreference | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for event in OPT_OUT_EVENTS:
            for channel, label in CHANNELS:
                self.fields[_field_name(event, channel)] = forms.BooleanField(
                    label=label,
                    required=False,
                    initial=preference is None or preference.allows(channel, event),
                )

    def events_off(self) -> list[tuple[str, str]]:
        return [
            (event, channel)
            for event in OPT_OUT_EVENTS
            for channel, _label in CHANNELS
            if not self.cleaned_data.get(_field_name(event, channel))
        ]

    def groups(self) -> list[dict[str, Any]]:
        """The fieldsets: an event, its hint and its channels' bound fields."""
        return [
            {
                "event": event,
                "label": Event(event).label,
                "hint": EVENT_HINTS.get(event, ""),
                "fields": [self[_field_name(event, channel)] for channel, _label in CHANNELS],
            }
            for event in OPT_OUT_EVENTS
        ]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_notification_preferences(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    preference = NotificationPreference.objects.filter(person_id=person.pk).first()
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, preference=preference)
        if form.is_valid():
            try:
                # Every channel's switch on: a column with nothing ticked is stored as off.
                preference_set(
                    person=person,
                    now=clock_now(),
                    sms=True,
                    email=True,
                    inapp=True,
                    events_off=form.events_off(),
                )
            except ValidationError as exc:
                form.add_error(None, exc.render())
            else:
                messages.success(request, _("Đã lưu lựa chọn nhận thông báo."))
                return redirect("portal:my_notification_preferences")
        status = 400
    else:
        form = PreferencesForm(preference=preference)
    return render(
        request,
        "portal/inbox/preferences.html",
        {"form": form, "person": person, "nav": "notifications"},
        status=status,
    )
