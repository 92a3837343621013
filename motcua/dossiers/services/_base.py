"""What every dossier service does the same way: lock, check the version, check the role,
check the transition, record the event, enqueue the side effect.

Private to `motcua.dossiers.services`; import the public services from the package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import AcceptedForm, Component
from motcua.catalog.text import asks_certified_copy
from motcua.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.deadlines.clock import WorkingClock, clock_for_unit
from motcua.deadlines.services import deadline_compute
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_roles_in_unit

from ..lifecycle import APPLICANT_ROLE, SYSTEM_ROLE, TRANSITIONS, Transition, actor_role_for
from ..models import (
    Dossier,
    DossierEvent,
    DossierStatus,
    StepResult,
    StepRun,
    StepRunKind,
    Suspension,
    SuspensionKind,
)

__all__ = ["APPLICANT_ROLE", "SYSTEM_ROLE"]

#: The apology (form 04) is issued at least this many working hours before the appointment.
APOLOGY_NOTICE_HOURS = Decimal(8)

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
    "result_outcome",
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
        .select_related("procedure_version__procedure", "receiving_unit", "handling_unit")
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


# --- roles and transitions: the table in `motcua.dossiers.lifecycle` ------------------------

_ROLE_PRIORITY = (Role.LEADER, Role.SPECIALIST, Role.OFFICER)


def require_role(
    *, actor: User | None, units: Iterable[Unit | None], roles: Iterable[str], doing: Any
) -> str:
    """The role under which `actor` may act: one of `roles` in one of `units` (for the
    services that create a dossier; actions on an existing one go through `begin`).

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
    raise forbidden(doing)


def forbidden(doing: Any) -> PermissionDenied:
    return PermissionDenied(_("Bạn không có quyền %(doing)s hồ sơ này."), doing=str(doing))


def illegal(*, dossier: Dossier, doing: Any, code: str = "illegal_transition") -> IllegalTransition:
    return IllegalTransition(
        _("Không thể %(doing)s: hồ sơ %(dossier)s đang ở trạng thái “%(status)s”."),
        code=code,
        doing=str(doing),
        dossier=dossier.code,
        status=str(DossierStatus(dossier.status).label),
    )


def current_run(dossier: Dossier) -> StepRun | None:
    """The open slip row the dossier is at, if any, annotated with `last_order`: the
    highest row number of the dossier's slip (what `next_order` needs, in the same query),
    and `consulting`: whether a consultation awaits an answer (`open_consultation`)."""
    if dossier.current_step_id is None:
        return None
    last = StepRun.objects.filter(dossier_id=OuterRef("dossier_id")).order_by("-order")
    consulting = StepRun.objects.filter(
        dossier_id=OuterRef("dossier_id"), kind=StepRunKind.CONSULT, finished_at__isnull=True
    )
    run = (
        StepRun.objects.select_related("unit", "step")
        .annotate(last_order=Subquery(last.values("order")[:1]), consulting=Exists(consulting))
        .get(pk=dossier.current_step_id)
    )
    return run if run.finished_at is None else None


@dataclass
class Change:
    """A transition under way (see `begin`): the locked dossier, the table's row, the role
    the actor acts under, the open slip row and the snapshot before the change."""

    dossier: Dossier
    transition: Transition
    actor: User | None
    role: str
    now: dt.datetime
    before: dict[str, Any]
    run: StepRun | None
    text: str

    def commit(
        self, *, extra: dict[str, Any] | None = None, payload: dict[str, Any] | None = None
    ) -> Dossier:
        return commit_change(
            dossier=self.dossier,
            action=self.transition.action,
            actor=self.actor,
            actor_role=self.role,
            now=self.now,
            before=self.before,
            reason=self.text,
            extra=extra,
            payload=payload,
        )


def begin(
    *,
    action: str,
    dossier: Dossier,
    actor: User | None,
    now: dt.datetime,
    expected_version: int | None,
    text: str | None = "",
) -> Change:
    """What every action does first, from the lifecycle table: lock the dossier row and
    compare `expected_version` (Conflict), check the actor's role for the current status
    (PermissionDenied), the status (IllegalTransition, the table's code) and the reason
    when the table requires one (ValidationError `required`); then snapshot the tracked
    fields. Must run inside the service's transaction; finish with `Change.commit`."""
    transition = TRANSITIONS[action]
    doing = transition.doing
    dossier = lock_dossier(dossier=dossier, expected_version=expected_version)
    run = current_run(dossier)
    role = actor_role_for(transition=transition, actor=actor, dossier=dossier, run=run)
    if role is None:
        raise forbidden(doing)
    if dossier.status not in transition.sources:
        raise illegal(dossier=dossier, doing=doing, code=transition.illegal_code(dossier.status))
    cleaned = (text or "").strip()
    if transition.reason_required:
        cleaned = require_text(cleaned, field="reason", message=_("Cần ghi rõ lý do."))
    return Change(
        dossier=dossier,
        transition=transition,
        actor=actor,
        role=role,
        now=now,
        before=snapshot(dossier),
        run=run,
        text=cleaned,
    )


