"""Lifecycle actions on a dossier: what the caller may do now, and doing it.

The same path the staff workspace and the citizen portal use: `dossier_actions_for` answers
what the actor may do (from the lifecycle table, `motcua.dossiers.lifecycle.TRANSITIONS`)
and `dossier_act` takes an action by name with plain values. This module only parses the
request and renders the answer; every rule lives in `motcua.dossiers`.

Mounted under `/dossiers` next to `dossiers.router` (see `main.py`).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AwareDatetime, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    dossier_actions_for,
    dossier_list_for_actor,
    log_personal_data_read,
)
from motcua.dossiers.services.act import dossier_act, transition_get

from .auth import AUTH, request_actor
from .dossiers import DossierOut
from .errors import READ_ERRORS, WRITE_ERRORS, ErrorOut
from .idempotency import idempotent_call, request_fingerprint
from .multipart import files_fingerprint, is_multipart, multipart_files
from .parser import GuardedJsonParser, InputRefused

router = Router(tags=["dossiers"], auth=AUTH)

OPERATION = "dossiers_act"


# --- output -----------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: int | str = Field(
        ..., description="Giá trị gửi lên: mã người dùng, mã đơn vị, mã kết quả, mã giấy tờ."
    )
    label: str


class ActionFieldOut(Schema):
    name: str = Field(..., description="Tên trường trong thân yêu cầu POST.")
    kind: str = Field(
        ...,
        description="text | user (mã người dùng) | unit (mã đơn vị) | choice | datetime "
        "(ISO 8601 có múi giờ) | money (số nguyên, đồng) | items ([{component, reason, "
        "form}]) | object (JSON) | files (multipart: `files[<mã thành phần>]`, một tệp cho "
        "mỗi thành phần trong `choices`).",
    )
    label: str
    required: bool
    choices: list[ChoiceOut] | None = Field(
        ...,
        description="Các giá trị được chấp nhận (người nhận, đơn vị nhận, kết quả); với `items` "
        "là các thành phần hồ sơ (được nhập nội dung khác); null khi nhập tự do.",
    )


class ActionOut(Schema):
    action: str = Field(..., description="Tên thao tác: POST .../actions/{action}.")
    label: str
    role: str = Field(..., description="Vai trò người gọi thực hiện thao tác này.")
    form: str | None = Field(..., description="Mẫu văn bản được ban hành (01–06), nếu có.")
    reason_required: bool
    fields: list[ActionFieldOut]


class ActionListOut(Schema):
    version: int = Field(
        ..., description="Phiên bản dữ liệu của hồ sơ: gửi làm `expected_version`."
    )
    items: list[ActionOut]


# --- input ------------------------------------------------------------------------------


class SupplementItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    component: str = Field("", max_length=300, description="Mã thành phần hồ sơ hoặc nội dung.")
    reason: str = Field("", max_length=1000, description="Lý do cần bổ sung.")
    form: str | None = Field(
        None,
        max_length=30,
        description="Hình thức giấy tờ yêu cầu (original, copy, certified_copy...). "
        "`certified_copy` chỉ với thành phần mà thủ tục cho phép yêu cầu bản sao chứng thực, "
        "nếu không: 400 `certified_copy_not_required` (cũng vậy khi lý do đòi bản sao chứng "
        "thực).",
    )


class ActionIn(Schema):
    """The body of every action: `expected_version` and the action's fields (those listed by
    `GET .../actions`). A field the action does not take is a 400 `invalid` field error."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int = Field(
        ..., ge=1, description="Phiên bản hồ sơ người gọi đang xem (`version`)."
    )
    reason: str | None = Field(
        None, max_length=2000, description="Lý do / ghi chú (bắt buộc khi `reason_required`)."
    )
    to_user: int | None = Field(None, description="forward: người nhận bước tiếp theo.")
    to_unit: str | None = Field(
        None,
        min_length=1,
        max_length=30,
        description="transfer: mã đơn vị nhận; consult: mã đơn vị được xin ý kiến.",
    )
    answer_by: AwareDatetime | None = Field(
        None, description="consult: hạn trả lời (ISO 8601 có múi giờ)."
    )
    outcome: Literal["granted", "refused"] | None = Field(
        None, description="issue_result: granted (mặc định) | refused (cần `reason`)."
    )
    items: list[SupplementItemIn] | None = Field(
        None, description="request_supplement: danh sách giấy tờ, thông tin cần bổ sung."
    )
    amount_vnd: int | None = Field(
        None,
        description="request_payment: số tiền (đồng) khi mức thu thay đổi theo trường hợp; "
        "bỏ trống thì tính theo các khoản thu sau của thủ tục (`amount_required` nếu không có).",
    )
    fee_name: str | None = Field(
        None, max_length=300, description="request_payment: tên khoản thu của `amount_vnd`."
    )
    new_appointment_at: AwareDatetime | None = Field(
        None, description="apologize: ngày hẹn mới (ISO 8601 có múi giờ)."
    )
    form_data: dict[str, Any] | None = Field(
        None, description="supplement: dữ liệu tờ khai bổ sung."
    )
    delivery: Literal["counter", "post", "online"] | None = Field(
        None,
        description="return_result: counter (mặc định, tại quầy) | post (bưu chính, cần "
        "`tracking_number`) | online (vào kho dữ liệu của người nộp).",
    )
    collected_by: str | None = Field(
        None, max_length=200, description="return_result tại quầy: người nhận kết quả."
    )
    collected_id_number: str | None = Field(
        None, max_length=20, description="return_result tại quầy: số định danh người nhận."
    )
    tracking_number: str | None = Field(
        None, max_length=50, description="return_result qua bưu chính: số hiệu bưu gửi."
    )


