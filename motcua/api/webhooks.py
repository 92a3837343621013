"""Webhook subscriptions for integrators (docs/notifications.md, "Webhooks for integrators"):
an integrator account manages its own endpoints (webhook administrators every endpoint),
reads their delivery log, sends a signed test event and asks for a delivery again.

The secret is answered once, at creation and at each rotation; never by a read. Another
owner's endpoint is 404, as is a deleted one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.core import clock
from motcua.core.ratelimit import rate_limit_hit, rate_limit_retry_after
from motcua.notifications.models import WebhookDelivery, WebhookEndpoint
from motcua.notifications.selectors import (
    webhook_deliveries_for_endpoint,
    webhook_delivery_get,
    webhook_endpoint_get_for_actor,
    webhook_endpoints_for_actor,
)
from motcua.notifications.webhook_rules import WEBHOOK_TOPICS
from motcua.notifications.webhook_services import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_secret_rotate,
    webhook_test_send,
)

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import MESSAGES, ApiError, ErrorOut, ValidationErrorOut
from .pagination import PageQuery, paginate

router = Router(tags=["webhooks"], auth=AUTH)


class WebhookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100, description="Tên gợi nhớ.")
    url: str = Field(
        ...,
        min_length=1,
        max_length=500,
        description="Địa chỉ nhận: https, công khai (không trỏ vào mạng nội bộ).",
    )
    topics: list[str] = Field(
        ...,
        min_length=1,
        max_length=20,
        description="Chủ đề đăng ký: tên chủ đề, `dossier.*` hoặc `*` "
        "(xem `GET /webhooks/topics`).",
    )


class WebhookPatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(None, min_length=1, max_length=500)
    topics: list[str] | None = Field(None, min_length=1, max_length=20)
    active: bool | None = Field(None, description="false: tạm dừng gửi; true: gửi lại.")


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    topics: list[str]
    active: bool
    owner: str | None = Field(
        None, description="Tài khoản sở hữu; null: do quản trị viên tạo trong trang quản trị."
    )
    created_at: LocalDateTime
    updated_at: LocalDateTime | None
    secret_rotated_at: LocalDateTime | None
    previous_secret_expires_at: LocalDateTime | None = Field(
        None,
        description="Sau lần đổi khoá gần nhất, khoá cũ còn được ký kèm tới lúc này; "
        "null: không còn khoá cũ.",
    )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        ..., description="Khoá ký HMAC-SHA256: chỉ hiển thị một lần, hãy lưu lại ngay."
    )


class WebhookPageOut(Schema):
    items: list[WebhookOut]
    count: int


class WebhookRotateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    grace_hours: int | None = Field(
        None,
        description="Số giờ khoá cũ còn được ký kèm khoá mới (0: hết hiệu lực ngay; "
        "không gửi: 24 giờ, `MOTCUA_WEBHOOK_SECRET_GRACE_S`).",
    )


class WebhookSecretOut(Schema):
    id: int
    secret: str = Field(..., description="Khoá ký mới: chỉ hiển thị một lần.")
    secret_rotated_at: LocalDateTime
    previous_secret_expires_at: LocalDateTime | None = Field(
        ...,
        description="Tới lúc này mỗi lượt gửi mang cả chữ ký bằng khoá cũ (`v1=<mới>,v1=<cũ>` "
        "trong `X-Motcua-Signature`); sau đó chỉ khoá mới. null: khoá cũ hết hiệu lực ngay.",
    )


class WebhookDeliveryOut(Schema):
    id: int
    key: str = Field(
        ...,
        description="Mã lượt gửi, giống header `X-Motcua-Delivery` và `id` trong nội dung: "
        "như nhau ở mọi lần thử, dùng để loại trùng.",
    )
    topic: str
    status: str = Field(
        ..., description="sending | sent | failed (sẽ thử lại) | dead (hết lượt thử)"
    )
    attempts: int
    response_status: int | None = Field(None, description="Mã HTTP điểm nhận trả lời gần nhất.")
    last_error: str
    created_at: LocalDateTime
    last_attempt_at: LocalDateTime | None
    sent_at: LocalDateTime | None


class WebhookDeliveryPageOut(Schema):
    items: list[WebhookDeliveryOut]
    count: int


class WebhookTopicOut(Schema):
    topic: str
    description: str


class WebhookTopicsOut(Schema):
    items: list[WebhookTopicOut]
    patterns: list[str] = Field(..., description="Các mẫu được chấp nhận ngoài tên chủ đề.")


class WebhookListQuery(PageQuery):
    """The endpoints' page."""


