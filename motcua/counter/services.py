"""Writes around the counter: legal advice turns, at-home and mobile service, the hotline log.

Every function is keyword-only, takes `now`, runs in one transaction and leaves an
`AuditEvent` (before/after). The actor must be staff of the unit (one-stop officer, leader or
specialist there, or a superuser): `PermissionDenied` otherwise. Bad input raises
`ValidationError` with the field and a code, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.identifiers import InvalidIdentifier, phone_clean
from motcua.core.services import audit_record, row_state, state_diff
from motcua.deadlines.clock import clock_for_unit
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_roles_in_unit

from .models import HomeService, HotlineCall, LegalAdviceTurn

#: Who may keep the counter's records of a unit.
COUNTER_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.SPECIALIST})


def _require_staff(*, actor: User, unit: Unit) -> None:
    if actor.is_superuser:
        return
    if not COUNTER_ROLES & user_roles_in_unit(user=actor, unit=unit):
        raise PermissionDenied(
            _("Chỉ cán bộ của %(unit)s được ghi sổ này."), code="forbidden", unit=unit.name
        )


def _invalid(name: str, code: str, message: Any, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, errors=[{"field": name, "code": code}], **params)


def _text(value: str, *, field: str, required: bool = True, max_length: int = 500) -> str:
    text = " ".join(value.split()) if max_length <= 500 else value.strip()
    if required and not text:
        raise _invalid(field, "required", _("Thông tin này là bắt buộc."))
    if len(text) > max_length:
        raise _invalid(field, "too_long", _("Nội dung quá dài."))
    return text


def _phone(value: str, *, field: str = "phone", required: bool = True) -> str:
    if not value.strip():
        if required:
            raise _invalid(field, "required", _("Cần số điện thoại."))
        return ""
    try:
        return phone_clean(value)
    except InvalidIdentifier as exc:
        raise _invalid(field, "phone_format", _("Số điện thoại không đúng.")) from exc


# --- legal advice turns ---------------------------------------------------------------------


@transaction.atomic
def legal_advice_turn_plan(
    *,
    unit: Unit,
    lawyer_name: str,
    organisation: str = "",
    day: dt.date,
    starts: dt.time,
    ends: dt.time,
    actor: User,
    now: dt.datetime,
) -> LegalAdviceTurn:
    """Put a lawyer's turn of free legal advice on the service point's calendar."""
    _require_staff(actor=actor, unit=unit)
    if ends <= starts:
        raise _invalid("ends", "ends_before_start", _("Giờ kết thúc phải sau giờ bắt đầu."))
    if not clock_for_unit(unit).is_working_day(day):
        raise _invalid(
            "day",
            "not_working_day",
            _("Ngày %(day)s không phải ngày làm việc."),
            day=f"{day:%d/%m/%Y}",
        )
    turn = LegalAdviceTurn.objects.create(
        unit=unit,
        lawyer_name=_text(lawyer_name, field="lawyer_name", max_length=200),
        organisation=_text(organisation, field="organisation", required=False, max_length=200),
        day=day,
        starts=starts,
        ends=ends,
        recorded_by=actor,
        updated_at=now,
    )
    audit_record(
        actor=actor,
        action="legal_advice_turn.plan",
        object_type="counter.legaladviceturn",
        object_id=turn.pk,
        now=now,
        after=row_state(turn),
    )
    return turn


def _locked_turn(turn: LegalAdviceTurn) -> LegalAdviceTurn:
    return LegalAdviceTurn.objects.select_for_update().select_related("unit").get(pk=turn.pk)


@transaction.atomic
def legal_advice_turn_record(
    *,
    turn: LegalAdviceTurn,
    people_served: int,
    topics: str,
    note: str = "",
    actor: User,
    now: dt.datetime,
) -> LegalAdviceTurn:
    """Record a turn that took place: how many people were advised, on what. A turn can be
    corrected (recorded again) but not recorded before its day."""
    locked = _locked_turn(turn)
    _require_staff(actor=actor, unit=locked.unit)
    if locked.status == LegalAdviceTurn.Status.CANCELLED:
        raise _invalid("status", "turn_cancelled", _("Lượt tư vấn này đã huỷ."))
    if local(now).date() < locked.day:
        raise _invalid("day", "turn_not_yet_held", _("Lượt tư vấn chưa diễn ra."))
    if people_served < 0:
        raise _invalid("people_served", "negative", _("Số lượt người không được âm."))
    before = row_state(locked)
    locked.status = LegalAdviceTurn.Status.HELD
    locked.people_served = people_served
    locked.topics = _text(topics, field="topics", required=people_served > 0, max_length=5000)
    locked.note = _text(note, field="note", required=False, max_length=5000)
    locked.recorded_by = actor
    locked.updated_at = now
    locked.save()
    before_diff, after_diff = state_diff(before, row_state(locked))
    audit_record(
        actor=actor,
        action="legal_advice_turn.record",
        object_type="counter.legaladviceturn",
        object_id=locked.pk,
        now=now,
        before=before_diff,
        after=after_diff,
    )
    return locked


@transaction.atomic
def legal_advice_turn_cancel(
    *, turn: LegalAdviceTurn, reason: str, actor: User, now: dt.datetime
) -> LegalAdviceTurn:
    locked = _locked_turn(turn)
    _require_staff(actor=actor, unit=locked.unit)
    if locked.status == LegalAdviceTurn.Status.HELD:
        raise _invalid("status", "turn_held", _("Lượt tư vấn đã diễn ra, không huỷ được."))
    reason = _text(reason, field="reason")
    if locked.status != LegalAdviceTurn.Status.CANCELLED:
        locked.status = LegalAdviceTurn.Status.CANCELLED
        locked.note = reason
        locked.updated_at = now
        locked.save(update_fields=["status", "note", "updated_at"])
        audit_record(
            actor=actor,
            action="legal_advice_turn.cancel",
            object_type="counter.legaladviceturn",
            object_id=locked.pk,
            now=now,
            after={"status": locked.status},
            reason=reason,
        )
    return locked


# --- at-home and mobile service --------------------------------------------------------------


@transaction.atomic
def home_service_request(
    *,
    unit: Unit,
    kind: str,
    reason: str,
    person_name: str,
    phone: str,
    address: str,
    details: str = "",
    channel: str = HomeService.Channel.PHONE,
    preferred_day: dt.date | None = None,
    actor: User,
    now: dt.datetime,
) -> HomeService:
    """Record a request for service at home (the elderly, the disabled, the ill) or mobile
    service, taken at the counter, by phone or online."""
    _require_staff(actor=actor, unit=unit)
    if kind not in HomeService.Kind.values:
        raise _invalid("kind", "invalid_choice", _("Dịch vụ không hợp lệ."))
    if reason not in HomeService.Reason.values:
        raise _invalid("reason", "invalid_choice", _("Đối tượng không hợp lệ."))
    if channel not in HomeService.Channel.values:
        raise _invalid("channel", "invalid_choice", _("Kênh yêu cầu không hợp lệ."))
    if reason == HomeService.Reason.OTHER and not details.strip():
        raise _invalid("details", "required", _("Ghi rõ lý do khi chọn lý do khác."))
    if preferred_day is not None and preferred_day < local(now).date():
        raise _invalid("preferred_day", "in_the_past", _("Ngày mong muốn đã qua."))
    service = HomeService.objects.create(
        unit=unit,
        kind=kind,
        reason=reason,
        person_name=_text(person_name, field="person_name", max_length=200),
        phone=_phone(phone),
        address=_text(address, field="address"),
        details=_text(details, field="details", required=False, max_length=5000),
        channel=channel,
        preferred_day=preferred_day,
        requested_at=now,
        updated_at=now,
    )
    # The audit keeps what was asked, not who asked (personal data stays in one row).
    audit_record(
        actor=actor,
        action="home_service.request",
        object_type="counter.homeservice",
        object_id=service.pk,
        now=now,
        after={"kind": kind, "reason": reason, "channel": channel, "unit": unit.code},
    )
    return service


def _locked_service(service: HomeService) -> HomeService:
    return HomeService.objects.select_for_update().select_related("unit").get(pk=service.pk)


@transaction.atomic
def home_service_schedule(
    *, service: HomeService, when: dt.datetime, officer: User, actor: User, now: dt.datetime
) -> HomeService:
    """Give the request a time within office hours of a working day and an officer of the
    unit (scheduling again moves it)."""
    locked = _locked_service(service)
    _require_staff(actor=actor, unit=locked.unit)
    if locked.status not in (HomeService.Status.REQUESTED, HomeService.Status.SCHEDULED):
        raise _invalid("status", "home_service_closed", _("Yêu cầu này đã kết thúc."))
    if when.tzinfo is None:
        raise ValueError("naive datetime: motcua only handles aware datetimes")
    if when <= now:
        raise _invalid("scheduled_for", "in_the_past", _("Lịch phục vụ phải ở tương lai."))
    clock = clock_for_unit(locked.unit)
    if clock.counting_start(when, channel="counter") != local(when):
        raise _invalid(
            "scheduled_for",
            "outside_office_hours",
            _("Lịch phục vụ phải trong giờ làm việc của một ngày làm việc."),
        )
    if not officer.is_active or not COUNTER_ROLES & user_roles_in_unit(
        user=officer, unit=locked.unit
    ):
        raise _invalid(
            "assigned_to", "not_unit_staff", _("Người được giao không phải cán bộ của đơn vị.")
        )
    before = row_state(locked)
    locked.status = HomeService.Status.SCHEDULED
    locked.scheduled_for = when
    locked.assigned_to = officer
    locked.updated_at = now
    locked.save(update_fields=["status", "scheduled_for", "assigned_to", "updated_at"])
    before_diff, after_diff = state_diff(before, row_state(locked))
    audit_record(
        actor=actor,
        action="home_service.schedule",
        object_type="counter.homeservice",
        object_id=locked.pk,
        now=now,
        before=before_diff,
        after=after_diff,
    )
    return locked


@transaction.atomic
def home_service_complete(
    *, service: HomeService, outcome: str, reference: str = "", actor: User, now: dt.datetime
) -> HomeService:
    """The visit took place: what was done (a dossier received — its code —, copies
    certified — the book number —, a result handed over)."""
    locked = _locked_service(service)
    _require_staff(actor=actor, unit=locked.unit)
    if locked.status != HomeService.Status.SCHEDULED:
        raise _invalid("status", "home_service_not_scheduled", _("Yêu cầu chưa được hẹn lịch."))
    locked.status = HomeService.Status.DONE
    locked.outcome = _text(outcome, field="outcome", max_length=5000)
    locked.reference = _text(reference, field="reference", required=False, max_length=100)
    locked.updated_at = now
    locked.save(update_fields=["status", "outcome", "reference", "updated_at"])
    audit_record(
        actor=actor,
        action="home_service.complete",
        object_type="counter.homeservice",
        object_id=locked.pk,
        now=now,
        after={"status": locked.status, "reference": locked.reference},
    )
    return locked


@transaction.atomic
def home_service_cancel(
    *, service: HomeService, reason: str, actor: User, now: dt.datetime
) -> HomeService:
    locked = _locked_service(service)
    _require_staff(actor=actor, unit=locked.unit)
    if locked.status == HomeService.Status.DONE:
        raise _invalid("status", "home_service_closed", _("Yêu cầu này đã kết thúc."))
    reason = _text(reason, field="reason")
    if locked.status != HomeService.Status.CANCELLED:
        locked.status = HomeService.Status.CANCELLED
        locked.outcome = reason
        locked.updated_at = now
        locked.save(update_fields=["status", "outcome", "updated_at"])
        audit_record(
            actor=actor,
            action="home_service.cancel",
            object_type="counter.homeservice",
            object_id=locked.pk,
            now=now,
            after={"status": locked.status},
            reason=reason,
        )
    return locked


# --- the hotline -------------------------------------------------------------------------


@transaction.atomic
def hotline_call_record(
    *,
    unit: Unit,
    at: dt.datetime,
    topic: str,
    summary: str,
    outcome: str,
    caller_name: str = "",
    caller_phone: str = "",
    procedure_code: str = "",
    dossier_code: str = "",
    actor: User,
    now: dt.datetime,
) -> HotlineCall:
    """Log a hotline call. A promised call back needs the caller's number."""
    _require_staff(actor=actor, unit=unit)
    if topic not in HotlineCall.Topic.values:
        raise _invalid("topic", "invalid_choice", _("Nội dung cuộc gọi không hợp lệ."))
    if outcome not in HotlineCall.Outcome.values:
        raise _invalid("outcome", "invalid_choice", _("Cách xử lý không hợp lệ."))
    if at > now:
        raise _invalid("at", "in_the_future", _("Thời điểm gọi không được ở tương lai."))
    phone = _phone(
        caller_phone, field="caller_phone", required=outcome == HotlineCall.Outcome.CALLBACK
    )
    call = HotlineCall.objects.create(
        unit=unit,
        at=at,
        caller_name=_text(caller_name, field="caller_name", required=False, max_length=200),
        caller_phone=phone,
        topic=topic,
        procedure_code=_text(procedure_code, field="procedure_code", required=False, max_length=40),
        dossier_code=_text(dossier_code, field="dossier_code", required=False, max_length=40),
        summary=_text(summary, field="summary", max_length=5000),
        outcome=outcome,
        handled_by=actor,
    )
    audit_record(
        actor=actor,
        action="hotline_call.record",
        object_type="counter.hotlinecall",
        object_id=call.pk,
        now=now,
        after={"topic": topic, "outcome": outcome, "unit": unit.code},
    )
    return call


@transaction.atomic
def hotline_callback_done(*, call: HotlineCall, actor: User, now: dt.datetime) -> HotlineCall:
    locked = HotlineCall.objects.select_for_update().select_related("unit").get(pk=call.pk)
    _require_staff(actor=actor, unit=locked.unit)
    if locked.outcome != HotlineCall.Outcome.CALLBACK:
        raise _invalid("outcome", "no_callback_promised", _("Cuộc gọi này không hẹn gọi lại."))
    if locked.callback_done_at is None:
        locked.callback_done_at = now
        locked.save(update_fields=["callback_done_at"])
        audit_record(
            actor=actor,
            action="hotline_call.callback_done",
            object_type="counter.hotlinecall",
            object_id=locked.pk,
            now=now,
            after={"callback_done_at": now.isoformat()},
        )
    return locked