# --- operations -------------------------------------------------------------------------

_ACTION_NAMES = ", ".join(f"`{name}`" for name in TRANSITIONS)

_POST_RESPONSES = {
    200: {"description": "Đã thực hiện: hồ sơ như `GET /dossiers/{code}` trả về."},
    400: {
        "description": "`invalid`: trường không thuộc thao tác, thiếu trường bắt buộc, giá trị "
        "không dùng được (người nhận, đơn vị không tồn tại...) — kèm `errors`; hoặc dịch vụ từ "
        "chối dữ liệu (`required` thiếu lý do, `items_required`, `items_invalid`, "
        "`invalid_assignee`, `same_unit`, `new_date_not_later`, `certified_copy_not_required`, "
        "`component_not_requested`, `components_missing`, `tracking_number_required`, "
        "`answer_by_invalid`, `amount_required`, `already_charged`, `nothing_to_pay`, "
        "lỗi kiểm tra tệp như `file_type_not_allowed`...)."
    },
    401: {"description": "`unauthenticated`: thiếu hoặc sai khoá API / phiên đăng nhập."},
    403: {
        "description": "`forbidden`: người gọi thấy hồ sơ nhưng không có vai trò thực hiện "
        "thao tác này (ở trạng thái hiện tại); `csrf_failed` với phiên đăng nhập."
    },
    404: {
        "description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem hồ sơ; "
        "`unknown_action`: không có thao tác này."
    },
    409: {
        "description": "`conflict`: `expected_version` đã cũ (hồ sơ vừa được cập nhật — tải "
        "lại); thao tác không thực hiện được ở trạng thái hiện tại: `illegal_transition`, "
        "`already_received`, `result_issued`, `closed`, `last_step`, `first_step`, "
        "`consultation_open`, `no_consultation`, "
        "`steps_remaining`, "
        "`supplement_once`, `apology_once`, `appointment_passed`, `apology_too_late`."
    },
    422: {
        "description": "`invalid`: thân yêu cầu không đúng lược đồ (thiếu `expected_version`, "
        "sai kiểu, trường lạ) — kèm `errors`; `idempotency_key_reused`."
    },
}