class WebhookDeliveryQuery(PageQuery):
    """The delivery log's page."""


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "name": endpoint.name,
        "url": endpoint.url,
        "topics": endpoint.topic_list,
        "active": endpoint.active,
        "owner": endpoint.owner.username if endpoint.owner is not None else None,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
        "secret_rotated_at": endpoint.secret_rotated_at,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at,
    }


def delivery_out(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.pk,
        "key": row.delivery_key,
        "topic": row.topic,
        "status": row.status,
        "attempts": row.attempts,
        "response_status": row.response_status,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "last_attempt_at": row.last_attempt_at,
        "sent_at": row.sent_at,
    }


NOT_FOUND = {404: {"description": "`not_found`: không có, đã xoá, hoặc của tài khoản khác."}}
NOT_ALLOWED = {
    403: {
        "description": "`webhooks_not_allowed`: tài khoản không phải hệ thống tích hợp; "
        "`csrf_failed` (phiên đăng nhập)."
    }
}
READ = {400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 413: ErrorOut, 422: ValidationErrorOut}
URL_AND_TOPIC_ERRORS = (
    "`webhook_url_invalid`, `webhook_url_not_https`, `webhook_url_unresolvable`, "
    "`webhook_url_private` (địa chỉ nhận); `webhook_topic_unknown`, `webhook_topics_required` "
    "(chủ đề); `webhook_name_required`."
)


@router.get(
    "/topics",
    response={200: WebhookTopicsOut, 400: ValidationErrorOut, 401: ErrorOut},
    operation_id="webhooks_topics",
    summary="Các chủ đề đăng ký được",
    description="Chủ đề sự kiện hồ sơ một điểm nhận webhook đăng ký được, với ý nghĩa.",
)
def webhooks_topics(request: HttpRequest) -> dict[str, Any]:
    return {
        "items": [
            {"topic": topic, "description": str(text)}
            for topic, text in sorted(WEBHOOK_TOPICS.items())
        ],
        "patterns": ["dossier.*", "*"],
    }


