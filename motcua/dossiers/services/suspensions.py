"""Pauses of the processing clock: supplement (5), financial obligation (6), stop (8).

Domain.md section 3, "When the clock runs": a supplement asked *before* reception (the online
check, counter guidance) means the clock starts from zero when the dossier is complete; one
asked *during processing* may be asked once, the time already spent counts and the
appointment moves by the paused time (or, for a version with `supplement_restarts_clock`,
the clock restarts from zero). A payment or a stop extends the appointment by the working
time paused.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.eforms import Identity
from motcua.catalog.models import Component, TimeUnit
from motcua.catalog.selectors import version_components
from motcua.core.clock import local
from motcua.core.errors import Conflict, DomainError, ValidationError
from motcua.deadlines.services import deadline_compute
from motcua.documents.services import (
    Checked,
    file_store_checked,
    stored_bytes_delete,
)

from ..models import (
    Dossier,
    DossierFile,
    DossierFileKind,
    DossierStatus,
    Suspension,
    SuspensionKind,
)
from . import applicants
from ._base import (
    SYSTEM_ROLE,
    begin,
    clean_supplement_items,
    commit_change,
    end_open_suspension,
    extend_appointment,
    extend_current_step,
    lock_dossier,
    reception_on_time,
    set_reception_deadlines,
    snapshot,
    start_processing_clock,
)
from .fees import dossier_fee_lines_payable, dossier_fees_charge_after
from .files import component_file_check
from .guards import guard_fees_paid, guard_not_closed, guard_supplement_once
from .reception import apply_reception
from .steps import close_current_step

logger = logging.getLogger(__name__)


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
    each with a reason. Opens a supplement pause; `supplement_count` += 1.

    Before reception (1) the receiving one-stop officer asks (the clock has not started);
    after the receipt (2, 4) also an officer or specialist of the handling unit, **once**
    (`supplement_once`): the clock pauses until the applicant supplements."""
    change = begin(
        action="request_supplement",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    dossier = change.dossier
    guard_supplement_once(dossier)
    cleaned = clean_supplement_items(dossier=dossier, items=items)
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
        reason=change.text,
        items=cleaned,
    )
    dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
    dossier.supplement_count += 1
    return change.commit(extra=extra, payload={"items": cleaned})


def requested_components(*, dossier: Dossier) -> list[str]:
    """The component codes the open supplement request asks for, in its order: the items that
    name a component of the version (free-text items take no file)."""
    pause = (
        Suspension.objects.filter(
            dossier=dossier, kind=SuspensionKind.SUPPLEMENT, ended_at__isnull=True
        )
        .order_by("-started_at")
        .first()
    )
    if pause is None:
        return []
    codes = {code for code, _name in version_components(version_id=dossier.procedure_version_id)}
    wanted: list[str] = []
    for item in pause.items or []:
        code = str(item.get("component") or "")
        if code in codes and code not in wanted:
            wanted.append(code)
    return wanted


def _check_supplement_files(
    *, dossier: Dossier, files: Mapping[str, Any]
) -> list[tuple[Component, Checked]]:
    """Every file checked (against its component's types and size) before anything is stored:
    exactly one entry per requested component — `component_not_requested` for a file of a
    component the request does not name, `components_missing` listing the requested ones
    without a file. The caller closes the results."""
    wanted = requested_components(dossier=dossier)
    extra = [code for code in files if code not in wanted]
    if extra:
        raise ValidationError(
            _("Chỉ nộp tệp cho các thành phần được yêu cầu bổ sung (không có: %(components)s)."),
            code="component_not_requested",
            components=", ".join(extra),
            errors=[
                {
                    "field": f"files[{code}]",
                    "code": "component_not_requested",
                    "message": str(_("Thành phần này không được yêu cầu bổ sung.")),
                }
                for code in extra
            ],
        )
    missing = [code for code in wanted if not files.get(code)]
    if missing:
        raise ValidationError(
            _("Còn thiếu tệp của các thành phần được yêu cầu bổ sung: %(components)s."),
            code="components_missing",
            components=", ".join(missing),
            errors=[
                {
                    "field": f"files[{code}]",
                    "code": "required",
                    "message": str(_("Cần tệp của thành phần này.")),
                }
                for code in missing
            ],
        )
    parts = {c.code: c for c in Component.objects.filter(version_id=dossier.procedure_version_id)}
    checked: list[tuple[Component, Checked]] = []
    try:
        for code in wanted:
            part = parts[code]
            try:
                one = component_file_check(component=part, upload=files[code])
            except ValidationError as exc:
                for error in exc.errors:
                    error["field"] = f"files[{code}]"
                raise
            checked.append((part, one))
    except BaseException:
        for _part, one in checked:
            one.close()
        raise
    return checked