@router.get(
    "/{code}/actions",
    response={200: ActionListOut, **READ_ERRORS},
    operation_id="dossiers_actions",
    summary="Thao tác được thực hiện",
    description=(
        "Các thao tác người gọi được thực hiện trên hồ sơ lúc này (theo vai trò, trạng thái "
        "và các điều kiện của quy trình), mỗi thao tác với các trường và, với trường lựa "
        "chọn, các giá trị được chấp nhận; nhãn theo `Accept-Language`. Đúng những thao tác "
        "này được `POST /dossiers/{code}/actions/{action}` chấp nhận. Danh sách rỗng: "
        "không có việc gì để làm. 404 với hồ sơ người gọi không được xem."
    ),
    openapi_extra={
        "responses": {
            200: {"description": "Phiên bản hồ sơ và các thao tác được thực hiện lúc này."},
            401: _POST_RESPONSES[401],
            404: {"description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem."},
        }
    },
)
def dossiers_actions(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = request_actor(request)
    dossier = _visible(actor=actor, code=code)  # no personal data shown: no read logged
    version = dossier.version  # read first: a later change makes the POST a 409, never wrong
    return {
        "version": version,
        "items": dossier_actions_for(actor=actor, dossier=dossier, now=clock.now()),
    }


_ISSUE_RESPONSES = {
    **_POST_RESPONSES,
    200: {"description": "Đã ban hành: hồ sơ như `GET /dossiers/{code}` trả về."},
    400: {
        "description": _POST_RESPONSES[400]["description"]
        + " Tệp kết quả bị từ chối: `file_type_not_allowed` (không phải PDF), "
        "`file_too_large`, `file_empty`, `pdf_encrypted`, `pdf_broken`, `file_infected`; "
        "không ký được: `signer_unreadable`, `signer_backend_unknown`."
    },
    404: {
        "description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem hồ sơ; "
        "`no_signer`: đơn vị giải quyết chưa có chứng thư ký số (không thay đổi gì)."
    },
    413: {"description": "`payload_too_large`: thân yêu cầu vượt `MOTCUA_API_UPLOAD_MAX_BYTES`."},
    503: {"description": "`antivirus_unavailable`: bật quét virus nhưng ClamAV không trả lời."},
}

_FORM_SCHEMA = {
    "type": "object",
    "required": ["expected_version"],
    "properties": {
        "expected_version": {"type": "integer", "minimum": 1},
        "outcome": {"type": "string", "enum": ["granted", "refused"]},
        "reason": {"type": "string", "maxLength": 2000},
        "file": {
            "type": "string",
            "format": "binary",
            "description": "Văn bản kết quả (PDF) của cán bộ; không gửi: motcua tự tạo.",
        },
    },
}


@router.post(
    "/{code}/actions/issue_result",
    response={200: DossierOut, **WRITE_ERRORS, 404: ErrorOut, 503: ErrorOut},
    operation_id="dossiers_issue_result",
    summary="Ban hành kết quả (ký số)",
    description=(
        "Ban hành kết quả giải quyết (`issue_result`), như `POST .../actions/{action}`, và "
        "đính kèm kết quả **được đơn vị giải quyết ký số**, có mã kiểm tra công khai "
        "(`/verify/{mã}`), là tệp loại `result` của hồ sơ (`GET /dossiers/{code}/files`); kết "
        "quả bằng giấy có thêm bản điện tử (`result_copy`).\n\n"
        "Thân JSON (`expected_version`, `outcome`, `reason`): motcua tự tạo văn bản kết quả "
        "từ hồ sơ. Thân `multipart/form-data` với `file` (PDF của cán bộ) và các trường như "
        "trên: tệp được kiểm tra như mọi tệp rồi được ký. Không ký được thì hồ sơ giữ "
        "nguyên. `Idempotency-Key` như các thao tác khác."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ActionIn"}},
                "multipart/form-data": {"schema": _FORM_SCHEMA},
            },
        },
        "responses": _ISSUE_RESPONSES,
    },
)
def dossiers_issue_result(
    request: HttpRequest,
    code: str,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Khoá do máy khách sinh (vd UUID), duy nhất cho mỗi thao tác.",
    ),
) -> HttpResponse:
    request_actor(request)  # 401 before the body is looked at
    upload = None
    sha256 = ""
    if (request.content_type or "").startswith("multipart/"):
        fields: dict[str, Any] = {
            name: request.POST.get(name)
            for name in ("expected_version", "outcome", "reason")
            if request.POST.get(name) not in (None, "")
        }
        extra = sorted(set(request.POST) - {"expected_version", "outcome", "reason"})
        fields.update({name: request.POST.get(name) for name in extra})
        upload = request.FILES.get("file")
        if upload is not None:
            sha256 = upload_sha256(upload)
    else:
        try:
            fields = GuardedJsonParser().parse_body(request)
        except (InputRefused, ValueError) as exc:
            raise HttpError(400, "unreadable body") from exc
    payload = _payload(fields)
    return _act(
        request,
        code=code,
        action="issue_result",
        payload=payload,
        idempotency_key=idempotency_key,
        upload=upload,
        upload_sha256=sha256,
    )


def _payload(fields: Any) -> ActionIn:
    """The action's body as the JSON operations read it, errors as their 422."""
    try:
        return ActionIn.model_validate(fields)
    except PydanticValidationError as exc:
        errors = [
            {"loc": ("body", "payload", *err["loc"]), "type": err["type"], "msg": err["msg"]}
            for err in exc.errors(include_url=False)
        ]
        raise NinjaValidationError(errors) from exc


