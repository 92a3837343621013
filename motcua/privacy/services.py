"""Writes about a person's requests on their personal data (docs/personal-data.md, ADR
"personal-data requests"). Each function is keyword-only, takes `now`, runs in one
transaction and leaves an `AuditEvent`; bad input raises `ValidationError` (with the field)
and writes nothing.

- `data_request_submit`: the person files a request; `due_at` is fixed then (15 days).
- `data_request_assign`: a privacy officer takes it (received -> in progress).
- `data_request_answer`: the handler answers: done, partly (with the legal reason for the
  rest) or refused (with the legal reason). What the law keeps cannot be answered "done".
- Submission and answer enqueue `privacy.request_received` / `privacy.request_answered`
  in the outbox (ids, kind, status, deadline: never the reason or the data).
- `data_request_extend`: once, 15 more days, with the reason shown to the person.
- `personal_data_export_record`: the person downloaded their data (JSON or PDF).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import Conflict, PermissionDenied, ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.core.services import audit_record, row_state
from motcua.deadlines.clock import clock_for_unit

from .models import (
    OPEN_STATUSES,
    AnswerOutcome,
    DataSubjectRequest,
    LegalBasis,
    RequestKind,
    RequestScope,
    RequestStatus,
)
from .selectors import privacy_handler_check

#: Decree 356/2025/NĐ-CP: a request to withdraw consent or restrict (or stop) processing is
#: carried out within 15 days of its receipt; the same period is used for every kind here
#: (ADR "personal-data requests": calendar days, Civil Code counting).
ANSWER_DAYS = 15
REASON_MAX = 2000
ANSWER_MAX = 5000
OBJECT_TYPE = "privacy.datasubjectrequest"

#: Kept by law whatever the person asks: a deletion of these cannot be "done".
KEPT_BY_LAW = frozenset({RequestScope.DOSSIERS, RequestScope.ISSUED, RequestScope.ALL})


def _invalid(field: str, code: str, message: Any, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, errors=[{"field": field, "code": code}], **params)


def data_request_due_at(*, received_at: dt.datetime) -> dt.datetime:
    """The answer's deadline: 15 calendar days after the day of receipt (the day itself not
    counted), at the close of office hours, moved to the next working day when it falls on
    a weekend or holiday (Civil Code arts. 147-148; the province-wide calendar)."""
    return clock_for_unit(None).add_calendar_days(received_at, ANSWER_DAYS)


def _state(request: DataSubjectRequest) -> dict[str, Any]:
    # The before/after of an audit event: what changed, never the person's reason or data.
    return row_state(
        request,
        ["status", "handled_by", "assigned_at", "answered_at", "outcome", "legal_basis"],
    )


def data_request_submit(
    *,
    person: User,
    kind: str,
    scope: str,
    reason: str,
    now: dt.datetime,
    scope_detail: str = "",
    channel: str = "web",
) -> DataSubjectRequest:
    """File a request of `person` about their own data. Refused (`data_request_open`, 409)
    while the same kind of request on the same scope is still open."""
    if not person.is_authenticated or person.pk is None:
        raise PermissionDenied(_("Cần đăng nhập."), code="login_required")
    if kind not in RequestKind.values:
        raise _invalid("kind", "invalid_kind", _("Chọn loại yêu cầu."))
    if scope not in RequestScope.values:
        raise _invalid("scope", "invalid_scope", _("Chọn dữ liệu bạn yêu cầu."))
    reason = reason.strip()
    scope_detail = " ".join(scope_detail.split())
    if not reason:
        raise _invalid("reason", "required", _("Cho biết lý do hoặc điều bạn muốn."))
    if len(reason) > REASON_MAX:
        raise _invalid(
            "reason", "too_long", _("Lý do quá dài (tối đa %(max)s ký tự)."), max=REASON_MAX
        )
    if len(scope_detail) > 300:
        raise _invalid("scope_detail", "too_long", _("Chi tiết quá dài (tối đa 300 ký tự)."))
    with transaction.atomic():
        # The person's row, locked: two submissions at once cannot both pass the check.
        User.objects.select_for_update().filter(pk=person.pk).first()
        if DataSubjectRequest.objects.filter(
            person=person, kind=kind, scope=scope, status__in=OPEN_STATUSES
        ).exists():
            raise Conflict(
                _("Bạn đã có một yêu cầu cùng loại về dữ liệu này đang được xử lý."),
                code="data_request_open",
            )
        request = DataSubjectRequest.objects.create(
            person=person,
            kind=kind,
            scope=scope,
            scope_detail=scope_detail,
            reason=reason,
            received_at=now,
            due_at=data_request_due_at(received_at=now),
            channel=channel,
        )
        audit_record(
            actor=person,
            action="data_request.submit",
            object_type=OBJECT_TYPE,
            object_id=request.pk,
            now=now,
            after={
                "kind": kind,
                "scope": scope,
                "status": request.status,
                "due_at": request.due_at,
            },
        )
        # For the notifications issue: tell the privacy officers (ids only, never the data).
        outbox_enqueue(
            topic="privacy.request_received",
            payload=_payload(request),
            key=f"privacy:{request.pk}",
            now=now,
        )
    return request


def _payload(request: DataSubjectRequest) -> dict[str, Any]:
    return {
        "request": request.pk,
        "person": request.person_id,
        "kind": request.kind,
        "status": request.status,
        "due_at": local(request.due_at).isoformat(),
    }


def _locked(request: DataSubjectRequest) -> DataSubjectRequest:
    return DataSubjectRequest.objects.select_for_update().get(pk=request.pk)


def _require_handler(actor: User) -> None:
    if not privacy_handler_check(actor=actor):
        raise PermissionDenied(
            _("Chỉ cán bộ bảo vệ dữ liệu cá nhân xử lý yêu cầu này."), code="forbidden"
        )


def data_request_assign(
    *,
    request: DataSubjectRequest,
    actor: User,
    now: dt.datetime,
    handler: User | None = None,
) -> DataSubjectRequest:
    """`actor` (a privacy officer) gives the request to `handler` (another privacy officer,
    or themselves): received or in progress -> in progress. An answered request is closed
    (`data_request_closed`, 409)."""
    _require_handler(actor)
    handler = handler or actor
    if handler.pk != actor.pk:
        _require_handler_for(handler)
    with transaction.atomic():
        locked = _locked(request)
        if not locked.is_open:
            raise Conflict(_("Yêu cầu này đã được trả lời."), code="data_request_closed")
        before = _state(locked)
        locked.status = RequestStatus.IN_PROGRESS
        locked.handled_by = handler
        locked.assigned_at = now
        locked.save(update_fields=["status", "handled_by", "assigned_at"])
        audit_record(
            actor=actor,
            action="data_request.assign",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            now=now,
            before=before,
            after=_state(locked),
        )
    return locked


def _require_handler_for(handler: User) -> None:
    if not privacy_handler_check(actor=handler):
        raise _invalid(
            "handler", "not_a_handler", _("Người được giao không phải cán bộ bảo vệ dữ liệu.")
        )


def data_request_answer(
    *,
    request: DataSubjectRequest,
    actor: User,
    outcome: str,
    answer: str,
    now: dt.datetime,
    legal_basis: str = "",
) -> DataSubjectRequest:
    """Answer the request: `outcome` done (status answered), partly (answered, with the
    `legal_basis` for what was not done) or refused (status refused, with the
    `legal_basis`). A deletion of dossiers or issued documents cannot be "done": the law
    keeps them (`kept_by_law`). An unassigned request is taken by `actor` on the way."""
    _require_handler(actor)
    if outcome not in AnswerOutcome.values:
        raise _invalid("outcome", "invalid_outcome", _("Chọn kết quả xử lý."))
    if legal_basis not in LegalBasis.values:
        raise _invalid("legal_basis", "invalid_basis", _("Chọn căn cứ."))
    answer = answer.strip()
    if not answer:
        raise _invalid("answer", "required", _("Viết nội dung trả lời cho người yêu cầu."))
    if len(answer) > ANSWER_MAX:
        raise _invalid("answer", "too_long", _("Nội dung trả lời quá dài."))
    if outcome in (AnswerOutcome.PARTLY, AnswerOutcome.REFUSED) and not legal_basis:
        raise _invalid(
            "legal_basis",
            "basis_required",
            _("Nêu căn cứ pháp lý của phần không thực hiện được."),
        )
    if outcome == AnswerOutcome.DONE:
        legal_basis = ""
    with transaction.atomic():
        locked = _locked(request)
        if not locked.is_open:
            raise Conflict(_("Yêu cầu này đã được trả lời."), code="data_request_closed")
        if (
            outcome == AnswerOutcome.DONE
            and locked.kind == RequestKind.DELETE
            and locked.scope in KEPT_BY_LAW
        ):
            raise _invalid(
                "outcome",
                "kept_by_law",
                _(
                    "Hồ sơ thủ tục hành chính và giấy tờ đã phát hành phải lưu trữ theo thời "
                    "hạn của pháp luật về lưu trữ: không thể trả lời là đã xoá. Chọn "
                    '"Thực hiện một phần" hoặc "Không thực hiện được" và nêu căn cứ.'
                ),
            )
        before = _state(locked)
        locked.status = (
            RequestStatus.REFUSED if outcome == AnswerOutcome.REFUSED else RequestStatus.ANSWERED
        )
        locked.outcome = outcome
        locked.legal_basis = legal_basis
        locked.answer = answer
        locked.answered_at = now
        if locked.handled_by_id is None:
            locked.handled_by = actor
            locked.assigned_at = now
        locked.save(
            update_fields=[
                "status",
                "outcome",
                "legal_basis",
                "answer",
                "answered_at",
                "handled_by",
                "assigned_at",
            ]
        )
        audit_record(
            actor=actor,
            action="data_request.answer",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            now=now,
            before=before,
            after=_state(locked),
        )
        # For the notifications issue: tell the person their answer is ready.
        outbox_enqueue(
            topic="privacy.request_answered",
            payload=_payload(locked),
            key=f"privacy:{locked.pk}",
            now=now,
        )
    return locked


def data_request_extend(
    *, request: DataSubjectRequest, actor: User, reason: str, now: dt.datetime
) -> DataSubjectRequest:
    """Extend the deadline once, by 15 more days counted from the current deadline (Decree
    356/2025: once only, at most 15 days, the person told why). A second extension is
    refused (`data_request_extended`, 409), as is one after the answer."""
    _require_handler(actor)
    reason = reason.strip()
    if not reason:
        raise _invalid("reason", "required", _("Nêu lý do gia hạn cho người yêu cầu."))
    if len(reason) > REASON_MAX:
        raise _invalid("reason", "too_long", _("Lý do quá dài."))
    with transaction.atomic():
        locked = _locked(request)
        if not locked.is_open:
            raise Conflict(_("Yêu cầu này đã được trả lời."), code="data_request_closed")
        if locked.extended_at is not None:
            raise Conflict(_("Yêu cầu này đã được gia hạn một lần."), code="data_request_extended")
        before = {"due_at": locked.due_at}
        locked.due_at = clock_for_unit(None).add_calendar_days(locked.due_at, ANSWER_DAYS)
        locked.extended_at = now
        locked.extension_reason = reason
        locked.save(update_fields=["due_at", "extended_at", "extension_reason"])
        audit_record(
            actor=actor,
            action="data_request.extend",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            now=now,
            before=before,
            after={"due_at": locked.due_at, "extended_at": now},
        )
    return locked


EXPORT_FORMATS = frozenset({"json", "pdf"})


def personal_data_export_record(*, person: User, file_format: str, now: dt.datetime) -> None:
    """Record that `person` downloaded what is held about them (`personal_data.export`)."""
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    with transaction.atomic():
        audit_record(
            actor=person,
            action="personal_data.export",
            object_type="accounts.user",
            object_id=person.pk,
            now=now,
            after={"format": file_format},
        )
