"""Citizens' feedback (phản ánh, kiến nghị; docs/feedback.md), through `motcua.feedback`.

- `POST /feedback`: anyone sends a feedback, with or without an account (rate-limited per
  client address: `MOTCUA_RATE_LIMITS["feedback_submit"]`, 429 `rate_limited`). Without an
  account the answer carries `secret` once: the sender follows the feedback with it.
- `GET /feedback/{code}`: the sender (their account, or the `X-Feedback-Secret` header: a
  header, never the query string, so it stays out of logs; attempts with a secret are
  rate-limited: `["feedback_follow"]`) or staff who see it (the read is logged). A wrong
  code and a wrong secret give the same 404 `feedback_not_found`. The answer is shown to
  the sender only once published.
- `GET /feedback`: staff's list (status, unit, late), paginated.
- Attachments: `POST /feedback` as `multipart/form-data` (the fields of the JSON body as
  form fields, as for the dossiers' actions with files, `api/multipart.py`) with up to 5
  `attachments` parts (JPEG, PNG, PDF; checked by `motcua.documents` as a dossier's
  uploads). The staff member answering may attach files too (`answer_attachments`: to the
  sender once the answer is published). `GET /feedback/{code}/attachments/{file_id}`
  downloads one: the sender (as above; an answer's once published) or staff who see the
  feedback (logged).
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import NotFound, PermissionDenied, ValidationError
from motcua.core.ratelimit import client_ip, rate_limit_hit, rate_limit_retry_after
from motcua.feedback.models import (
    Feedback,
    FeedbackAttachment,
    FeedbackAttachmentPart,
    FeedbackCategory,
    FeedbackStatus,
)
from motcua.feedback.selectors import (
    feedback_attachment_get_for_actor,
    feedback_attachment_get_for_sender,
    feedback_code_normalise,
    feedback_filter,
    feedback_for_actor,
    feedback_get_for_actor,
    feedback_get_for_sender,
    feedback_reads_log,
    feedback_staff_may_use,
    feedback_staff_units,
)
from motcua.feedback.services import attachment_limits, feedback_submit
from motcua.organisation.models import Unit
from motcua.web.downloads import stored_file_response

from .auth import AUTH, request_actor, session_auth, token_auth
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, ApiError, ErrorOut, ValidationErrorOut
from .files import STORED_FILE_CONTENT
from .multipart import is_multipart
from .pagination import PageQuery, paginate

router = Router(tags=["feedback"])
SECRET_HEADER = "X-Feedback-Secret"  # noqa: S105 (a header name)
#: The sender's secret, for the operations that a sender without an account may call.
SECRET_PARAMETER = {
    "name": SECRET_HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "Mã bí mật nhận khi gửi (không cần khi đã đăng nhập).",
}
MESSAGES = {
    "rate_limited": _("Quá nhiều lần gửi hoặc tra cứu. Vui lòng thử lại sau %(minutes)s phút."),
    "forbidden": _("Chỉ cán bộ được xem danh sách phản ánh."),
}


class _Anonymous:
    """The caller of a public operation who sent no credentials (truthy: ninja's auth)."""

    def __bool__(self) -> bool:
        return True


ANONYMOUS = _Anonymous()


def anonymous_allowed(request: HttpRequest) -> _Anonymous:
    return ANONYMOUS


#: A token or a session when sent (a bad token is still 401), otherwise anonymous.
OPTIONAL_AUTH = [token_auth, session_auth, anonymous_allowed]
#: ninja lists the token and the session; `{}` adds "or none" (OpenAPI optional security).
OPTIONAL_SECURITY: list[dict[str, list[str]]] = [{}]


def _caller(request: HttpRequest) -> User | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


def _limited(request: HttpRequest, scope: str) -> None:
    if rate_limit_hit(name=scope, key=client_ip(request)):
        wait = rate_limit_retry_after(name=scope)
        raise ApiError(
            status=429,
            code="rate_limited",
            message=str(MESSAGES["rate_limited"]) % {"minutes": max(1, -(-wait // 60))},
            headers={"Retry-After": str(wait)},
        )


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(..., max_length=200, description="Tiêu đề.")
    body: str = Field(..., max_length=5000, description="Nội dung phản ánh, kiến nghị.")
    sender_name: str = Field(
        "", max_length=200, description="Họ và tên; mặc định là tên tài khoản khi đăng nhập."
    )
    sender_phone: str = Field(
        "",
        max_length=20,
        description="Số điện thoại: bắt buộc khi không đăng nhập (để báo khi có trả lời).",
    )
    sender_email: str = Field("", max_length=254)
    dossier_code: str = Field("", max_length=40, description="Mã hồ sơ liên quan (nếu có).")
    place: str = Field("", max_length=30, description="Mã đơn vị nơi xảy ra (phường, xã...).")
    category: str = Field(
        "",
        max_length=20,
        description="Lĩnh vực (nếu người gửi biết): "
        + ", ".join(f"`{v}`" for v in FeedbackCategory.values),
    )
    public_consent: bool = Field(
        False, description="Đồng ý công khai nội dung và trả lời (không kèm tên, liên hệ)."
    )


ATTACHMENTS_FIELD = "attachments"


class AttachmentOut(Schema):
    id: int = Field(..., description="Mã tệp: `GET /feedback/{code}/attachments/{id}` để tải về.")
    name: str = Field(..., description="Tên tệp gốc (đã bỏ đường dẫn, ký tự điều khiển).")
    content_type: str = Field(..., description="Nhận biết từ nội dung tệp: PDF, JPEG hoặc PNG.")
    size: int = Field(..., description="Kích thước (byte).")
    sha256: str
    pages: int = Field(..., description="Số trang (ảnh: 1).")


class UnitRefOut(Schema):
    code: str
    name: str


class SenderOut(Schema):
    name: str
    phone: str
    email: str


class FeedbackOut(Schema):
    code: str = Field(..., description="Mã phản ánh: `PA-2026-000123`.")
    status: str = Field(..., description=", ".join(FeedbackStatus.values))
    status_label: str
    category: str
    category_label: str
    subject: str
    body: str
    dossier_code: str
    place: UnitRefOut | None
    unit: UnitRefOut | None = Field(..., description="Đơn vị xử lý (khi đã phân loại).")
    received_at: LocalDateTime
    due_at: LocalDateTime = Field(..., description="Hạn trả lời (ngày làm việc).")
    late: bool = Field(..., description="Quá hạn mà chưa trả lời, hoặc trả lời sau hạn.")
    answer: str | None = Field(
        ..., description="Trả lời: với người gửi chỉ khi đã công bố; với cán bộ luôn có."
    )
    answered_at: LocalDateTime | None
    published_at: LocalDateTime | None
    closed_reason: str = Field(..., description="Lý do không xử lý hoặc trùng.")
    sender: SenderOut | None = Field(None, description="Người gửi: chỉ cán bộ thấy.")
    attachments: list[AttachmentOut] = Field(
        ..., description="Ảnh, tài liệu người gửi đính kèm, theo thứ tự gửi."
    )
    answer_attachments: list[AttachmentOut] = Field(
        ...,
        description="Ảnh, tài liệu cán bộ đính kèm câu trả lời: với người gửi chỉ khi đã công "
        "bố; với cán bộ luôn có. Tải về như tệp của người gửi.",
    )


class SubmittedOut(FeedbackOut):
    secret: str = Field(
        ...,
        description="Mã bí mật để theo dõi phản ánh không cần tài khoản (chỉ trả về một lần; "
        f"gửi lại ở header `{SECRET_HEADER}`); chuỗi rỗng khi đã đăng nhập.",
    )


class FeedbackPageOut(Schema):
    items: list[FeedbackOut]
    count: int


def _unit_ref(unit: Unit | None) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def feedback_out(feedback: Feedback, *, staff: bool) -> dict[str, Any]:
    shown = staff or feedback.status == FeedbackStatus.PUBLISHED
    files = list(feedback.attachments.all())
    return {
        "code": feedback.code,
        "status": feedback.status,
        "status_label": str(feedback.get_status_display()),
        "category": feedback.category,
        "category_label": str(feedback.get_category_display()) if feedback.category else "",
        "subject": feedback.subject,
        "body": feedback.body,
        "dossier_code": feedback.dossier_code,
        "place": _unit_ref(feedback.place),
        "unit": _unit_ref(feedback.unit),
        "received_at": feedback.received_at,
        "due_at": feedback.due_at,
        "late": feedback.is_late(clock.now()),
        "answer": (feedback.answer or None) if shown else None,
        "answered_at": feedback.answered_at if shown else None,
        "published_at": feedback.published_at,
        "closed_reason": feedback.closed_reason,
        "sender": (
            {
                "name": feedback.sender_name,
                "phone": feedback.sender_phone,
                "email": feedback.sender_email,
            }
            if staff
            else None
        ),
        "attachments": _files_out(files, FeedbackAttachmentPart.FEEDBACK),
        "answer_attachments": _files_out(files, FeedbackAttachmentPart.ANSWER) if shown else [],
    }


def _files_out(files: list[FeedbackAttachment], part: str) -> list[dict[str, Any]]:
    return [
        {
            "id": a.file.pk,
            "name": a.file.name,
            "content_type": a.file.content_type,
            "size": a.file.size,
            "sha256": a.file.sha256,
            "pages": a.file.pages,
        }
        for a in sorted(files, key=lambda a: a.position)
        if a.part == part
    ]


def _place(code: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise ValidationError(
            _("Không có đơn vị mã %(unit)s."),
            code="unknown_unit",
            unit=code,
            errors=[
                {
                    "field": "place",
                    "code": "unknown_unit",
                    "message": str(_("Không có đơn vị mã %(unit)s.")) % {"unit": code},
                }
            ],
        )
    return unit


def _attachments(request: HttpRequest) -> list[Any]:
    """The files of a multipart submission, in the order sent; a file part under any other
    name is refused (`invalid`, `extra_forbidden`), as for the dossiers' actions."""
    if not is_multipart(request):
        return []
    unknown = sorted(key for key in request.FILES if key != ATTACHMENTS_FIELD)
    if unknown:
        message = _("Tệp phải được gửi dưới tên attachments.")
        raise ValidationError(
            message,
            code="invalid",
            errors=[
                {"field": key, "code": "extra_forbidden", "message": str(message)}
                for key in unknown
            ],
        )
    return list(request.FILES.getlist(ATTACHMENTS_FIELD))


_LIMITS = attachment_limits()
_MULTIPART_SCHEMA = {
    "type": "object",
    "required": ["subject", "body"],
    "properties": {
        **{
            name: {k: v for k, v in prop.items() if k != "title"}
            for name, prop in FeedbackIn.model_json_schema()["properties"].items()
        },
        ATTACHMENTS_FIELD: {
            "type": "array",
            "maxItems": _LIMITS["max_files"],
            "items": {"type": "string", "format": "binary"},
            "description": "Ảnh JPEG, PNG hoặc PDF (lặp lại phần `attachments`, tối đa "
            f"{_LIMITS['max_files']} tệp, mỗi tệp tối đa {_LIMITS['max_bytes'] // 2**20} MB).",
        },
    },
}


@router.post(
    "",
    auth=OPTIONAL_AUTH,
    response={
        201: SubmittedOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    operation_id="feedback_create",
    summary="Gửi phản ánh, kiến nghị",
    description=(
        "Không cần đăng nhập. Tiêu đề, nội dung, họ tên và số điện thoại (khi không đăng "
        "nhập), mã hồ sơ liên quan, nơi xảy ra (mã đơn vị), đồng ý công khai. Hạn trả lời: "
        "10 ngày làm việc (cấu hình được). Không đăng nhập: `secret` trả về một lần để theo "
        "dõi (`GET /feedback/{code}` với header `X-Feedback-Secret`). Giới hạn số lần gửi "
        "theo địa chỉ (429 `rate_limited`).\n\n"
        "**Kèm ảnh, tài liệu**: gửi `multipart/form-data` thay cho JSON, các trường như trên "
        "là trường của form và mỗi tệp là một phần `attachments` (tối đa 5; JPEG, PNG, PDF "
        "nhận biết từ nội dung; mỗi tệp tối đa 10 MB, tổng cộng tối đa "
        '`MOTCUA_FEEDBACK_ATTACHMENTS["total_bytes"]`, 20 MB). Một tệp bị từ chối thì '
        "không lưu gì."
    ),
    openapi_extra={
        "security": OPTIONAL_SECURITY,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackIn"}},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            },
        },
        "responses": {
            201: {"description": "Đã tiếp nhận: mã phản ánh, hạn trả lời, mã bí mật."},
            400: {
                "description": "`invalid`: `errors` với `required`, `too_long`, "
                "`phone_format`, `email_format`, `dossier_code_format`, `invalid_category`; "
                "`unknown_unit`: không có đơn vị `place`. Tệp đính kèm (trường "
                "`attachments`, thông báo nêu tên tệp): `too_many_files`, "
                "`attachments_too_large`, `file_type_not_allowed`, `file_too_large`, "
                "`file_empty`, `pdf_encrypted`, `pdf_broken`, `image_broken`, "
                "`image_too_large`, `file_infected`; `extra_forbidden`: phần tệp không mang tên "
                "`attachments`."
            },
            413: {
                "description": "`payload_too_large`: thân yêu cầu quá lớn (JSON: 1 MiB; "
                "multipart: tổng dung lượng tệp cho phép và phần bao)."
            },
            429: {"description": "`rate_limited`: quá nhiều lần gửi từ địa chỉ này."},
            503: {"description": "`antivirus_unavailable`: bật quét virus nhưng không quét được."},
        },
    },
)
def feedback_create(request: HttpRequest, payload: FeedbackIn) -> Status[dict[str, Any]]:
    sender = _caller(request)
    files = _attachments(request)
    _limited(request, "feedback_submit")
    name = payload.sender_name or (sender.display_name if sender is not None else "")
    phone = payload.sender_phone or (sender.phone if sender is not None else "")
    submitted = feedback_submit(
        subject=payload.subject,
        body=payload.body,
        sender_name=name,
        sender=sender,
        sender_phone=phone,
        sender_email=payload.sender_email or (sender.email if sender is not None else ""),
        dossier_code=payload.dossier_code,
        place=_place(payload.place),
        category=payload.category,
        public_consent=payload.public_consent,
        channel="api",
        attachments=files,
        now=clock.now(),
    )
    body = feedback_out(submitted.feedback, staff=False)
    return Status(201, {**body, "secret": submitted.secret})


@router.get(
    "/{code}",
    auth=OPTIONAL_AUTH,
    response={
        200: FeedbackOut,
        400: ValidationErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        429: ErrorOut,
    },
    operation_id="feedback_get",
    summary="Theo dõi một phản ánh",
    description=(
        "Người gửi (tài khoản đã gửi, hoặc mã bí mật ở header `X-Feedback-Secret`) hoặc cán "
        "bộ được xem phản ánh (việc xem thông tin người gửi được ghi nhật ký): trạng thái, "
        "hạn trả lời, trả lời khi đã công bố. Mã sai và mã bí mật sai cho cùng một câu trả "
        "lời 404 `feedback_not_found`; tra cứu bằng mã bí mật bị giới hạn số lần (429)."
    ),
    openapi_extra={
        "security": OPTIONAL_SECURITY,
        "parameters": [SECRET_PARAMETER],
        "responses": {
            404: {"description": "`feedback_not_found`: không có phản ánh với mã và mã bí mật."},
            429: {"description": "`rate_limited`: quá nhiều lần tra cứu từ địa chỉ này."},
        },
    },
)
def feedback_get(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _caller(request)
    canonical = feedback_code_normalise(code[:40]) or code[:40]
    now = clock.now()
    if actor is not None:
        try:
            return feedback_out(feedback_get_for_sender(code=canonical, person=actor), staff=False)
        except NotFound:
            pass
        try:
            found = feedback_get_for_actor(actor=actor, code=canonical, now=now, channel="api")
        except NotFound:
            pass
        else:
            return feedback_out(found, staff=True)
    secret = request.headers.get(SECRET_HEADER, "")[:40]
    if secret:
        _limited(request, "feedback_follow")
    return feedback_out(feedback_get_for_sender(code=canonical, secret=secret), staff=False)


@router.get(
    "/{code}/attachments/{file_id}",
    auth=OPTIONAL_AUTH,
    response={200: None, 400: ValidationErrorOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    operation_id="feedback_attachment_download",
    summary="Tải tệp đính kèm của phản ánh",
    description=(
        "Nội dung tệp (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`). "
        "Người gửi (tài khoản, hoặc mã bí mật ở header `X-Feedback-Secret`) hoặc cán bộ được "
        "xem phản ánh; mỗi lần cán bộ tải được ghi nhật ký truy cập dữ liệu cá nhân. Tệp kèm "
        "câu trả lời (`answer_attachments`): người gửi tải được khi câu trả lời đã công bố. "
        "Tệp của phản ánh khác, mã sai, mã bí mật sai: 404."
    ),
    openapi_extra={
        "security": OPTIONAL_SECURITY,
        "parameters": [SECRET_PARAMETER],
        "responses": {
            200: {
                "description": "Nội dung tệp.",
                "content": STORED_FILE_CONTENT,
            },
            404: {"description": "`feedback_not_found` hoặc `not_found`: không thấy tệp."},
            429: {"description": "`rate_limited`: quá nhiều lần tra cứu từ địa chỉ này."},
        },
    },
)
def feedback_attachment_download(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    actor = _caller(request)
    canonical = feedback_code_normalise(code[:40]) or code[:40]
    if actor is not None:
        try:
            own = feedback_attachment_get_for_sender(code=canonical, file_id=file_id, person=actor)
        except NotFound:
            pass
        else:
            return stored_file_response(own.file)
        try:
            found = feedback_attachment_get_for_actor(
                actor=actor, code=canonical, file_id=file_id, now=clock.now(), channel="api"
            )
        except NotFound:
            pass
        else:
            return stored_file_response(found.file)
    secret = request.headers.get(SECRET_HEADER, "")[:40]
    if secret:
        _limited(request, "feedback_follow")
    attachment = feedback_attachment_get_for_sender(code=canonical, file_id=file_id, secret=secret)
    return stored_file_response(attachment.file)


class FeedbackListQuery(PageQuery):
    status: str | None = Field(
        None,
        max_length=20,
        description="`open` (chưa công bố, chưa đóng) hoặc một trạng thái: "
        + ", ".join(FeedbackStatus.values),
    )
    unit: str | None = Field(None, max_length=30, description="Mã đơn vị xử lý.")
    late: bool = Field(False, description="Chỉ những phản ánh quá hạn chưa trả lời.")


@router.get(
    "",
    auth=AUTH,
    response={200: FeedbackPageOut, **READ_ERRORS, 403: ErrorOut, 422: ValidationErrorOut},
    operation_id="feedback_list",
    summary="Danh sách phản ánh (cán bộ)",
    description=(
        "Phản ánh người gọi được xem: của đơn vị mình (tiếp nhận hoặc được giao), người giám "
        "sát thấy các đơn vị mình giám sát. Hạn gần nhất trước. Lọc theo trạng thái, đơn vị, "
        "quá hạn. Không phải cán bộ: 403 `forbidden`."
    ),
    openapi_extra={
        "responses": {
            400: {"description": "`invalid_status`: trạng thái không có."},
            403: {"description": "`forbidden`: người gọi không phải cán bộ xử lý phản ánh."},
            404: {"description": "`not_found`: không có đơn vị `unit`."},
        }
    },
)
def feedback_list(request: HttpRequest, query: Query[FeedbackListQuery]) -> dict[str, Any]:
    actor = request_actor(request)
    units = feedback_staff_units(actor=actor)
    if not feedback_staff_may_use(actor=actor, units=units):
        raise PermissionDenied(MESSAGES["forbidden"], code="forbidden")
    status = query.status or ""
    if status and status != "open" and status not in FeedbackStatus.values:
        raise ValidationError(
            _("Trạng thái không có."),
            code="invalid_status",
            errors=[
                {
                    "field": "status",
                    "code": "invalid_status",
                    "message": str(_("Trạng thái không có.")),
                }
            ],
        )
    unit = None
    if query.unit:
        unit = Unit.objects.filter(code=query.unit).first()
        if unit is None:
            raise NotFound(_("Không tìm thấy đơn vị %(unit)s."), unit=query.unit)
    now = clock.now()
    rows = feedback_filter(
        feedback_for_actor(actor=actor, units=units).prefetch_related("attachments__file"),
        now=now,
        status=status,
        unit=unit,
        late=query.late,
    )
    page = paginate(rows, query)
    feedback_reads_log(actor=actor, feedback=page["items"], now=now, channel="api")
    return {
        "items": [feedback_out(f, staff=True) for f in page["items"]],
        "count": page["count"],
    }
