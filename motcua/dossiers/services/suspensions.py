"""Pauses of the processing clock: supplement (5), financial obligation (6), stop (8).

A supplement restarts the clock from zero once the dossier is complete (domain.md section 3);
a payment or a stop extends the appointment by the working time paused.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import Component, TimeUnit
from motcua.core.errors import DomainError, IllegalTransition, ValidationError
from motcua.deadlines.services import deadline_compute
from motcua.organisation.models import Role, Unit

from ..models import Dossier, DossierStatus, Suspension, SuspensionKind
from ._base import (
    APPLICANT_ROLE,
    SYSTEM_ROLE,
    commit_change,
    end_open_suspension,
    extend_appointment,
    extend_current_step,
    is_applicant,
    lock_dossier,
    reception_on_time,
    require_one_of,
    require_role,
    require_status,
    require_text,
    set_reception_deadlines,
    snapshot,
    start_processing_clock,
)
from .steps import close_current_step

logger = logging.getLogger(__name__)

SUPPLEMENTABLE = (DossierStatus.REGISTERED, DossierStatus.RECEIVED, DossierStatus.PROCESSING)


def _clean_items(*, dossier: Dossier, items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The complete list of what is missing, each with its reason. A `component` that is a
    component code of the version gets its name attached; free text is kept as is."""
    if not items:
        raise ValidationError(
            _("Cần liệt kê đầy đủ các giấy tờ, thông tin cần bổ sung."),
            code="items_required",
            errors=[{"field": "items", "code": "required"}],
        )
    names = dict(
        Component.objects.filter(version=dossier.procedure_version).values_list("code", "name")
    )
    cleaned: list[dict[str, str]] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        component = str((item or {}).get("component") or "").strip()
        reason = str((item or {}).get("reason") or "").strip()
        if not component:
            errors.append({"field": f"items[{index}].component", "code": "required"})
        if not reason:
            errors.append({"field": f"items[{index}].reason", "code": "required"})
        entry = {"component": component, "reason": reason}
        if component in names:
            entry["name"] = names[component]
        cleaned.append(entry)
    if errors:
        raise ValidationError(
            _("Mỗi nội dung cần bổ sung phải nêu giấy tờ và lý do."),
            code="items_invalid",
            errors=errors,
        )
    return cleaned


