"""Reads of dossiers. Protected objects only through access selectors that know the actor.

Who sees a dossier:
- its applicant (a citizen or organisation account sees only its own dossiers);
- anyone holding a role (officer, specialist, leader, supervisor, auditor, integrator, ...)
  in its receiving or handling unit, or in a unit that performs a step of its process (a
  named unit), directly or through an assignment covering subunits.
Anyone else gets NotFound, never PermissionDenied: existence is not leaked.
A staff read of one dossier writes a core.DataAccessLog row (Law 91/2025).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import ProcessStep
from motcua.catalog.selectors import version_components
from motcua.core.addresses import name_sort_key
from motcua.core.clock import VN_TZ, local
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.core.models import DataAccessLog
from motcua.core.services import data_access_record, data_access_record_many
from motcua.deadlines.clock import WorkingClock
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import (
    unit_choices,
    unit_descendant_ids,
    user_unit_ids,
    users_with_role_in_unit,
)

from .lifecycle import (
    TRANSITIONS,
    ActionField,
    ActionOption,
    Choice,
    FieldKind,
    FieldOption,
    RoleCache,
    Transition,
    actor_role_for,
)
from .models import (
    IN_PROGRESS_STATUSES,
    PAUSED_STATUSES,
    ApplicationDraft,
    CertifiedCopyReport,
    Channel,
    ComponentSource,
    Dossier,
    DossierComponentSource,
    DossierEvent,
    DossierFile,
    DossierStatus,
    DraftStatus,
    ResultOutcome,
    StepRun,
    StepRunKind,
    Suspension,
)
from .services._base import current_run
from .services.guards import (
    fees_unpaid_codes,
    guard_apology,
    guard_consultation,
    guard_fees_paid,
    guard_next_step,
    guard_no_consultation,
    guard_not_closed,
    guard_previous_step,
    guard_result_step,
    guard_supplement_once,
)
from .services.steps import next_process_step, process_steps, step_unit
from .services.suspensions import requested_components


class _PkInSubquery(Expression):
    """`pk IN (subquery)`, written `pk = ANY(ARRAY(subquery))` on PostgreSQL: there the
    subquery runs once (an init plan) and its ids become an index condition on the primary
    key, so the planner can OR it with the other arms of the access rule (a BitmapOr of
    index scans) instead of testing a subplan against every candidate row."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, subquery: QuerySet[Any]) -> None:
        super().__init__()
        self.lhs: Any = F("pk")
        self.subquery: Any = Subquery(subquery)

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs, self.subquery]

    def set_source_expressions(self, exprs: Any) -> None:
        self.lhs, self.subquery = exprs

    def _parts(self, compiler: SQLCompiler) -> tuple[str, str, tuple[Any, ...]]:
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        sub_sql, sub_params = compiler.compile(self.subquery)
        return lhs_sql, sub_sql, (*lhs_params, *sub_params)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        lhs, sub, params = self._parts(compiler)
        return f"{lhs} IN {sub}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> Any:
        lhs, sub, params = self._parts(compiler)
        return f"{lhs} = ANY(ARRAY{sub})", params


def _visible_q(*, actor: User) -> Q | None:
    if not actor.is_authenticated or not actor.is_active:
        return None
    condition = Q(applicant_id=actor.pk)
    units = user_unit_ids(user=actor)
    if units:
        # A unit that performs a step of the dossier's process (a step in a named unit: a
        # department consulted) sees it too: its people are given the step and act on it.
        # A row in the receiving or handling unit adds nothing to the first two arms: only
        # the rows `outside` them are looked up. Every arm is an index condition
        # (docs/architecture.md, "Performance").
        condition |= (
            Q(receiving_unit_id__in=units)
            | Q(handling_unit_id__in=units)
            | Q(
                _PkInSubquery(
                    StepRun.objects.filter(unit_id__in=units, outside=True)
                    .order_by()
                    .values("dossier_id")
                )
            )
        )
    return condition


def dossier_codes_visible_to(*, actor: User, codes: Iterable[str]) -> set[str]:
    """Which of `codes` are dossiers `actor` may see (an administrator: all that exist). For
    telling an integrator's webhook only about its own dossiers; nothing is logged (no
    personal data is read)."""
    wanted = set(codes)
    if not wanted or not actor.is_active:
        return set()
    if actor.is_superuser:
        return set(Dossier.objects.filter(code__in=wanted).values_list("code", flat=True))
    condition = _visible_q(actor=actor)
    if condition is None:
        return set()
    return set(Dossier.objects.filter(condition, code__in=wanted).values_list("code", flat=True))


