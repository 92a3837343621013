"""The caller's in-app notifications, for the mobile app (docs/notifications.md, "The
citizen's pages"): the same list as the portal's `/my/notifications/`, and marking them read.

Reads go through `notifications_for` (the caller's own only); writes through
`notification_mark_read`, which ignores ids that are not the caller's.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, model_validator

from motcua.core import clock
from motcua.notifications.models import Event, Notification
from motcua.notifications.selectors import notification_unread_count, notifications_for
from motcua.notifications.services import notification_mark_read

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import ErrorOut, ValidationErrorOut
from .pagination import PageQuery, paginate

router = Router(tags=["notifications"], auth=AUTH)


class NotificationOut(Schema):
    id: int
    event: str = Field(
        ...,
        description="received | supplement_requested | payment_requested | payment_received | "
        "receipt_replaced | apology | result_ready | returned | refused | withdrawn.",
    )
    event_label: str = Field(..., description="Tên sự kiện, theo ngôn ngữ của yêu cầu.")
    dossier_code: str = Field(..., description="Mã hồ sơ (GET /dossiers/{code}).")
    title: str
    body: str
    created_at: LocalDateTime
    read_at: LocalDateTime | None = Field(..., description="Trống: chưa đọc.")


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int = Field(..., description="Tổng số thông báo (theo bộ lọc).")
    unread: int = Field(..., description="Số thông báo chưa đọc (tất cả).")


class NotificationListQuery(PageQuery):
    unread: bool = Field(False, description="Chỉ thông báo chưa đọc.")


class MarkReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(
        None, max_length=100, description="Mã các thông báo cần đánh dấu đã đọc (tối đa 100)."
    )
    all: bool = Field(False, description="true: mọi thông báo chưa đọc của người gọi.")

    @model_validator(mode="after")
    def _one_of(self) -> MarkReadIn:
        if self.all == (self.ids is not None):
            raise ValueError("give ids or all=true")
        return self


class MarkReadOut(Schema):
    marked: int = Field(..., description="Số thông báo vừa được đánh dấu đã đọc.")
    unread: int = Field(..., description="Số thông báo còn chưa đọc.")


def _out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "event": notification.event,
        "event_label": str(Event(notification.event).label)
        if notification.event in Event.values
        else notification.event,
        "dossier_code": notification.dossier_code,
        "title": notification.title,
        "body": notification.body,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get(
    "/me/notifications",
    response={
        200: NotificationPage,
        400: ValidationErrorOut,
        401: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="me_notifications",
    summary="Thông báo của tôi",
    description=(
        "Thông báo trên cổng của người gọi về hồ sơ của mình, mới nhất trước; `unread=true` "
        "chỉ những thông báo chưa đọc. `unread` trong kết quả: số chưa đọc (cho huy hiệu)."
    ),
)
def me_notifications(request: HttpRequest, query: Query[NotificationListQuery]) -> dict[str, Any]:
    person = request_actor(request)
    rows = notifications_for(person)
    if query.unread:
        rows = rows.filter(read_at__isnull=True)
    page = paginate(rows, query)
    return {
        "items": [_out(n) for n in page["items"]],
        "count": page["count"],
        "unread": notification_unread_count(person=person),
    }


@router.post(
    "/me/notifications/read",
    response={
        200: MarkReadOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="me_notifications_read",
    summary="Đánh dấu thông báo đã đọc",
    description=(
        '`{"ids": [1, 2]}` hoặc `{"all": true}` (đúng một trong hai, nếu không: 422). Mã '
        "không phải của người gọi bị bỏ qua; gửi lại không thay đổi gì (thời điểm đọc đầu "
        "tiên được giữ). 403 `csrf_failed` với phiên đăng nhập thiếu mã CSRF."
    ),
)
def me_notifications_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, Any]:
    person = request_actor(request)
    now = clock.now()
    if payload.all:
        marked = notification_mark_read(person=person, all=True, now=now)
    else:
        marked = notification_mark_read(person=person, notification_ids=payload.ids or [], now=now)
    return {"marked": marked, "unread": notification_unread_count(person=person)}