@transaction.atomic
def dossier_request_supplement(
    *,
    dossier: Dossier,
    actor: User,
    items: list[dict[str, Any]],
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Supplement request (form 02): 1|2|4 -> 5 with the complete list of missing items,
    each with a reason, asked once. Opens a supplement pause; `supplement_count` += 1.

    Before processing (1, 2) the receiving one-stop officer asks; during processing (4) an
    officer of the receiving or handling unit, or a specialist of the handling unit."""
    doing = _("yêu cầu bổ sung")
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    options: list[tuple[list[Unit], list[str]]] = [([dossier.receiving_unit], [Role.OFFICER])]
    if dossier.status == DossierStatus.PROCESSING:
        options = [
            ([dossier.handling_unit, dossier.receiving_unit], [Role.OFFICER]),
            ([dossier.handling_unit], [Role.SPECIALIST]),
        ]
    role = require_one_of(actor=actor, options=options, doing=doing)
    require_status(dossier=dossier, allowed=SUPPLEMENTABLE, doing=doing)
    cleaned = _clean_items(dossier=dossier, items=items)
    before = snapshot(dossier)
    extra: dict[str, Any] = {"items": cleaned}
    if dossier.status == DossierStatus.REGISTERED:
        on_time = reception_on_time(dossier=dossier, at=now)
        if on_time is not None:  # the one-stop's answer to an online arrival
            extra["reception_on_time"] = on_time
    Suspension.objects.create(
        dossier=dossier,
        kind=SuspensionKind.SUPPLEMENT,
        resume_status=dossier.status,
        started_at=now,
        reason=note.strip(),
        items=cleaned,
    )
    dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
    dossier.supplement_count += 1
    return commit_change(
        dossier=dossier,
        action="request_supplement",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note.strip(),
        extra=extra,
        payload={"items": cleaned},
    )


@transaction.atomic
def dossier_supplement(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    form_data: dict[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant (or an officer at the counter on the applicant's behalf) provides what
    was asked: 5 -> the status before the request (1, 2 or 4). `form_data` is merged into
    the dossier's. A received dossier is now complete, so the processing clock restarts from
    zero: `clock_started_at` = counting start of now, appointment = now + full legal time."""
    doing = _("bổ sung hồ sơ")
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    if is_applicant(actor=actor, dossier=dossier):
        role = APPLICANT_ROLE
    else:
        role = require_role(
            actor=actor,
            units=[dossier.receiving_unit, dossier.handling_unit],
            roles=[Role.OFFICER],
            doing=doing,
        )
    require_status(dossier=dossier, allowed=[DossierStatus.SUPPLEMENT_REQUESTED], doing=doing)
    pause = Suspension.objects.get(dossier=dossier, ended_at__isnull=True)
    before = snapshot(dossier)
    hours = end_open_suspension(dossier=dossier, now=now)
    if form_data:
        dossier.form_data = {**dossier.form_data, **form_data}
    dossier.status = pause.resume_status
    if dossier.received_at is not None:
        start_processing_clock(dossier=dossier, at=now)
        extend_current_step(dossier=dossier, hours=hours)
    elif dossier.status == DossierStatus.REGISTERED:
        # Back at the one-stop: the reception deadlines count again from the supplement.
        set_reception_deadlines(dossier=dossier, arrival=now)
    return commit_change(
        dossier=dossier,
        action="supplement",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note.strip(),
        extra={"paused_working_hours": str(hours)},
    )


def _supplement_deadline(*, dossier: Dossier, pause: Suspension) -> dt.datetime:
    return deadline_compute(
        received_at=pause.started_at,
        duration_value=Decimal(dossier.procedure_version.supplement_wait_days),
        time_unit=TimeUnit.WORKING_DAYS,
        channel="counter",
        unit=dossier.receiving_unit,
    )


def dossier_close_unsupplemented(*, now: dt.datetime) -> list[str]:
    """Close every dossier waiting for a supplement longer than its version's
    `supplement_wait_days` working days (counted from the request): status 3 when it was
    never received, 8 (stopped) otherwise, with `closed_at` and the reason. Each dossier is
    its own transaction (a failure skips it and is logged). Returns the codes closed."""
    closed: list[str] = []
    waiting = (
        Dossier.objects.filter(status=DossierStatus.SUPPLEMENT_REQUESTED, closed_at__isnull=True)
        .select_related("procedure_version", "receiving_unit")
        .order_by("id")
    )
    for candidate in list(waiting):  # read first: each close is its own transaction
        pause = Suspension.objects.filter(dossier=candidate, ended_at__isnull=True).first()
        if pause is None or now <= _supplement_deadline(dossier=candidate, pause=pause):
            continue
        try:
            code = _close_unsupplemented_one(dossier=candidate, now=now)
        except DomainError:
            logger.exception("close_unsupplemented: %s skipped", candidate.code)
            continue
        if code:
            closed.append(code)
    return closed


@transaction.atomic
def _close_unsupplemented_one(*, dossier: Dossier, now: dt.datetime) -> str | None:
    dossier = lock_dossier(dossier=dossier, expected_version=None)
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or dossier.closed_at is not None:
        return None  # supplemented or withdrawn meanwhile
    pause = Suspension.objects.get(dossier=dossier, ended_at__isnull=True)
    wait_days = dossier.procedure_version.supplement_wait_days
    if now <= _supplement_deadline(dossier=dossier, pause=pause):
        return None
    reason = str(
        _("Quá %(days)s ngày làm việc không bổ sung hồ sơ theo yêu cầu.") % {"days": wait_days}
    )
    before = snapshot(dossier)
    end_open_suspension(dossier=dossier, now=now)
    close_current_step(dossier=dossier, actor=None, now=now, note=reason)
    dossier.status = (
        DossierStatus.NOT_RECEIVED
        if pause.resume_status == DossierStatus.REGISTERED
        else DossierStatus.STOPPED
    )
    dossier.closed_at = now
    commit_change(
        dossier=dossier,
        action="close_unsupplemented",
        actor=None,
        actor_role=SYSTEM_ROLE,
        now=now,
        before=before,
        reason=reason,
    )
    return dossier.code


@transaction.atomic
def dossier_request_payment(
    *,
    dossier: Dossier,
    actor: User,
    amount_vnd: int,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Financial obligation requested (tax, fee due during processing): 4 -> 6, a payment
    pause. An officer of the receiving or handling unit."""
    doing = _("yêu cầu thực hiện nghĩa vụ tài chính")
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    role = require_role(
        actor=actor,
        units=[dossier.handling_unit, dossier.receiving_unit],
        roles=[Role.OFFICER],
        doing=doing,
    )
    require_status(dossier=dossier, allowed=[DossierStatus.PROCESSING], doing=doing)
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ValidationError(
            _("Số tiền phải là số nguyên dương (đồng)."),
            code="invalid_amount",
            errors=[{"field": "amount_vnd", "code": "invalid"}],
        )
    before = snapshot(dossier)
    Suspension.objects.create(
        dossier=dossier,
        kind=SuspensionKind.PAYMENT,
        resume_status=DossierStatus.PROCESSING,
        started_at=now,
        reason=note.strip(),
        items=[{"amount_vnd": amount_vnd}],
    )
    dossier.status = DossierStatus.PAYMENT_REQUESTED
    return commit_change(
        dossier=dossier,
        action="request_payment",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note.strip(),
        extra={"amount_vnd": amount_vnd},
        payload={"amount_vnd": amount_vnd},
    )


def _resume(*, dossier: Dossier, now: dt.datetime) -> Decimal:
    """End the pause; the appointment and the current step's due move by the paused
    working time."""
    hours = end_open_suspension(dossier=dossier, now=now)
    extend_appointment(dossier=dossier, hours=hours)
    extend_current_step(dossier=dossier, hours=hours)
    dossier.status = DossierStatus.PROCESSING
    return hours


@transaction.atomic
def dossier_confirm_payment(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The obligation is met: 6 -> 4; the appointment moves by the paused working time."""
    doing = _("xác nhận đã thực hiện nghĩa vụ tài chính")
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    role = require_role(
        actor=actor,
        units=[dossier.handling_unit, dossier.receiving_unit],
        roles=[Role.OFFICER],
        doing=doing,
    )
    require_status(dossier=dossier, allowed=[DossierStatus.PAYMENT_REQUESTED], doing=doing)
    before = snapshot(dossier)
    hours = _resume(dossier=dossier, now=now)
    return commit_change(
        dossier=dossier,
        action="confirm_payment",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note.strip(),
        extra={"paused_working_hours": str(hours)},
    )


@transaction.atomic
def dossier_stop(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Processing stopped (e.g. waiting on another authority): 4 -> 8, a stop pause. A
    specialist or leader of the handling unit."""
    doing = _("dừng xử lý")
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    role = require_role(
        actor=actor,
        units=[dossier.handling_unit],
        roles=[Role.SPECIALIST, Role.LEADER],
        doing=doing,
    )
    require_status(dossier=dossier, allowed=[DossierStatus.PROCESSING], doing=doing)
    text = require_text(reason, field="reason", message=_("Cần ghi lý do dừng xử lý."))
    before = snapshot(dossier)
    Suspension.objects.create(
        dossier=dossier,
        kind=SuspensionKind.STOP,
        resume_status=DossierStatus.PROCESSING,
        started_at=now,
        reason=text,
    )
    dossier.status = DossierStatus.STOPPED
    return commit_change(
        dossier=dossier,
        action="stop",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=text,
    )


@transaction.atomic
def dossier_resume(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Processing resumes: 8 -> 4; the appointment moves by the paused working time. A
    dossier closed for want of a supplement cannot be resumed."""
    doing = _("tiếp tục xử lý")
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    role = require_role(
        actor=actor,
        units=[dossier.handling_unit],
        roles=[Role.SPECIALIST, Role.LEADER],
        doing=doing,
    )
    require_status(dossier=dossier, allowed=[DossierStatus.STOPPED], doing=doing)
    if dossier.closed_at is not None:
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s đã bị đóng, không thể tiếp tục xử lý."),
            code="closed",
            dossier=dossier.code,
        )
    before = snapshot(dossier)
    hours = _resume(dossier=dossier, now=now)
    return commit_change(
        dossier=dossier,
        action="resume",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note.strip(),
        extra={"paused_working_hours": str(hours)},
    )