def upload_sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@router.post(
    "/{code}/actions/{action}",
    response={200: DossierOut, **WRITE_ERRORS, 404: ErrorOut},
    operation_id="dossiers_act",
    summary="Thực hiện thao tác",
    description=(
        "Thực hiện một thao tác của quy trình trên hồ sơ: "
        f"{_ACTION_NAMES}. Thân yêu cầu: `expected_version` (phiên bản đang xem, bắt buộc) "
        "và các trường của thao tác như `GET .../actions` liệt kê (`reason` là lý do / ghi "
        "chú của mọi thao tác). Trả về hồ sơ sau thao tác, như `GET /dossiers/{code}`.\n\n"
        "`expected_version` đã cũ: 409 `conflict`, không thay đổi gì. Gửi kèm "
        "`Idempotency-Key` để gửi lại an toàn khi mất kết nối: cùng khoá, cùng nội dung trả "
        "lại đúng phản hồi lần đầu (thay vì 409 `conflict`); cùng khoá, khác nội dung: 422 "
        "`idempotency_key_reused`.\n\n"
        "**`supplement` kèm tệp** (`multipart/form-data`, thay cho JSON): các trường thường là "
        "trường cùng tên (`expected_version`, `reason`; `form_data` là chuỗi JSON); mỗi tệp là "
        "một phần tên `files[<mã thành phần>]`, lặp lại cho các trang ảnh chụp của cùng một "
        "thành phần (JPEG/PNG, ghép thành một PDF theo thứ tự gửi). Phải có tệp cho đúng các "
        "thành phần được yêu cầu bổ sung (`GET .../actions` liệt kê ở trường `files`): tệp "
        "của thành phần không được yêu cầu: 400 `component_not_requested`; thiếu thành phần: "
        "400 `components_missing` (liệt kê trong `errors`); mọi tệp được kiểm tra trước khi "
        "lưu, lỗi một tệp thì không lưu gì và hồ sơ không đổi. Dung lượng tối đa cả yêu cầu: "
        "`MOTCUA_API_UPLOAD_MAX_BYTES`."
    ),
    openapi_extra={"responses": _POST_RESPONSES},
)
def dossiers_act(
    request: HttpRequest,
    code: str,
    action: str,
    payload: ActionIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Khoá do máy khách sinh (vd UUID), duy nhất cho mỗi thao tác.",
    ),
) -> HttpResponse:
    return _act(request, code=code, action=action, payload=payload, idempotency_key=idempotency_key)


def _act(
    request: HttpRequest,
    *,
    code: str,
    action: str,
    payload: ActionIn,
    idempotency_key: str | None,
    upload: Any | None = None,
    upload_sha256: str = "",
) -> HttpResponse:
    actor = request_actor(request)
    now = clock.now()
    transition_get(action)  # an unknown action is 404 `unknown_action`, whatever the dossier
    body = payload.model_dump(mode="json")
    values = {
        name: value
        for name, value in body.items()
        if name != "expected_version" and value is not None
    }
    # `files[<component>]` parts answer a supplement; issue_result's one `file` is `upload`.
    by_component = is_multipart(request) and action != "issue_result"
    files = multipart_files(request) if by_component else {}
    if files:
        values["files"] = files
    dossier = _visible(actor=actor, code=code)
    fingerprint_body: dict[str, Any] = {"code": code, "action": action, "body": body}
    if upload is not None:
        fingerprint_body["file_sha256"] = upload_sha256

    def perform() -> tuple[int, dict[str, Any]]:
        changed = dossier_act(
            action=action,
            dossier=dossier,
            actor=actor,
            now=now,
            expected_version=payload.expected_version,
            values=values,
            upload=upload,
        )
        # The answer shows the dossier: a staff read of personal data, logged (Law 91/2025)
        # when it is given, not for a refused action.
        log_personal_data_read(actor=actor, dossier=changed, now=now, channel="api")
        if changed.procedure_version_id == dossier.procedure_version_id:
            # Render with the version (and its procedure) the access read already loaded:
            # an action never changes it, and it saves the rendering a query.
            changed.procedure_version = dossier.procedure_version
        return 200, DossierOut.from_orm(changed).model_dump(mode="json")

    status, result, replayed = idempotent_call(
        principal=actor,
        key=idempotency_key,
        operation=OPERATION,
        fingerprint=request_fingerprint(
            operation=OPERATION,
            payload={
                **fingerprint_body,
                **({"files": files_fingerprint(files)} if files else {}),
            },
        ),
        now=now,
        perform=perform,
    )
    response = JsonResponse(result, status=status, content_type="application/json; charset=utf-8")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _visible(*, actor: User, code: str) -> Dossier:
    """The dossier `code` if the actor may see it (the access selector of the list, which logs
    nothing), else NotFound — as for a code that does not exist."""
    dossier = dossier_list_for_actor(actor=actor).filter(code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(dossier)s."), dossier=code)
    return dossier
