"""What every dossier service does the same way: lock, check the version, check the role,
check the transition, record the event, enqueue the side effect.

Private to `motcua.dossiers.services`; import the public services from the package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.deadlines.clock import WorkingClock, clock_for_unit
from motcua.deadlines.services import deadline_compute
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_roles_in_unit

from ..models import Dossier, DossierEvent, DossierStatus, StepResult, StepRun, Suspension

APPLICANT_ROLE = "applicant"
SYSTEM_ROLE = "system"

#: A step (or a dossier) finished with at least this much working time left is early.
EARLY_MARGIN_HOURS = Decimal(1)

#: Fields whose changes are written into the event's before/after.
TRACKED_FIELDS = (
    "status",
    "handling_unit_id",
    "received_at",
    "clock_started_at",
    "appointment_at",
    "new_appointment_at",
    "reception_alert_at",
    "reception_due_at",
    "finished_at",
    "returned_at",
    "closed_at",
    "supplement_count",
    "current_step_id",
    "form_data",
)


# --- locking and versions ---------------------------------------------------------------


def stored_text(message: Any, **params: Any) -> str:
    """Text kept as data (slip rows, notes) is stored in Vietnamese, the language of record,
    whatever the language of the request that wrote it."""
    with translation.override("vi"):
        text = str(message)
    return text % params if params else text


def lock_dossier(*, dossier: Dossier, expected_version: int | None) -> Dossier:
    """Reload the dossier under a row lock (must run inside the service's transaction) and
    refuse a stale caller."""
    locked = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure_version", "receiving_unit", "handling_unit")
        .get(pk=dossier.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _(
                "Hồ sơ vừa được người khác cập nhật, vui lòng tải lại (phiên bản %(current)s, "
                "bạn đang xem phiên bản %(expected)s)."
            ),
            current=locked.version,
            expected=expected_version,
        )
    return locked


# --- roles --------------------------------------------------------------------------------

_ROLE_PRIORITY = (Role.LEADER, Role.SPECIALIST, Role.OFFICER)


def require_role(
    *, actor: User | None, units: Iterable[Unit | None], roles: Iterable[str], doing: Any
) -> str:
    """The role under which `actor` may act: one of `roles` in one of `units`.

    Raises PermissionDenied (code "forbidden") otherwise. `doing` names the action in the
    message ("tiếp nhận")."""
    wanted = set(roles)
    if actor is not None and actor.is_authenticated:
        for unit in units:
            if unit is None:
                continue
            held = user_roles_in_unit(user=actor, unit=unit) & wanted
            if held:
                return next(str(r) for r in (*_ROLE_PRIORITY, *sorted(held)) if r in held)
    raise PermissionDenied(_("Bạn không có quyền %(doing)s hồ sơ này."), doing=str(doing))


def require_one_of(
    *,
    actor: User | None,
    options: Iterable[tuple[Iterable[Unit | None], Iterable[str]]],
    doing: Any,
) -> str:
    """Like require_role with alternatives: the first (units, roles) pair the actor meets."""
    for units, roles in options:
        try:
            return require_role(actor=actor, units=units, roles=roles, doing=doing)
        except PermissionDenied:
            continue
    raise PermissionDenied(_("Bạn không có quyền %(doing)s hồ sơ này."), doing=str(doing))


def is_applicant(*, actor: User | None, dossier: Dossier) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and dossier.applicant_id is not None
        and dossier.applicant_id == actor.pk
    )


# --- transitions ----------------------------------------------------------------------------


def require_status(
    *, dossier: Dossier, allowed: Iterable[int], doing: Any, code: str = "illegal_transition"
) -> None:
    """Raise IllegalTransition (naming the current status) unless the status is allowed."""
    if dossier.status not in set(allowed):
        raise illegal(dossier=dossier, doing=doing, code=code)


def illegal(*, dossier: Dossier, doing: Any, code: str = "illegal_transition") -> IllegalTransition:
    return IllegalTransition(
        _("Không thể %(doing)s: hồ sơ %(dossier)s đang ở trạng thái “%(status)s”."),
        code=code,
        doing=str(doing),
        dossier=dossier.code,
        status=str(DossierStatus(dossier.status).label),
    )


def require_text(value: str | None, *, field: str, message: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(
            message, code="required", errors=[{"field": field, "code": "required"}]
        )
    return text


# --- events and side effects ------------------------------------------------------------


def snapshot(dossier: Dossier) -> dict[str, Any]:
    return {name: _jsonable(getattr(dossier, name)) for name in TRACKED_FIELDS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def commit_change(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None,
    actor_role: str,
    now: dt.datetime,
    before: dict[str, Any],
    reason: str = "",
    extra: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> Dossier:
    """Bump the version, save, append the event (seq = new version) and enqueue
    `dossier.<action>` in the outbox. `extra` goes into the event's `after` as is."""
    status_before = before.get("status")
    dossier.version += 1
    dossier.updated_at = now
    dossier.save()
    after_all = snapshot(dossier)
    changed = [k for k in TRACKED_FIELDS if before.get(k) != after_all[k]]
    after = {k: after_all[k] for k in changed}
    if extra:
        after.update(extra)
    DossierEvent.objects.create(
        dossier=dossier,
        seq=dossier.version,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_role=actor_role,
        at=now,
        status_before=status_before,
        status_after=dossier.status,
        before={k: before.get(k) for k in changed},
        after=after,
        reason=reason,
    )
    message = {
        "code": dossier.code,
        "status": dossier.status,
        "action": action,
        "version": dossier.version,
    }
    if payload:
        message.update(payload)
    outbox_enqueue(topic=f"dossier.{action}", payload=message, now=now)
    return dossier


# --- time ---------------------------------------------------------------------------------


def appointment_clock(dossier: Dossier) -> WorkingClock:
    """The clock the appointment is kept in: the receiving unit's, which issued the receipt."""
    return clock_for_unit(dossier.receiving_unit)


def start_processing_clock(*, dossier: Dossier, at: dt.datetime) -> None:
    """Counting starts (or restarts from zero) at `at`: the clock's counting start for the
    channel and the version's cut-off, and the appointment from the full legal time."""
    version = dossier.procedure_version
    channel = dossier.channel_name
    online = dossier.channel == Dossier.Channel.ONLINE
    dossier.clock_started_at = appointment_clock(dossier).counting_start(
        at, channel=channel, cutoff=version.cutoff_time
    )
    dossier.appointment_at = deadline_compute(
        received_at=at,
        duration_value=version.legal_time(online=online),
        time_unit=version.time_unit,
        channel=channel,
        unit=dossier.receiving_unit,
        cutoff=version.cutoff_time,
    )


def reception_hours() -> tuple[Decimal, Decimal]:
    """(alert, due): working hours after an online dossier's arrival within which the
    one-stop is alerted and must accept it or ask for a supplement (domain.md section 3).
    Settings `MOTCUA_RECEPTION_ALERT_HOURS` (2) and `MOTCUA_RECEPTION_DUE_HOURS` (8)."""
    alert = Decimal(str(getattr(settings, "MOTCUA_RECEPTION_ALERT_HOURS", 2)))
    due = Decimal(str(getattr(settings, "MOTCUA_RECEPTION_DUE_HOURS", 8)))
    return alert, due


def reception_deadlines(
    *, unit: Unit, channel: int, arrival: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(alert, due) for a dossier arriving at `arrival` at `unit` (domain.md section 3):
    online dossiers only, on the receiving unit's clock, counted from the arrival's counting
    start as at the counter (outside office hours: the next block). The online
    last-office-hour rule is for the processing clock, not for reception. Other channels are
    received on the spot: (None, None)."""
    if channel != Dossier.Channel.ONLINE:
        return None, None
    clock = clock_for_unit(unit)
    start = clock.counting_start(arrival, channel="counter")
    alert_hours, due_hours = reception_hours()
    return clock.add_working_hours(start, alert_hours), clock.add_working_hours(start, due_hours)


def set_reception_deadlines(*, dossier: Dossier, arrival: dt.datetime) -> None:
    """The dossier (back) at the one-stop waiting for reception from `arrival`: new alert and
    due instants, and the alert may be sent again."""
    dossier.reception_alert_at, dossier.reception_due_at = reception_deadlines(
        unit=dossier.receiving_unit, channel=dossier.channel, arrival=arrival
    )
    dossier.reception_alerted_at = None


def reception_on_time(*, dossier: Dossier, at: dt.datetime) -> bool | None:
    """Whether an online dossier handled at `at` (received, or sent back for a supplement)
    was handled by its reception due instant; None when it has none."""
    if dossier.reception_due_at is None:
        return None
    return at <= dossier.reception_due_at


def extend_appointment(*, dossier: Dossier, hours: Decimal) -> None:
    """Move the appointment (and the new date of an apology) by `hours` working hours."""
    if hours <= 0:
        return
    clock = appointment_clock(dossier)
    if dossier.appointment_at is not None:
        dossier.appointment_at = clock.add_working_hours(dossier.appointment_at, hours)
    if dossier.new_appointment_at is not None:
        dossier.new_appointment_at = clock.add_working_hours(dossier.new_appointment_at, hours)


def classify(*, finished_at: dt.datetime, due_at: dt.datetime, clock: WorkingClock) -> str:
    """early: finished with at least EARLY_MARGIN_HOURS working hours left before the due
    instant; on_time: finished by the due instant; late: after it."""
    if finished_at > due_at:
        return StepResult.LATE
    if clock.working_hours_between(finished_at, due_at) >= EARLY_MARGIN_HOURS:
        return StepResult.EARLY
    return StepResult.ON_TIME


# --- the slip ------------------------------------------------------------------------------


def finish_step(
    *, run: StepRun, actor: User | None, now: dt.datetime, note: str = "", classify_it: bool
) -> None:
    """Close an open slip row; with `classify_it` the result is early / on time / late."""
    run.finished_at = now
    run.finished_by = actor if actor is not None and actor.is_authenticated else None
    if classify_it:
        run.result = classify(finished_at=now, due_at=run.due_at, clock=clock_for_unit(run.unit))
    if note:
        run.note = f"{run.note}\n{note}".strip()
    run.save()


def next_order(dossier: Dossier) -> int:
    last = (
        StepRun.objects.filter(dossier=dossier)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    return (last or 0) + 1


def extend_current_step(*, dossier: Dossier, hours: Decimal) -> None:
    """A pause stops the current step's clock too: its due moves by the paused time."""
    if hours <= 0 or dossier.current_step_id is None:
        return
    run = StepRun.objects.get(pk=dossier.current_step_id)
    if run.finished_at is None:
        run.due_at = clock_for_unit(run.unit).add_working_hours(run.due_at, hours)
        run.save(update_fields=["due_at"])


# --- pauses -------------------------------------------------------------------------------


def end_open_suspension(*, dossier: Dossier, now: dt.datetime) -> Decimal:
    """Close the open pause, if any; returns the working hours it lasted (exact; the row
    keeps them to two decimals), 0 when nothing was open."""
    pause = Suspension.objects.filter(dossier=dossier, ended_at__isnull=True).first()
    if pause is None:
        return Decimal(0)
    pause.ended_at = now
    hours = max(Decimal(0), appointment_clock(dossier).working_hours_between(pause.started_at, now))
    pause.working_hours = hours.quantize(Decimal("0.01"))
    pause.save(update_fields=["ended_at", "working_hours"])
    return hours