def log_personal_data_read(
    *,
    actor: User,
    dossier: Dossier,
    now: dt.datetime,
    purpose: str = "dossier_view",
    channel: str = "web",
) -> DataAccessLog | None:
    """Record that `actor` read the personal data in `dossier` (not when it is their own)."""
    if dossier.applicant_id is not None and dossier.applicant_id == actor.pk:
        return None
    return data_access_record(
        actor=actor,
        subject_type="dossier",
        subject_id=dossier.code,
        purpose=purpose,
        channel=channel,
        now=now,
    )


#: DataAccessLog.subject_id holds at most this much of a search text.
SEARCH_TEXT_LOGGED = 64


def log_personal_data_list(
    *,
    actor: User,
    dossiers: Iterable[Dossier],
    now: dt.datetime,
    search: str = "",
    channel: str = "web",
) -> int:
    """Record that `actor` saw a page of dossiers (the applicants' names and numbers): one
    row per dossier shown, not their own (purpose `dossier_list`, or `dossier_search` for a
    search's results), plus for a search one row with what was searched for (subject type
    `dossier_search`: an id number or a name identifies whom the search was about, even when
    nothing was found). Returns the number of rows written. The data itself is never logged."""
    term = search.strip()
    purpose = "dossier_search" if term else "dossier_list"
    codes = [d.code for d in dossiers if d.applicant_id is None or d.applicant_id != actor.pk]
    rows = 0
    if term:
        data_access_record(
            actor=actor,
            subject_type="dossier_search",
            subject_id=term[:SEARCH_TEXT_LOGGED],
            purpose=purpose,
            channel=channel,
            now=now,
        )
        rows += 1
    if codes:
        rows += len(
            data_access_record_many(
                actor=actor,
                subject_type="dossier",
                subject_ids=codes,
                purpose=purpose,
                channel=channel,
                now=now,
            )
        )
    return rows


def dossier_get_for_actor(
    *,
    actor: User,
    code: str,
    now: dt.datetime,
    purpose: str = "dossier_view",
    channel: str = "web",
) -> Dossier:
    """The dossier `code` if `actor` may see it, else NotFound. Logs staff reads."""
    condition = _visible_q(actor=actor)
    dossier = None
    if condition is not None:
        dossier = (
            Dossier.objects.filter(condition, code=code)
            .select_related(
                "procedure_version__procedure",
                "receiving_unit",
                "handling_unit",
                "service_point",
                "current_step__assignee",
            )
            .first()
        )
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(dossier)s."), dossier=code)
    log_personal_data_read(actor=actor, dossier=dossier, now=now, purpose=purpose, channel=channel)
    return dossier