@router.get(
    "",
    response={
        200: WebhookPageOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="webhooks_list",
    summary="Điểm nhận webhook của tôi",
    description=(
        "Các điểm nhận của tài khoản đang gọi (quản trị viên: mọi điểm nhận), mới trước, "
        "theo trang. Không kèm khoá ký."
    ),
    openapi_extra={"responses": NOT_ALLOWED},
)
def webhooks_list(request: HttpRequest, query: Query[WebhookListQuery]) -> dict[str, Any]:
    rows = webhook_endpoints_for_actor(actor=request_actor(request)).select_related("owner")
    page = paginate(rows, query)
    return {"items": [endpoint_out(e) for e in page["items"]], "count": page["count"]}


@router.post(
    "",
    response={
        201: WebhookCreatedOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
    },
    operation_id="webhooks_create",
    summary="Đăng ký điểm nhận webhook",
    description=(
        "Tạo một điểm nhận cho các chủ đề đã chọn. Khoá ký (`secret`) chỉ trả về một lần, "
        "lúc này. Mỗi sự kiện được POST có chữ ký `X-Motcua-Signature` (docs/api.md, "
        '"Webhooks"). Hệ thống tích hợp chỉ nhận sự kiện của hồ sơ mình được xem.'
    ),
    openapi_extra={
        "responses": {
            400: {"description": URL_AND_TOPIC_ERRORS},
            **NOT_ALLOWED,
            409: {"description": "`too_many_webhooks`: đã có tối đa số điểm nhận."},
        }
    },
)
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Status[dict[str, Any]]:
    endpoint = webhook_endpoint_create(
        actor=request_actor(request),
        name=payload.name,
        url=payload.url,
        topics=payload.topics,
        now=clock.now(),
    )
    return Status(201, {**endpoint_out(endpoint), "secret": endpoint.secret})


@router.get(
    "/{endpoint_id}",
    response={200: WebhookOut, **READ},
    operation_id="webhooks_get",
    summary="Một điểm nhận webhook",
    description="Điểm nhận (không kèm khoá ký).",
    openapi_extra={"responses": {**NOT_ALLOWED, **NOT_FOUND}},
)
def webhooks_get(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    return endpoint_out(
        webhook_endpoint_get_for_actor(actor=request_actor(request), endpoint_id=endpoint_id)
    )


@router.patch(
    "/{endpoint_id}",
    response={200: WebhookOut, **WRITE},
    operation_id="webhooks_update",
    summary="Sửa điểm nhận webhook",
    description="Đổi tên, địa chỉ, chủ đề, hoặc tạm dừng (`active: false`); trường không gửi "
    "giữ nguyên.",
    openapi_extra={
        "responses": {400: {"description": URL_AND_TOPIC_ERRORS}, **NOT_ALLOWED, **NOT_FOUND}
    },
)
def webhooks_update(
    request: HttpRequest, endpoint_id: int, payload: WebhookPatchIn
) -> dict[str, Any]:
    actor = request_actor(request)
    endpoint = webhook_endpoint_get_for_actor(actor=actor, endpoint_id=endpoint_id)
    updated = webhook_endpoint_update(
        actor=actor,
        endpoint=endpoint,
        now=clock.now(),
        name=payload.name,
        url=payload.url,
        topics=payload.topics,
        active=payload.active,
    )
    return endpoint_out(updated)


@router.delete(
    "/{endpoint_id}",
    response={204: None, **READ},
    operation_id="webhooks_delete",
    summary="Xoá điểm nhận webhook",
    description="Không gửi gì thêm (kể cả lượt đang chờ thử lại); nhật ký gửi được giữ lại.",
    openapi_extra={"responses": {**NOT_ALLOWED, **NOT_FOUND}},
)
def webhooks_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actor = request_actor(request)
    endpoint = webhook_endpoint_get_for_actor(actor=actor, endpoint_id=endpoint_id)
    webhook_endpoint_delete(actor=actor, endpoint=endpoint, now=clock.now())
    return HttpResponse(status=204)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response={200: WebhookSecretOut, **WRITE},
    operation_id="webhooks_rotate_secret",
    summary="Đổi khoá ký",
    description=(
        "Khoá mới ký mọi lần gửi sau (kể cả thử lại). Khoá cũ còn được ký kèm trong thời gian "
        "giữ (`grace_hours`, mặc định 24 giờ, tối đa 168; 0: hết hiệu lực ngay): trong thời "
        "gian đó `X-Motcua-Signature` có hai mục `v1=<khoá mới>,v1=<khoá cũ>` cùng một dấu "
        "thời gian; `previous_secret_expires_at` cho biết lúc khoá cũ thôi được dùng. Đổi lại "
        "trong thời gian giữ: khoá cũ hơn hết hiệu lực ngay. Khoá mới chỉ trả về một lần."
    ),
    openapi_extra={
        "responses": {
            **NOT_ALLOWED,
            **NOT_FOUND,
            400: {
                "description": "`webhook_grace_invalid`: `grace_hours` ngoài khoảng 0 đến "
                "168 (`MOTCUA_WEBHOOK_SECRET_GRACE_MAX_S`)."
            },
        }
    },
)
def webhooks_rotate_secret(
    request: HttpRequest, endpoint_id: int, payload: WebhookRotateIn | None = None
) -> dict[str, Any]:
    actor = request_actor(request)
    endpoint = webhook_endpoint_get_for_actor(actor=actor, endpoint_id=endpoint_id)
    hours = payload.grace_hours if payload is not None else None
    rotated = webhook_secret_rotate(
        actor=actor,
        endpoint=endpoint,
        now=clock.now(),
        grace=dt.timedelta(hours=hours) if hours is not None else None,
    )
    return {
        "id": rotated.pk,
        "secret": rotated.secret,
        "secret_rotated_at": rotated.secret_rotated_at,
        "previous_secret_expires_at": rotated.previous_secret_expires_at,
    }


@router.post(
    "/{endpoint_id}/test",
    response={202: WebhookDeliveryOut, **READ, 429: ErrorOut},
    operation_id="webhooks_test",
    summary="Gửi sự kiện thử",
    description=(
        "Xếp một sự kiện `webhook.test` có chữ ký vào hàng đợi gửi tới điểm nhận (cả khi đang "
        "tạm dừng), như mọi lượt gửi: ghi vào nhật ký gửi, thử lại theo lịch khi lỗi. Trả về "
        "lượt gửi (`202`, header `Location`: địa chỉ của lượt gửi): `sending` khi còn chờ, "
        "`sent` với mã HTTP khi điểm nhận đã nhận, `failed` với lỗi (sẽ thử lại)."
    ),
    openapi_extra={
        "responses": {
            **NOT_ALLOWED,
            **NOT_FOUND,
            202: {
                "description": "Đã xếp hàng; `Location`: "
                "`/api/v1/webhooks/{id}/deliveries/{delivery_id}`.",
                "headers": {
                    "Location": {
                        "description": "Địa chỉ của lượt gửi.",
                        "schema": {"type": "string"},
                    }
                },
            },
            429: {"description": "`rate_limited`: quá nhiều sự kiện thử trong một phút."},
        }
    },
)
def webhooks_test(
    request: HttpRequest, response: HttpResponse, endpoint_id: int
) -> Status[dict[str, Any]]:
    actor = request_actor(request)
    endpoint = webhook_endpoint_get_for_actor(actor=actor, endpoint_id=endpoint_id)
    if "webhook_test" in settings.MOTCUA_RATE_LIMITS and rate_limit_hit(
        name="webhook_test", key=str(actor.pk)
    ):
        raise ApiError(
            status=429,
            code="rate_limited",
            message=MESSAGES["rate_limited"],
            headers={"Retry-After": str(rate_limit_retry_after(name="webhook_test"))},
        )
    row = webhook_test_send(actor=actor, endpoint=endpoint, now=clock.now())
    row.refresh_from_db()  # delivered after the commit already when no broker is configured
    response["Location"] = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{row.pk}"
    return Status(202, delivery_out(row))


@router.get(
    "/{endpoint_id}/deliveries",
    response={200: WebhookDeliveryPageOut, **READ, 422: ValidationErrorOut},
    operation_id="webhooks_deliveries",
    summary="Nhật ký gửi của điểm nhận",
    description="Mọi lượt gửi tới điểm nhận, mới trước, theo trang: trạng thái, số lần thử, "
    "mã HTTP trả lời, lỗi gần nhất.",
    openapi_extra={"responses": {**NOT_ALLOWED, **NOT_FOUND}},
)
def webhooks_deliveries(
    request: HttpRequest, endpoint_id: int, query: Query[WebhookDeliveryQuery]
) -> dict[str, Any]:
    endpoint = webhook_endpoint_get_for_actor(actor=request_actor(request), endpoint_id=endpoint_id)
    page = paginate(webhook_deliveries_for_endpoint(endpoint=endpoint), query)
    return {"items": [delivery_out(r) for r in page["items"]], "count": page["count"]}


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    response={200: WebhookDeliveryOut, **READ},
    operation_id="webhooks_delivery_get",
    summary="Một lượt gửi",
    description="Một lượt gửi của điểm nhận (ví dụ lượt gửi thử vừa xếp hàng): trạng thái, "
    "số lần thử, mã HTTP trả lời, lỗi gần nhất.",
    openapi_extra={"responses": {**NOT_ALLOWED, **NOT_FOUND}},
)
def webhooks_delivery_get(
    request: HttpRequest, endpoint_id: int, delivery_id: int
) -> dict[str, Any]:
    endpoint = webhook_endpoint_get_for_actor(actor=request_actor(request), endpoint_id=endpoint_id)
    return delivery_out(webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id))


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response={202: WebhookDeliveryOut, **READ, 409: ErrorOut},
    operation_id="webhooks_redeliver",
    summary="Gửi lại một lượt",
    description=(
        "Gửi lại đúng nội dung và mã lượt gửi (chữ ký mới) qua hàng đợi, thử lại như mọi lượt "
        "gửi. Trả về lượt gửi: `sending` khi còn chờ, `sent` khi điểm nhận đã nhận."
    ),
    openapi_extra={
        "responses": {
            **NOT_ALLOWED,
            **NOT_FOUND,
            409: {
                "description": "`webhook_inactive`: điểm nhận đang tạm dừng; "
                "`webhook_delivery_not_redeliverable`: không còn nội dung để gửi lại."
            },
        }
    },
)
def webhooks_redeliver(
    request: HttpRequest, endpoint_id: int, delivery_id: int
) -> Status[dict[str, Any]]:
    actor = request_actor(request)
    endpoint = webhook_endpoint_get_for_actor(actor=actor, endpoint_id=endpoint_id)
    row = webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
    webhook_delivery_redeliver(actor=actor, delivery=row, now=clock.now())
    row.refresh_from_db()  # delivered after the commit already when no broker is configured
    return Status(202, delivery_out(row))