def dossier_supplement(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    form_data: dict[str, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
    files: Mapping[str, Any] | None = None,
) -> Dossier:
    """The applicant (or an officer at the counter on the applicant's behalf) provides what
    was asked: 5 -> the status before the request. `form_data` is merged into the
    dossier's.

    `files` (component code -> an upload, or a list of scanned pages made one PDF) answers
    the request with files: exactly one per requested component (`component_not_requested`,
    `components_missing`), every file checked before anything is stored, stored and linked
    to the dossier in the transaction of the supplement (one event, `files` in its `after`);
    the stored bytes are deleted again when it fails. Without `files` (a paper supplement at
    the counter, e-form data only) nothing about files is checked.

    - asked before reception online (1): back to 1, the reception deadlines count again;
    - guided at the counter (no receipt yet): received now (2), the clock starts, form 01;
    - asked during processing (2, 4): the appointment and the current step move by the
      working time paused (the time spent counts); with the version's
      `supplement_restarts_clock` the clock restarts from zero instead."""
    checked = _check_supplement_files(dossier=dossier, files=files) if files else []
    saved: list[str] = []
    try:
        with transaction.atomic():
            return _supplement(
                dossier=dossier,
                actor=actor,
                now=now,
                form_data=form_data,
                note=note,
                expected_version=expected_version,
                checked=checked,
                saved=saved,
            )
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise
    finally:
        for _part, one in checked:
            one.close()


def _supplement(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    form_data: dict[str, Any] | None,
    note: str,
    expected_version: int | None,
    checked: list[tuple[Component, Checked]],
    saved: list[str],
) -> Dossier:
    change = begin(
        action="supplement",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    dossier = change.dossier
    guard_not_closed(dossier)
    if checked and [part.code for part, _one in checked] != requested_components(
        dossier=dossier
    ):  # the request changed while the files were checked
        raise Conflict(_("Yêu cầu bổ sung vừa thay đổi, vui lòng tải lại hồ sơ."))
    pause = Suspension.objects.get(dossier=dossier, ended_at__isnull=True)
    hours = end_open_suspension(dossier=dossier, now=now)
    if form_data:
        dossier.form_data = _supplemented_form(dossier=dossier, form_data=form_data, now=now)
    dossier.status = pause.resume_status
    extra: dict[str, Any] = {"paused_working_hours": str(hours)}
    if checked:
        extra["files"] = _store_supplement_files(
            dossier=dossier, actor=actor, now=now, checked=checked, saved=saved
        )
    if dossier.received_at is not None:
        # Asked during processing: the time spent counts, the clock only paused.
        if dossier.procedure_version.supplement_restarts_clock:
            start_processing_clock(dossier=dossier, at=now)
            extra["clock"] = "restarted"
        else:
            extend_appointment(dossier=dossier, hours=hours)
            extra["clock"] = "paused"
        extend_current_step(dossier=dossier, hours=hours)
    elif dossier.status == DossierStatus.RECEIVED:
        # Guided at the counter: the applicant came back with what was missing; the dossier
        # is received now, with everything entered at the first visit.
        dossier.status = DossierStatus.REGISTERED
        apply_reception(dossier=dossier, actor=actor, now=now)
        extra["received"] = True
    else:
        # Back at the one-stop: the reception deadlines count again from the supplement.
        set_reception_deadlines(dossier=dossier, arrival=now)
    payload = {"files": [f["file"] for f in extra["files"]]} if checked else None
    return change.commit(extra=extra, payload=payload)


def _store_supplement_files(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    checked: list[tuple[Component, Checked]],
    saved: list[str],
) -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = []
    for part, one in checked:
        stored = file_store_checked(actor=actor, checked=one, now=now)
        saved.append(stored.storage_name)
        DossierFile.objects.create(
            dossier=dossier,
            file=stored,
            kind=DossierFileKind.COMPONENT,
            component_code=part.code,
            added_by=actor if actor.is_authenticated else None,
            added_at=now,
        )
        facts.append(
            {
                "file": stored.pk,
                "component": part.code,
                "name": stored.name,
                "sha256": stored.sha256,
            }
        )
    return facts


def _supplemented_form(
    *, dossier: Dossier, form_data: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """The dossier's e-form with the supplement merged in, checked again as at submission:
    the applicant's verified identity stays locked (a supplement cannot change it)."""
    if dossier.applicant is not None:
        identity = Identity.of_user(dossier.applicant)
    else:
        identity = applicants.typed_identity(
            account=None,
            name=dossier.applicant_name,
            id_number=dossier.applicant_id_number,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
            address=dossier.applicant_address,
        )
    return applicants.form_clean(
        version=dossier.procedure_version,
        form_data={**dossier.form_data, **form_data},
        identity=applicants.with_principal(identity, dossier.representative or {}),
        today=local(now).date(),
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
        DossierStatus.NOT_RECEIVED if dossier.received_at is None else DossierStatus.STOPPED
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
    now: dt.datetime,
    amount_vnd: int | None = None,
    fee_name: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Financial obligation requested (tax, fee due during processing): 4 -> 6, a payment
    pause. An officer of the receiving or handling unit.

    The fee lines are written now (`services.fees.dossier_fees_charge_after`): one line of
    `amount_vnd` (named `fee_name`) when the officer gives the amount, else the version's
    "after" rules; the suspension's items and the event name the lines and the total, and the
    event the total due (`amount_due_vnd`: these lines and any earlier one still unpaid)."""
    change = begin(
        action="request_payment",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    dossier = change.dossier
    if amount_vnd is not None and (
        isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0
    ):
        raise ValidationError(
            _("Số tiền phải là số nguyên dương (đồng)."),
            code="invalid_amount",
            errors=[{"field": "amount_vnd", "code": "invalid"}],
        )
    lines = dossier_fees_charge_after(
        dossier=dossier, now=now, actor=actor, amount_vnd=amount_vnd, fee_name=fee_name
    )
    total = sum(line.net_vnd for line in lines)
    items = [{"fee_line": line.pk, "name": line.name, "amount_vnd": line.net_vnd} for line in lines]
    Suspension.objects.create(
        dossier=dossier,
        kind=SuspensionKind.PAYMENT,
        resume_status=DossierStatus.PROCESSING,
        started_at=now,
        reason=change.text,
        items=items,
    )
    dossier.status = DossierStatus.PAYMENT_REQUESTED
    ids = [line.pk for line in lines]
    # What the applicant must pay before the dossier goes on: these lines and any earlier one
    # still unpaid (the pause ends only when none is left), so the notice quotes that total.
    due = sum(line.net_vnd for line in dossier_fee_lines_payable(dossier_code=dossier.code))
    return change.commit(
        extra={"amount_vnd": total, "amount_due_vnd": due, "fee_lines": ids},
        payload={"amount_vnd": total, "amount_due_vnd": due, "fee_lines": ids},
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
    change = begin(
        action="confirm_payment",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    guard_fees_paid(change.dossier)
    hours = _resume(dossier=change.dossier, now=now)
    return change.commit(extra={"paused_working_hours": str(hours)})


@transaction.atomic
def dossier_payment_settle(*, dossier_code: str, now: dt.datetime) -> Dossier | None:
    """Called right after money moved for `dossier_code` (a verified gateway callback, a
    payment at the counter): a dossier waiting for its payment (6) with nothing left to pay
    resumes (6 -> 4, the system's action `payment_settled`), its appointment moved by the
    paused working time. Anything else: nothing (answers None). Safe to call again."""
    found = Dossier.objects.filter(code=dossier_code).first()
    if found is None or found.status != DossierStatus.PAYMENT_REQUESTED:
        return None
    dossier = lock_dossier(dossier=found, expected_version=None)
    if dossier.status != DossierStatus.PAYMENT_REQUESTED:
        return None
    if dossier_fee_lines_payable(dossier_code=dossier.code):
        return None
    before = snapshot(dossier)
    hours = _resume(dossier=dossier, now=now)
    commit_change(
        dossier=dossier,
        action="payment_settled",
        actor=None,
        actor_role=SYSTEM_ROLE,
        now=now,
        before=before,
        extra={"paused_working_hours": str(hours)},
    )
    return dossier


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
    change = begin(
        action="stop",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    Suspension.objects.create(
        dossier=change.dossier,
        kind=SuspensionKind.STOP,
        resume_status=DossierStatus.PROCESSING,
        started_at=now,
        reason=change.text,
    )
    change.dossier.status = DossierStatus.STOPPED
    return change.commit()


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
    change = begin(
        action="resume",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    guard_not_closed(change.dossier)
    hours = _resume(dossier=change.dossier, now=now)
    return change.commit(extra={"paused_working_hours": str(hours)})