def dossier_list_for_actor(
    *,
    actor: User,
    status: int | list[int] | None = None,
    channel: int | None = None,
    unit_id: int | None = None,
    procedure_code: str | None = None,
    search: str | None = None,
    submitted_from: dt.datetime | None = None,
    submitted_to: dt.datetime | None = None,
    overdue_at: dt.datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers `actor` may see, newest first, filtered. `unit_id` keeps those received
    at or handled by that unit; `search` matches the code or the applicant's name or number;
    `overdue_at` keeps those overdue at that instant."""
    condition = _visible_q(actor=actor)
    if condition is None:
        return Dossier.objects.none()
    dossiers = Dossier.objects.filter(condition)
    if status is not None:
        dossiers = dossiers.filter(status__in=status if isinstance(status, list) else [status])
    if channel is not None:
        dossiers = dossiers.filter(channel=channel)
    if unit_id is not None:
        dossiers = dossiers.for_units({unit_id})
    if procedure_code:
        dossiers = dossiers.filter(procedure_version__procedure__code=procedure_code)
    if search:
        term = search.strip()
        dossiers = dossiers.filter(
            Q(code__icontains=term)
            | Q(applicant_name__icontains=term)
            | Q(applicant_id_number=term)
        )
    if submitted_from is not None:
        dossiers = dossiers.filter(submitted_at__gte=submitted_from)
    if submitted_to is not None:
        dossiers = dossiers.filter(submitted_at__lt=submitted_to)
    if overdue_at is not None:
        dossiers = dossiers.overdue(overdue_at)
    return dossiers.select_related(
        "procedure_version__procedure", "receiving_unit", "handling_unit"
    ).order_by("-submitted_at", "-id")


def dossier_reception_queue(*, actor: User, now: dt.datetime) -> QuerySet[Dossier]:
    """The dossiers waiting for reception (status 1) at the units where `actor` is a one-stop
    officer, the most urgent first (`reception_due_at`, those without one last), each
    annotated with `reception_state`: "late" (now past the due instant), "alert" (the alert
    instant reached) or "ok". Anyone else gets an empty queryset."""
    units = user_unit_ids(user=actor, roles=[Role.OFFICER])
    if not units:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(status=DossierStatus.REGISTERED, receiving_unit_id__in=units)
        .annotate(
            reception_state=Case(
                When(reception_due_at__lt=now, then=Value("late")),
                When(reception_alert_at__lte=now, then=Value("alert")),
                default=Value("ok"),
                output_field=CharField(),
            )
        )
        .select_related("procedure_version__procedure", "receiving_unit", "handling_unit")
        .order_by(F("reception_due_at").asc(nulls_last=True), "submitted_at", "id")
    )


def dossier_events(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    """The dossier's history, oldest first. Call after an access selector."""
    return DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq")


def dossier_steps(*, dossier: Dossier) -> QuerySet[StepRun]:
    """The process control slip (form 06), in order. Call after an access selector."""
    return (
        StepRun.objects.filter(dossier=dossier)
        .select_related("unit", "step", "assignee", "given_by", "finished_by")
        .order_by("order")
    )


def dossier_process(*, dossier: Dossier) -> list[tuple[ProcessStep, Unit]]:
    """The internal process of the dossier's version, in order, each step with the unit it
    happens in for this dossier (cached reference data: no query once warm)."""
    return [
        (step, step_unit(dossier=dossier, step=step))
        for step in process_steps(dossier.procedure_version)
    ]


def dossier_suspensions(*, dossier: Dossier) -> QuerySet[Suspension]:
    """The pauses, oldest first. Call after an access selector."""
    return Suspension.objects.filter(dossier=dossier).order_by("started_at", "id")


# --- what an actor may do now -------------------------------------------------------------


def _guard_allows(
    transition: Transition, *, dossier: Dossier, run: StepRun | None, now: dt.datetime
) -> bool:
    """The table's guards beyond the status, by the same functions the services call."""
    try:
        if transition.action in {"supplement", "withdraw", "resume"}:
            guard_not_closed(dossier)
        elif transition.action == "request_supplement":
            guard_supplement_once(dossier)
        elif transition.action == "forward":
            guard_no_consultation(dossier, run)
            guard_next_step(dossier=dossier, run=run)
        elif transition.action == "return_step":
            guard_no_consultation(dossier, run)
            guard_previous_step(dossier=dossier, run=run)
        elif transition.action == "issue_result":
            guard_no_consultation(dossier, run)
            guard_result_step(dossier=dossier, run=run)
        elif transition.action == "consult":
            guard_no_consultation(dossier, run)
        elif transition.action == "answer_consult":
            guard_consultation(dossier, run)
        elif transition.action == "apologize":
            guard_apology(dossier=dossier, now=now)
        elif transition.action == "confirm_payment":
            guard_fees_paid(dossier)
    except DomainError:
        return False
    return True


def _choices(field: ActionField, *, dossier: Dossier, run: StepRun | None) -> list[Choice] | None:
    if field.kind == FieldKind.USER:  # forward: who holds the next step's role there
        following = next_process_step(dossier=dossier, run=run)
        if following is None or not following.role:
            return []
        unit = step_unit(dossier=dossier, step=following)
        return [
            Choice(value=user.pk, label=user.display_name)
            for user in users_with_role_in_unit(unit=unit, role=following.role)
        ]
    if field.kind == FieldKind.UNIT:  # transfer, consult: the active units of the province
        known = getattr(dossier, "_unit_choices", None)  # read once for both actions
        if known is None:
            known = [
                Choice(value=code, label=name)
                for pk, code, name in unit_choices(
                    province_code=dossier.handling_unit.province_code
                )
                if pk != dossier.handling_unit_id
            ]
            dossier._unit_choices = known  # type: ignore[attr-defined]
        return list(known)
    if field.kind == FieldKind.CHOICE:
        if field.options is not None:
            return [Choice(value=value, label=str(label)) for value, label in field.options]
        return [Choice(value=value, label=str(label)) for value, label in ResultOutcome.choices]
    if field.kind == FieldKind.ITEMS:  # the version's components (free text is allowed too)
        return [
            Choice(value=code, label=name)
            for code, name in version_components(version_id=dossier.procedure_version_id)
        ]
    if field.kind == FieldKind.FILES:  # supplement: the components the request asks for
        names = dict(version_components(version_id=dossier.procedure_version_id))
        return [
            Choice(value=code, label=names[code]) for code in requested_components(dossier=dossier)
        ]
    return None


def _current_run_of(dossier: Dossier, runs: list[StepRun]) -> StepRun | None:
    """`current_run` from the dossier's whole slip (`dossier_steps`) instead of a query: the
    open current row with `last_order` and `consulting`; the open consultation is noted on
    the dossier as `open_consultation` would read it."""
    consultations = [r for r in runs if r.kind == StepRunKind.CONSULT and r.finished_at is None]
    dossier._open_consultation = (  # type: ignore[attr-defined]
        max(consultations, key=lambda r: r.order) if consultations else None
    )
    run = next((r for r in runs if r.pk == dossier.current_step_id), None)
    if run is None or run.finished_at is not None:
        return None
    run.last_order = max(r.order for r in runs)  # type: ignore[attr-defined]
    run.consulting = bool(consultations)  # type: ignore[attr-defined]
    return run


def dossier_actions_for(
    *, actor: User, dossier: Dossier, now: dt.datetime, runs: list[StepRun] | None = None
) -> list[ActionOption]:
    """What `actor` may do on `dossier` now, in the order of the lifecycle table: each
    action the actor's role allows from the current status whose guards hold, with its
    fields and, for a choice (the next assignee, the target unit, the outcome, the
    components), the allowed values. Call after an access selector. Interfaces render
    exactly this; the services accept exactly this (the matrix test proves it). `runs`, the
    dossier's slip as `dossier_steps` gives it when the caller has read it, saves reading
    the current step again."""
    loaded = all(
        Dossier._meta.get_field(name).is_cached(dossier)  # type: ignore[union-attr]
        for name in ("procedure_version", "receiving_unit", "handling_unit")
    )
    if not loaded:  # as an access selector gives it, the dossier needs no second read
        dossier = Dossier.objects.select_related(
            "procedure_version", "receiving_unit", "handling_unit"
        ).get(pk=dossier.pk)
    run = current_run(dossier) if runs is None else _current_run_of(dossier, runs)
    return _options_for(actor=actor, dossier=dossier, run=run, roles=RoleCache(actor), now=now)


def dossier_actions_for_many(
    *, actor: User, dossiers: Iterable[Dossier], now: dt.datetime
) -> dict[int, list[ActionOption]]:
    """`dossier_actions_for` for a page of dossiers (a list's rows), by dossier id, with the
    actor's roles read once per unit and the dossiers as given (load them with their
    units). The fields come without their allowed values (`choices` is None): a row offers
    the actions; the dossier page (`dossier_actions_for`) lists the values."""
    roles = RoleCache(actor)
    dossiers = list(dossiers)
    waiting = [d.code for d in dossiers if d.status == DossierStatus.PAYMENT_REQUESTED]
    unpaid = fees_unpaid_codes(waiting)
    for dossier in dossiers:
        if dossier.status == DossierStatus.PAYMENT_REQUESTED:
            dossier._fees_unpaid = dossier.code in unpaid  # type: ignore[attr-defined]
    return {
        dossier.pk: _options_for(
            actor=actor,
            dossier=dossier,
            run=current_run(dossier),
            roles=roles,
            now=now,
            with_choices=False,
        )
        for dossier in dossiers
    }


def _options_for(
    *,
    actor: User,
    dossier: Dossier,
    run: StepRun | None,
    roles: RoleCache,
    now: dt.datetime,
    with_choices: bool = True,
) -> list[ActionOption]:
    options: list[ActionOption] = []
    for transition in TRANSITIONS.values():
        if dossier.status not in transition.sources:
            continue
        role = actor_role_for(
            transition=transition, actor=actor, dossier=dossier, run=run, roles=roles
        )
        if role is None or not _guard_allows(transition, dossier=dossier, run=run, now=now):
            continue
        options.append(
            ActionOption(
                action=transition.action,
                label=str(transition.label),
                role=role,
                form=transition.form,
                reason_required=transition.reason_required,
                fields=[
                    FieldOption(
                        name=f.name,
                        kind=str(f.kind),
                        label=str(f.label),
                        required=f.required or (f.name == "reason" and transition.reason_required),
                        choices=(_choices(f, dossier=dossier, run=run) if with_choices else None),
                    )
                    for f in transition.fields
                ],
            )
        )
    return options


# --- files ----------------------------------------------------------------------------------


def dossier_files(*, dossier: Dossier) -> QuerySet[DossierFile]:
    """The files of `dossier` (whoever asks has already been allowed to see it), oldest first."""
    return (
        DossierFile.objects.filter(dossier=dossier)
        .select_related("file")
        .order_by("added_at", "id")
    )


def dossier_file_get_for_actor(
    *, actor: User, file_id: int, now: dt.datetime, channel: str = "web"
) -> DossierFile:
    """The dossier file whose stored file is `file_id`, if `actor` may see its dossier (the
    dossier access rule above), else NotFound. A read by anyone but the applicant is logged
    (subject `file`, purpose `file_download`)."""
    condition = _visible_q(actor=actor)
    link = None
    if condition is not None:
        visible = Dossier.objects.filter(condition).values("pk")
        link = (
            DossierFile.objects.filter(file_id=file_id, dossier_id__in=visible)
            .select_related("file", "dossier")
            .first()
        )
    if link is None:
        raise NotFound(_("Không tìm thấy tệp %(file)s."), file=file_id)
    if link.dossier.applicant_id is None or link.dossier.applicant_id != actor.pk:
        data_access_record(
            actor=actor,
            subject_type="file",
            subject_id=str(file_id),
            purpose="file_download",
            channel=channel,
            now=now,
        )
    return link


# --- reuse (quality index) ------------------------------------------------------------------


@dataclass(frozen=True)
class ReuseCounts:
    """Dossiers submitted in a period, and among them those with at least one component
    reused from a data store, filled from national data, or either (Decision 766/QĐ-TTg:
    "dossiers reusing digitised components", "dossiers using the data store and population
    data")."""

    dossiers: int
    reused: int
    national_data: int
    reusing: int


def dossier_reuse_counts(
    *, start: dt.datetime, end: dt.datetime, unit_ids: Iterable[int] | None = None
) -> ReuseCounts:
    """Counts for dossiers submitted in [start, end), received at or handled by one of
    `unit_ids` when given (all units otherwise)."""
    dossiers = Dossier.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if unit_ids is not None:
        dossiers = dossiers.for_units(set(unit_ids))

    def having(*sources: str) -> int:
        return dossiers.filter(
            Exists(
                DossierComponentSource.objects.filter(dossier_id=OuterRef("pk"), source__in=sources)
            )
        ).count()

    return ReuseCounts(
        dossiers=dossiers.count(),
        reused=having(ComponentSource.REUSED),
        national_data=having(ComponentSource.NATIONAL_DATA),
        reusing=having(ComponentSource.REUSED, ComponentSource.NATIONAL_DATA),
    )


# --- work queues (the staff workspace) ----------------------------------------------------

#: The buckets of the work queue, in the order the workspace shows them.
QUEUE_BUCKETS = ("today", "soon", "late", "waiting")
#: "Due within 2 working days": this many working hours from now (domain.md section 4).
QUEUE_SOON_HOURS = 16


def _due_expression() -> Case:
    """The appointment the applicant was last given (`Dossier.effective_appointment_at`)."""
    return Case(
        When(
            Q(new_appointment_at__isnull=False)
            & (Q(appointment_at__isnull=True) | Q(new_appointment_at__gt=F("appointment_at"))),
            then=F("new_appointment_at"),
        ),
        default=F("appointment_at"),
    )


@dataclass(frozen=True)
class QueueBounds:
    """The instants that split the in-progress dossiers into buckets."""

    now: dt.datetime
    today_end: dt.datetime  # local midnight after `now`
    soon_end: dt.datetime  # `QUEUE_SOON_HOURS` working hours after `now`


def queue_bounds(*, now: dt.datetime, clock: WorkingClock) -> QueueBounds:
    local_now = local(now)
    today_end = dt.datetime.combine(
        local_now.date() + dt.timedelta(days=1), dt.time(0), tzinfo=local_now.tzinfo
    )
    soon_end = max(clock.add_working_hours(now, QUEUE_SOON_HOURS), today_end)
    return QueueBounds(now=now, today_end=today_end, soon_end=soon_end)


def _bucket_q(bucket: str, bounds: QueueBounds) -> Q:
    in_progress = Q(status__in=list(IN_PROGRESS_STATUSES), closed_at__isnull=True)
    if bucket == "today":
        return in_progress & Q(due__gte=bounds.now, due__lt=bounds.today_end)
    if bucket == "soon":
        return in_progress & Q(due__gte=bounds.today_end, due__lte=bounds.soon_end)
    if bucket == "late":
        return in_progress & Q(due__lt=bounds.now)
    if bucket == "waiting":
        return Q(status__in=list(PAUSED_STATUSES), closed_at__isnull=True)
    raise ValueError(bucket)


@dataclass(frozen=True)
class WorkQueue:
    """One bucket of the work queue, the counts of every bucket and the filter lists."""

    dossiers: QuerySet[Dossier]
    counts: dict[str, int]
    procedures: list[tuple[str, str]]
    fields: list[tuple[str, str]]


def dossier_work_queue(
    *,
    actor: User,
    bucket: str,
    bounds: QueueBounds,
    mine: bool = False,
    procedure_code: str | None = None,
    field_code: str | None = None,
    channel: int | None = None,
    status: int | None = None,
) -> WorkQueue:
    """The dossiers of one work-queue bucket that `actor` may see (the access rule above),
    annotated with `due` (the appointment in force) and `step_due` (the due instant of the
    current step), the nearest current-step deadline first (then the nearest appointment):

    - `today`: in progress (2, 4), due from now to the end of today;
    - `soon`: in progress, due after today, within 2 working days (16 working hours) from now;
    - `late`: in progress, the appointment already passed;
    - `waiting`: waiting on the applicant (5 supplement, 6 payment, 8 stopped).

    `mine` keeps those whose current step is given to `actor`. Rows come with their
    procedure, handling unit and the current step's unit and assignee (one query). With
    them, in one query grouped by procedure: the procedures and fields of the actor's open
    dossiers for the filter lists and how many each bucket holds (conditional counts over the
    open dossiers, which the partial indexes `dossier_recv_open_idx` / `dossier_hand_open_idx`
    find); when a filter is chosen, the counts under the same filters take a second query."""
    condition = _visible_q(actor=actor)  # the actor's units: read once
    visible = Dossier.objects.none() if condition is None else Dossier.objects.filter(condition)
    bucket_counts = {name: Count("pk", filter=_bucket_q(name, bounds)) for name in QUEUE_BUCKETS}
    # The filter lists: the procedures and fields of the actor's open dossiers, grouped; with
    # no filter chosen (the usual case) the same read counts the buckets, per procedure.
    groups: list[dict[str, Any]] = [
        dict(group)
        for group in visible.open()
        .annotate(due=_due_expression())
        .order_by()
        .values(
            "procedure_version__procedure__code",
            "procedure_version__procedure__name",
            "procedure_version__procedure__field__code",
            "procedure_version__procedure__field__name",
        )
        .annotate(**bucket_counts)
    ]
    filtered = bool(status or channel or procedure_code or field_code or mine)
    # Every bucket is open (in progress or paused, not closed): said once for the index.
    base = visible.filter(
        status__in=sorted(IN_PROGRESS_STATUSES | PAUSED_STATUSES), closed_at__isnull=True
    )
    if status is not None:
        base = base.filter(status=status)
    if channel is not None:
        base = base.filter(channel=channel)
    if procedure_code:
        base = base.filter(procedure_version__procedure__code=procedure_code)
    if field_code:
        base = base.filter(procedure_version__procedure__field__code=field_code)
    if mine:
        base = base.filter(current_step__assignee=actor, current_step__finished_at__isnull=True)
    base = base.annotate(due=_due_expression())
    if filtered:
        counts = base.aggregate(**bucket_counts)
    else:
        counts = {name: sum(int(g[name] or 0) for g in groups) for name in QUEUE_BUCKETS}
    dossiers = (
        base.filter(_bucket_q(bucket, bounds))
        .annotate(step_due=F("current_step__due_at"))
        .select_related(
            "procedure_version__procedure",
            "handling_unit",
            "current_step__assignee",
            "current_step__unit",
        )
        .order_by(
            F("step_due").asc(nulls_last=True),
            F("due").asc(nulls_last=True),
            "submitted_at",
            "id",
        )
    )
    procedures: set[tuple[str, str]] = set()
    fields: set[tuple[str, str]] = set()
    for group in groups:
        procedures.add(
            (
                group["procedure_version__procedure__code"],
                group["procedure_version__procedure__name"],
            )
        )
        if group["procedure_version__procedure__field__code"]:
            fields.add(
                (
                    group["procedure_version__procedure__field__code"],
                    group["procedure_version__procedure__field__name"],
                )
            )
    return WorkQueue(
        dossiers=dossiers,
        counts={name: int(counts[name] or 0) for name in QUEUE_BUCKETS},
        procedures=sorted(procedures, key=lambda item: name_sort_key(item[1])),
        fields=sorted(fields, key=lambda item: name_sort_key(item[1])),
    )


def dossier_online_inbox(*, actor: User, now: dt.datetime) -> QuerySet[Dossier]:
    """The online dossiers waiting for acceptance (status 1, channel online) at the units
    where `actor` is a one-stop officer, the nearest reception due instant first, with
    `reception_state` ("late", "alert", "ok"; `dossier_reception_queue`)."""
    return dossier_reception_queue(actor=actor, now=now).filter(channel=Channel.ONLINE)


def certified_copy_report_counts(
    *, actor: User, date_from: dt.date, date_to: dt.date, unit: Unit | None = None
) -> list[dict[str, Any]]:
    """Reports of applicants asked for a certified copy, filed in the local dates
    `date_from`..`date_to` (inclusive), counted per handling unit and procedure: `reports`
    in all and `not_allowed` where the catalog did not allow asking for one. For a supervisor,
    over the units they supervise (with `unit`, that unit and the supervised units below it);
    PermissionDenied `forbidden` for anyone else or a unit outside their reach. Rows are
    ordered by unit code, then procedure code; no personal data is returned."""
    reach = user_unit_ids(user=actor, roles=[Role.SUPERVISOR])
    if not reach or (unit is not None and unit.pk not in reach):
        raise PermissionDenied(
            _("Chỉ người giám sát của đơn vị được xem các phản ánh này."), code="forbidden"
        )
    if unit is not None:
        reach &= unit_descendant_ids(unit_ids=[unit.pk]) | {unit.pk}
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=VN_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    rows = (
        CertifiedCopyReport.objects.filter(
            unit_id__in=reach, reported_at__gte=start, reported_at__lt=end
        )
        .values(
            "unit__code",
            "unit__name",
            "procedure_version__procedure__code",
            "procedure_version__procedure__name",
        )
        .annotate(reports=Count("id"), not_allowed=Count("id", filter=Q(allowed=False)))
        .order_by("unit__code", "procedure_version__procedure__code")
    )
    return [
        {
            "unit": row["unit__code"],
            "unit_name": row["unit__name"],
            "procedure": row["procedure_version__procedure__code"],
            "procedure_name": row["procedure_version__procedure__name"],
            "reports": row["reports"],
            "not_allowed": row["not_allowed"],
        }
        for row in rows
    ]


# --- online applications being written (services.drafts) ---------------------------------------


def draft_get_for_actor(*, actor: User, draft_id: int, now: dt.datetime) -> ApplicationDraft:
    """The draft `draft_id` if it is `actor`'s own, else NotFound (the same for someone
    else's draft and for one that does not exist). Someone opening another person's draft
    (a changed URL) is logged as an attempted read of personal data (purpose `draft_view`)."""
    draft = (
        ApplicationDraft.objects.select_related(
            "procedure_version__procedure", "receiving_unit", "owner", "dossier"
        )
        .filter(pk=draft_id)
        .first()
    )
    if draft is not None and (not actor.is_authenticated or draft.owner_id != actor.pk):
        data_access_record(
            actor=actor,
            subject_type="application_draft",
            subject_id=str(draft.pk),
            purpose="draft_view",
            now=now,
        )
        draft = None
    if draft is None:
        raise NotFound(_("Không tìm thấy hồ sơ đang soạn %(draft)s."), draft=draft_id)
    return draft


def drafts_for_actor(*, actor: User) -> QuerySet[ApplicationDraft]:
    """The person's drafts still being written, the last touched first."""
    if not actor.is_authenticated:
        return ApplicationDraft.objects.none()
    return (
        ApplicationDraft.objects.filter(owner=actor, status=DraftStatus.EDITING)
        .select_related("procedure_version__procedure")
        .order_by("-updated_at", "-id")
    )
