"""Dossiers (hồ sơ): submit, read one, list mine, read the trail. Authenticated only.

Reads go through `dossier_get_for_actor` / `dossier_list_for_actor`, which know who may see
what; whatever they do not return is `404 not_found` (never 403: that would tell a stranger
the code exists).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, ValidationInfo, field_validator

from motcua.catalog.models import Procedure, ProcedureVersion, ResultKind
from motcua.catalog.selectors import version_in_force
from motcua.core import clock
from motcua.core.errors import ValidationError
from motcua.dossiers.models import Channel, Dossier, DossierEvent, StepRun
from motcua.dossiers.selectors import dossier_events, dossier_get_for_actor, dossier_list_for_actor
from motcua.dossiers.services import dossier_submit
from motcua.notifications.models import NotificationDelivery
from motcua.notifications.selectors import notification_deliveries_for_dossier
from motcua.notifications.text import mask_recipient
from motcua.organisation.models import Unit
from motcua.organisation.selectors import unit_active_by_code

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, WRITE_ERRORS, ErrorOut, ValidationErrorOut
from .idempotency import idempotent_call, request_fingerprint
from .pagination import PageQuery, paginate
from .throttling import submission_quota_check, submission_quota_count

router = Router(tags=["dossiers"], auth=AUTH)

CHANNELS: dict[str, int] = {
    "counter": Channel.COUNTER,
    "online": Channel.ONLINE,
    "post": Channel.POST,
}
CHANNEL_NAMES = {value: name for name, value in CHANNELS.items()}
ChannelName = Literal["online", "counter", "post"]
ResultOutcomeName = Literal["granted", "refused", ""]


# --- input ------------------------------------------------------------------------------


class ApplicantIn(Schema):
    """Who applies. Anything left out is taken from the caller's account profile."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200, description="Họ tên / tên tổ chức.")
    id_number: str | None = Field(
        None, max_length=20, description="Số định danh cá nhân hoặc mã số doanh nghiệp."
    )
    phone: str | None = Field(None, max_length=15)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)


class RepresentativeIn(Schema):
    """Filing for someone else: the principal (người ủy quyền) the caller files for. The
    dossier's applicant stays the caller; this records for whom, and on what basis (a
    relationship or an authorisation document: at least one)."""

    model_config = ConfigDict(extra="forbid")

    principal_kind: Literal["person", "organisation"] = Field(
        "person", description="Cá nhân (person) hoặc tổ chức (organisation)."
    )
    principal_name: str = Field(..., min_length=1, max_length=200, description="Họ tên / tên.")
    principal_id_number: str = Field(
        ...,
        min_length=1,
        max_length=20,
        description="Số định danh cá nhân (12 chữ số) hoặc, với tổ chức, mã số thuế.",
    )
    principal_date_of_birth: str | None = Field(
        None, max_length=10, description="Ngày sinh (YYYY-MM-DD hoặc DD/MM/YYYY), nếu biết."
    )
    relationship: str | None = Field(
        None, max_length=100, description="Quan hệ với người ủy quyền (cha, mẹ, giám hộ...)."
    )
    authorisation_document: str | None = Field(
        None, max_length=200, description="Văn bản ủy quyền: số, ngày, nơi chứng thực."
    )


class DossierSubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    procedure: str = Field(..., min_length=1, max_length=40, description="Mã thủ tục.")
    receiving_unit: str = Field(
        ..., min_length=1, max_length=30, description="Mã đơn vị tiếp nhận."
    )
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="Dữ liệu tờ khai điện tử (theo eform của thủ tục)."
    )
    applicant: ApplicantIn | None = None
    representative: RepresentativeIn | None = Field(
        None, description="Khi nộp thay: người ủy quyền (người mà hồ sơ được nộp cho)."
    )
    channel: ChannelName = Field(
        "online",
        description=(
            "Kênh nộp. Tài khoản chỉ nộp trực tuyến (online); counter | post: "
            "400 `channel_not_allowed` (hồ sơ giấy do cán bộ một cửa tiếp nhận)."
        ),
    )
    result_kind: ResultKind | None = Field(
        None, description="Hình thức nhận kết quả; mặc định theo thủ tục."
    )


