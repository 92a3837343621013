"""Lifecycle actions on a dossier: what the caller may do now, and doing it.

The same path the staff workspace and the citizen portal use: `dossier_actions_for` answers
what the actor may do (from the lifecycle table, `motcua.dossiers.lifecycle.TRANSITIONS`)
and `dossier_act` takes an action by name with plain values. This module only parses the
request and renders the answer; every rule lives in `motcua.dossiers`.

Mounted under `/dossiers` next to `dossiers.router` (see `main.py`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema
from pydantic import AwareDatetime, ConfigDict

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
        "(ISO 8601 có múi giờ) | money (số nguyên, đồng) | items ([{component, reason}]) | "
        "object (JSON).",
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
    amount_vnd: int | None = Field(None, description="request_payment: số tiền (đồng).")
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
        "`invalid_assignee`, `same_unit`, `new_date_not_later`, `tracking_number_required`, "
        "`answer_by_invalid`...)."
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
        "`idempotency_key_reused`."
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
    actor = request_actor(request)
    now = clock.now()
    transition_get(action)  # an unknown action is 404 `unknown_action`, whatever the dossier
    body = payload.model_dump(mode="json")
    values = {
        name: value
        for name, value in body.items()
        if name != "expected_version" and value is not None
    }
    dossier = _visible(actor=actor, code=code)

    def perform() -> tuple[int, dict[str, Any]]:
        changed = dossier_act(
            action=action,
            dossier=dossier,
            actor=actor,
            now=now,
            expected_version=payload.expected_version,
            values=values,
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
            operation=OPERATION, payload={"code": code, "action": action, "body": body}
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