def supplements_during_processing(dossier: Dossier) -> int:
    """How many supplements were asked after the receipt was issued."""
    if dossier.received_at is None:
        return 0
    return Suspension.objects.filter(
        dossier=dossier, kind=SuspensionKind.SUPPLEMENT, started_at__gte=dossier.received_at
    ).count()


def clean_supplement_items(
    *, dossier: Dossier, items: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """The complete list of what is missing, each with its reason. A `component` that is a
    component code of the version gets its name attached; free text is kept as is. `form`
    (optional) is the accepted form asked for (`motcua.catalog.models.AcceptedForm`).

    The certified-copy guard (Decree 23/2015/NĐ-CP, domain.md section 6): an item asking for
    a certified copy — `form` `certified_copy`, or a reason that says so — is refused
    (`certified_copy_not_required`) unless it names a component whose catalog entry allows
    one (`Component.certified_copy_allowed`)."""
    if not items:
        raise ValidationError(
            _("Cần liệt kê đầy đủ các giấy tờ, thông tin cần bổ sung."),
            code="items_required",
            errors=[{"field": "items", "code": "required"}],
        )
    components = {c.code: c for c in Component.objects.filter(version=dossier.procedure_version)}
    cleaned: list[dict[str, str]] = []
    errors: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        component = str((item or {}).get("component") or "").strip()
        reason = str((item or {}).get("reason") or "").strip()
        form = str((item or {}).get("form") or "").strip()
        if not component:
            errors.append({"field": f"items[{index}].component", "code": "required"})
        if not reason:
            errors.append({"field": f"items[{index}].reason", "code": "required"})
        if form and form not in AcceptedForm.values:
            errors.append({"field": f"items[{index}].form", "code": "invalid_choice"})
        entry = {"component": component, "reason": reason}
        part = components.get(component)
        if part is not None:
            entry["name"] = part.name
        if form:
            entry["form"] = form
        asks = form == AcceptedForm.CERTIFIED_COPY or asks_certified_copy(reason)
        if asks and (part is None or not part.certified_copy_allowed):
            refused.append(
                {
                    "field": f"items[{index}].form" if form else f"items[{index}].reason",
                    "code": "certified_copy_not_required",
                    "message": str(CERTIFIED_COPY_NOT_REQUIRED % {"component": component}),
                }
            )
        cleaned.append(entry)
    if errors:
        raise ValidationError(
            _("Mỗi nội dung cần bổ sung phải nêu giấy tờ và lý do."),
            code="items_invalid",
            errors=errors,
        )
    if refused:
        raise ValidationError(
            _(
                "Không được yêu cầu bản sao chứng thực đối với giấy tờ mà quy định của thủ tục "
                "không đòi hỏi (Nghị định 23/2015/NĐ-CP): chấp nhận bản chụp kèm bản chính để "
                "đối chiếu hoặc bản sao điện tử."
            ),
            code="certified_copy_not_required",
            errors=refused,
        )
    return cleaned


CERTIFIED_COPY_NOT_REQUIRED = _("Thủ tục không yêu cầu bản sao chứng thực của “%(component)s”.")


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


def arrival_at(dossier: Dossier) -> dt.datetime:
    """When the complete dossier arrived at the one-stop: its submission, or the end of the
    last supplement asked before reception."""
    if dossier.supplement_count == 0:
        return dossier.submitted_at
    last = (
        Suspension.objects.filter(
            dossier=dossier, kind=SuspensionKind.SUPPLEMENT, ended_at__isnull=False
        )
        .order_by("-ended_at")
        .values_list("ended_at", flat=True)
        .first()
    )
    return max(dossier.submitted_at, last) if last is not None else dossier.submitted_at


def start_processing_clock(*, dossier: Dossier, at: dt.datetime) -> None:
    """Counting starts (or restarts from zero) at the reception `at` (domain.md section 4):
    the counting start of `at` (office hours, the version's cut-off) and the appointment from
    the full legal time. For an online dossier the last-office-hour rule is about its
    *arrival*: the clock starts at its acceptance, but never before 07:00 of the next working
    day when it arrived from 16:00 to 17:00 ("Online, last office hour")."""
    version = dossier.procedure_version
    clock = appointment_clock(dossier)
    start = clock.counting_start(at, channel="counter", cutoff=version.cutoff_time)
    online = dossier.channel == Dossier.Channel.ONLINE
    if online:
        arrival = clock.counting_start(
            arrival_at(dossier), channel="online", cutoff=version.cutoff_time
        )
        start = max(start, arrival)
    dossier.clock_started_at = start
    if version.settled_in_session:
        # "No appointment day" (domain.md section 9): the result is given within the session
        # the dossier was received in, whatever its legal time.
        dossier.appointment_at = clock.end_of_session(start)
        return
    # `start` is inside an office block, so counting from it (as at the counter, without a
    # cut-off) starts at `start` itself.
    dossier.appointment_at = deadline_compute(
        received_at=start,
        duration_value=version.legal_time(online=online),
        time_unit=version.time_unit,
        channel="counter",
        unit=dossier.receiving_unit,
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


def next_order(dossier: Dossier, *, run: StepRun | None = None) -> int:
    """The number of the next slip row. Give the `run` read by `current_run` when no row was
    added since: its `last_order` saves the query."""
    known = getattr(run, "last_order", None)
    if known is not None:
        return int(known) + 1
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