class DossierListQuery(PageQuery):
    """The list's filters (all optional, combined with AND). Bad values are 422 with a field
    error; the times are ISO 8601 (dd/mm/yyyy is for the pages, not the API)."""

    status: list[str] = Field(
        default_factory=list,
        description="Trạng thái 1–10; lặp lại (`status=2&status=4`) hoặc phân tách bằng dấu "
        "phẩy (`status=2,4`).",
    )
    unit: str | None = Field(
        None, min_length=1, max_length=30, description="Mã đơn vị: tiếp nhận hoặc giải quyết."
    )
    procedure: str | None = Field(None, min_length=1, max_length=40, description="Mã thủ tục.")
    channel: ChannelName | None = Field(None, description="Kênh nộp: online | counter | post.")
    submitted_from: str | None = Field(
        None,
        description="Nộp từ (ISO 8601): ngày `2026-02-13` (từ 00:00 giờ Việt Nam) hoặc thời "
        "điểm `2026-02-13T10:00:00+07:00` (không có múi giờ: giờ Việt Nam).",
    )
    submitted_to: str | None = Field(
        None,
        description="Nộp đến (ISO 8601): ngày `2026-02-13` (hết ngày đó) hoặc thời điểm (trước "
        "thời điểm đó).",
    )
    q: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Tìm theo mã hồ sơ, tên hoặc số định danh người nộp.",
    )

    @field_validator("status", mode="before")
    @classmethod
    def _split_statuses(cls, value: Any) -> list[str]:
        values = value if isinstance(value, list) else [value]
        return [part.strip() for v in values for part in str(v).split(",") if part.strip()]

    @field_validator("status")
    @classmethod
    def _check_statuses(cls, value: list[str]) -> list[str]:
        for part in value:
            if not part.isdigit() or not 1 <= int(part) <= 10:
                raise ValueError("status must be integers from 1 to 10")
        return value

    @field_validator("submitted_from")
    @classmethod
    def _check_from(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_instant(value)
        return value

    @field_validator("submitted_to")
    @classmethod
    def _check_to(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            end = _range_end(value)
            start = info.data.get("submitted_from")
            if start and end <= _parse_instant(start)[0]:
                raise ValueError("submitted_to must be after submitted_from")
        return value

    def statuses(self) -> list[int] | None:
        return sorted({int(s) for s in self.status}) or None

    def submitted_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[from, to) as aware instants: a date starts at 00:00 local time; a `to` date
        includes that whole day."""
        start = _parse_instant(self.submitted_from)[0] if self.submitted_from else None
        end = _range_end(self.submitted_to) if self.submitted_to else None
        return start, end


def _parse_instant(value: str) -> tuple[dt.datetime, bool]:
    """An ISO 8601 date or date-time (local time when it has no offset) -> (aware instant,
    whether it was a date). Raises ValueError otherwise."""
    text = value.strip()
    try:
        if len(text) <= 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(), tzinfo=clock.VN_TZ), True
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("an ISO 8601 date or date-time is required") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=clock.VN_TZ)
    return instant, False


def _range_end(value: str) -> dt.datetime:
    """The exclusive end of `submitted_to`: a date includes its whole day."""
    end, is_date = _parse_instant(value)
    return end + dt.timedelta(days=1) if is_date else end


# --- output -----------------------------------------------------------------------------


class CodeName(Schema):
    code: str
    name: str


class ProcedureRef(CodeName):
    version: int


class ApplicantOut(Schema):
    name: str
    id_number: str
    phone: str
    email: str
    address: str


class DossierSummaryOut(Schema):
    code: str
    status: int = Field(..., description="Mã trạng thái theo Cổng DVC quốc gia (1–10).")
    status_name: str
    channel: ChannelName
    procedure: ProcedureRef
    receiving_unit: CodeName
    submitted_at: LocalDateTime
    appointment_at: LocalDateTime | None = Field(
        ..., description="Ngày hẹn trả (ngày hẹn lại nếu đã xin lỗi, hẹn lại)."
    )

    @staticmethod
    def resolve_status_name(obj: Dossier) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_channel(obj: Dossier) -> str:
        return CHANNEL_NAMES[obj.channel]

    @staticmethod
    def resolve_procedure(obj: Dossier) -> dict[str, Any]:
        version: ProcedureVersion = obj.procedure_version
        return {
            "code": version.procedure.code,
            "name": version.procedure.name,
            "version": version.number,
        }

    @staticmethod
    def resolve_receiving_unit(obj: Dossier) -> dict[str, str]:
        return {"code": obj.receiving_unit.code, "name": obj.receiving_unit.name}

    @staticmethod
    def resolve_appointment_at(obj: Dossier) -> Any:
        return obj.effective_appointment_at


class CurrentStepOut(Schema):
    name: str
    role: str = Field(..., description="Vai trò thực hiện bước (officer, specialist, leader...).")
    assignee: int | None = Field(
        ..., description="Mã người được giao (như `to_user` khi chuyển bước), nếu có."
    )
    started_at: LocalDateTime
    due_at: LocalDateTime

    @staticmethod
    def resolve_assignee(obj: StepRun) -> int | None:
        return obj.assignee_id


class DossierOut(DossierSummaryOut):
    handling_unit: CodeName
    applicant: ApplicantOut
    representative: dict[str, Any]
    form_data: dict[str, Any]
    result_kind: ResultKind
    received_at: LocalDateTime | None
    first_appointment_at: LocalDateTime | None = Field(
        ..., description="Ngày hẹn trả ghi trên phiếu tiếp nhận (mẫu 01)."
    )
    finished_at: LocalDateTime | None
    returned_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    clock_started_at: LocalDateTime | None = Field(
        ..., description="Bắt đầu tính thời hạn giải quyết (tính lại khi bổ sung, nếu có)."
    )
    new_appointment_at: LocalDateTime | None = Field(
        ..., description="Ngày hẹn lại ghi trên thư xin lỗi (mẫu 04), nếu có."
    )
    result_outcome: ResultOutcomeName = Field(
        ...,
        description="Kết quả giải quyết: `granted` (giải quyết), `refused` (từ chối giải "
        "quyết, có lý do); rỗng khi chưa có kết quả.",
    )
    current_step: CurrentStepOut | None = Field(
        ..., description="Bước xử lý đang mở (phiếu kiểm soát, mẫu 06), nếu có."
    )
    supplement_count: int
    version: int = Field(
        ...,
        description="Phiên bản dữ liệu (tăng sau mỗi thay đổi); gửi lại làm `expected_version` "
        "khi thực hiện thao tác.",
    )

    @staticmethod
    def resolve_handling_unit(obj: Dossier) -> dict[str, str]:
        return {"code": obj.handling_unit.code, "name": obj.handling_unit.name}

    @staticmethod
    def resolve_applicant(obj: Dossier) -> dict[str, str]:
        return {
            "name": obj.applicant_name,
            "id_number": obj.applicant_id_number,
            "phone": obj.applicant_phone,
            "email": obj.applicant_email,
            "address": obj.applicant_address,
        }

    @staticmethod
    def resolve_first_appointment_at(obj: Dossier) -> Any:
        return obj.appointment_at

    @staticmethod
    def resolve_current_step(obj: Dossier) -> StepRun | None:
        if obj.current_step_id is None:
            return None
        run = obj.current_step
        return run if run is not None and run.finished_at is None else None


class DossierPage(Schema):
    items: list[DossierSummaryOut]
    count: int


class DossierEventOut(Schema):
    seq: int
    action: str
    at: LocalDateTime
    actor_role: str
    status_before: int | None
    status_after: int
    status_name: str
    reason: str

    @staticmethod
    def resolve_status_name(obj: DossierEvent) -> str:
        return str(obj.get_status_after_display())


class DossierEventList(Schema):
    items: list[DossierEventOut]
    count: int


class DossierNotificationOut(Schema):
    """One message about the dossier on one channel (the recipient masked)."""

    channel: Literal["sms", "email", "inapp"]
    template: str = Field(description="Sự kiện của mẫu thông báo (received, result_ready, ...).")
    language: str
    status: Literal["sending", "sent", "failed", "dead", "opted_out"]
    provider: str
    attempts: int
    created_at: LocalDateTime
    sent_at: LocalDateTime | None
    recipient: str = Field(description="Số điện thoại / thư điện tử đã che một phần.")

    @staticmethod
    def resolve_template(obj: NotificationDelivery) -> str:
        return obj.event

    @staticmethod
    def resolve_recipient(obj: NotificationDelivery) -> str:
        return mask_recipient(obj.channel, obj.recipient)


class DossierNotificationList(Schema):
    items: list[DossierNotificationOut]
    count: int


# --- operations -------------------------------------------------------------------------


@router.post(
    "",
    response={201: DossierOut, **WRITE_ERRORS, 429: ErrorOut},
    operation_id="dossiers_submit",
    summary="Nộp hồ sơ",
    description=(
        "Nộp hồ sơ trực tuyến cho một thủ tục (phiên bản đang có hiệu lực) tại một đơn vị "
        "tiếp nhận. Tài khoản chỉ nộp trực tuyến và đứng tên chính mình (nộp thay: ghi người "
        "ủy quyền ở `representative`); khác tên, số định danh của tài khoản: 400 "
        "`applicant_mismatch`. Tờ khai (`form_data`) được kiểm tra theo `eform` của thủ tục, "
        "lỗi từng trường trong `errors` (400 `form_invalid`); trường có nguồn điền sẵn bỏ "
        "trống được lấy từ tài khoản, danh tính đã xác thực không sửa được "
        "(`identity_locked`). Thông tin người nộp bỏ trống được lấy từ tài khoản. Gửi kèm "
        "`Idempotency-Key` để gửi lại an toàn: cùng khoá, cùng nội dung trả lại đúng phản "
        "hồi lần đầu (cùng mã hồ sơ); cùng khoá, khác nội dung: 422 `idempotency_key_reused`. "
        "Mỗi tài khoản nộp tối đa một số hồ sơ mỗi giờ: quá mức là 429 "
        "`submission_quota_exceeded`."
    ),
)
def dossiers_submit(
    request: HttpRequest,
    payload: DossierSubmitIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Khoá do máy khách sinh (vd UUID), duy nhất cho mỗi lần nộp.",
    ),
) -> HttpResponse:
    actor = request_actor(request)
    now = clock.now()
    body = payload.model_dump(mode="json")

    applicant = payload.applicant or ApplicantIn(
        name=None, id_number=None, phone=None, email=None, address=None
    )

    def submit() -> tuple[int, dict[str, Any]]:
        submission_quota_check(actor=actor)  # here, so that a replay still gets its answer
        dossier = dossier_submit(
            applicant=actor,
            procedure_version=_current_version(code=payload.procedure, now=now),
            receiving_unit=_receiving_unit(code=payload.receiving_unit),
            form_data=payload.form_data,
            channel=CHANNELS[payload.channel],
            applicant_name=applicant.name,
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
            applicant_address=applicant.address,
            representative=(
                payload.representative.model_dump(exclude_none=True)
                if payload.representative is not None
                else None
            ),
            result_kind=payload.result_kind,
            now=now,
        )
        return 201, DossierOut.from_orm(dossier).model_dump(mode="json")

    status, result, replayed = idempotent_call(
        principal=actor,
        key=idempotency_key,
        operation="dossiers_submit",
        fingerprint=request_fingerprint(operation="dossiers_submit", payload=body),
        now=now,
        perform=submit,
    )
    if not replayed:
        submission_quota_count(actor=actor)
    # The body is already rendered (and, on a replay, stored): send it as it is.
    response = JsonResponse(result, status=status, content_type="application/json; charset=utf-8")
    response["Location"] = f"{request.path.rstrip('/')}/{result['code']}"
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "",
    response={200: DossierPage, 400: ValidationErrorOut, 401: ErrorOut, 422: ValidationErrorOut},
    operation_id="dossiers_list",
    summary="Hồ sơ của tôi",
    description=(
        "Công dân: hồ sơ mình đã nộp; cán bộ: hồ sơ của các đơn vị mình làm việc; "
        "khoá tích hợp: hồ sơ của các đơn vị được gán. Mới nhất trước. Lọc theo `status`, "
        "`unit`, `procedure`, `channel`, `submitted_from`/`submitted_to`, `q` (kết hợp AND); "
        "giá trị sai (trạng thái ngoài 1–10, mã đơn vị không tồn tại, ngày không theo ISO "
        "8601): 422 với lỗi của trường."
    ),
)
def dossiers_list(request: HttpRequest, query: Query[DossierListQuery]) -> dict[str, Any]:
    submitted_from, submitted_to = query.submitted_range()
    rows = dossier_list_for_actor(
        actor=request_actor(request),
        status=query.statuses(),
        channel=CHANNELS[query.channel] if query.channel else None,
        unit_id=_unit_id(query.unit) if query.unit else None,
        procedure_code=_procedure_code(query.procedure) if query.procedure else None,
        search=query.q,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
    )
    return paginate(rows, query)


@router.get(
    "/{code}",
    response={200: DossierOut, **READ_ERRORS},
    operation_id="dossiers_get",
    summary="Chi tiết hồ sơ",
)
def dossiers_get(request: HttpRequest, code: str) -> Dossier:
    return _dossier_for(request, code)


@router.get(
    "/{code}/events",
    response={200: DossierEventList, **READ_ERRORS},
    operation_id="dossiers_events",
    summary="Nhật ký hồ sơ",
    description="Các thay đổi trạng thái của hồ sơ theo thứ tự thời gian.",
)
def dossiers_events(request: HttpRequest, code: str) -> dict[str, Any]:
    events = list(dossier_events(dossier=_dossier_for(request, code)))
    return {"items": events, "count": len(events)}


@router.get(
    "/{code}/notifications",
    response={200: DossierNotificationList, **READ_ERRORS},
    operation_id="dossiers_notifications",
    summary="Thông báo đã gửi về hồ sơ",
    description=(
        "Các tin SMS, thư điện tử và thông báo trên cổng gửi cho người nộp về hồ sơ này, "
        "theo thứ tự thời gian; người nhận được che một phần."
    ),
)
def dossiers_notifications(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = _dossier_for(request, code)
    rows = list(notification_deliveries_for_dossier(code=dossier.code))
    return {"items": rows, "count": len(rows)}


# --- helpers: turn codes from the request into objects ----------------------------------


def _dossier_for(request: HttpRequest, code: str) -> Dossier:
    """Raises NotFound for a code the actor may not see (as for one that does not exist)."""
    return dossier_get_for_actor(
        actor=request_actor(request), code=code, now=clock.now(), channel="api"
    )


def _unit_id(code: str) -> int:
    """The unit of a list filter (active or not: old dossiers keep merged units); an unknown
    code is a 422 field error of the query, like the other bad filter values."""
    unit_id = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise _query_error("unit", _("Không tìm thấy đơn vị."))
    return unit_id


def _procedure_code(code: str) -> str:
    if not Procedure.objects.filter(code=code).exists():
        raise _query_error("procedure", _("Không có thủ tục mã %(code)s.") % {"code": code})
    return code


def _query_error(field: str, message: Any) -> NinjaValidationError:
    """A 422 field error of the query string, as ninja reports its own."""
    return NinjaValidationError(
        [{"loc": ("query", field), "type": "not_found", "msg": str(message)}]
    )


def _current_version(*, code: str, now: Any) -> ProcedureVersion:
    """The version in force today (cached, see `version_in_force`); an unknown code is a field
    error of the body."""
    version = version_in_force(code=code, on=clock.local(now).date())
    if version is not None:
        return version
    if not Procedure.objects.filter(code=code, is_active=True).exists():
        raise _field_error(
            "procedure", "procedure_not_found", _("Không có thủ tục mã %(code)s.") % {"code": code}
        )
    raise _field_error(
        "procedure", "no_current_version", _("Thủ tục chưa có phiên bản đang có hiệu lực.")
    )


def _receiving_unit(*, code: str) -> Unit:
    unit = unit_active_by_code(code=code)
    if unit is None:
        raise _field_error("receiving_unit", "not_found", _("Không tìm thấy đơn vị tiếp nhận."))
    return unit


def _field_error(field: str, code: str, message: Any) -> ValidationError:
    return ValidationError(
        message,
        code="invalid",
        errors=[{"field": field, "code": code, "message": str(message), "location": "body"}],
    )
