"""The process control slip (form 06): opening and closing `StepRun` rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion, ProcessStep
from motcua.catalog.selectors import version_steps
from motcua.deadlines.clock import clock_for_unit
from motcua.organisation.models import Unit

from ..models import Dossier, StepRun
from ._base import finish_step


def process_steps(version: ProcedureVersion) -> list[ProcessStep]:
    """The internal process of a version, in order (cached reference data)."""
    return list(version_steps(version=version))


def step_unit(*, dossier: Dossier, step: ProcessStep) -> Unit:
    """Where a step happens: the receiving one-stop, the competent (handling) unit, or the
    named unit (falling back to the handling unit when none is named)."""
    if step.unit_scope == ProcessStep.UnitScope.RECEIVING:
        return dossier.receiving_unit
    if step.unit_scope == ProcessStep.UnitScope.NAMED and step.unit is not None:
        return step.unit
    return dossier.handling_unit


def step_outside(*, dossier: Dossier, unit: Unit) -> bool:
    """`StepRun.outside` for a row of `dossier` in `unit`: neither its receiving nor its
    handling unit (the access rule finds such rows through their own index)."""
    return unit.pk not in {dossier.receiving_unit_id, dossier.handling_unit_id}


def steps_mark_outside(*, dossier: Dossier) -> None:
    """The handling unit changed (a transfer): mark again which slip rows are outside, in
    the service's transaction."""
    inside = [dossier.receiving_unit_id, dossier.handling_unit_id]
    runs = StepRun.objects.filter(dossier_id=dossier.pk)
    runs.filter(unit_id__in=inside, outside=True).update(outside=False)
    runs.exclude(unit_id__in=inside).filter(outside=False).update(outside=True)


def open_step(
    *,
    dossier: Dossier,
    step: ProcessStep | None,
    order: int,
    given_by: User | None,
    assignee: User | None,
    start: dt.datetime,
    name: str | None = None,
    role: str | None = None,
    unit: Unit | None = None,
    note: str = "",
) -> StepRun:
    """A new slip row, due `allotment` working hours after `start` on its unit's clock."""
    if unit is None:
        assert step is not None
        unit = step_unit(dossier=dossier, step=step)
    hours = step.allotment_hours if step is not None else Decimal(0)
    return StepRun.objects.create(
        dossier=dossier,
        outside=step_outside(dossier=dossier, unit=unit),
        order=order,
        step=step,
        name=name or (step.name if step is not None else ""),
        unit=unit,
        role=role if role is not None else (step.role if step is not None else ""),
        assignee=assignee,
        given_by=given_by if given_by is not None and given_by.is_authenticated else None,
        allotment_hours=hours,
        started_at=start,
        due_at=clock_for_unit(unit).add_working_hours(start, hours),
        note=note,
    )


def close_current_step(
    *, dossier: Dossier, actor: User | None, now: dt.datetime, note: str
) -> None:
    """Processing ends early (refusal, withdrawal, closing): the open row is closed without
    an early/on time/late result."""
    if dossier.current_step_id is not None:
        run = StepRun.objects.get(pk=dossier.current_step_id)
        if run.finished_at is None:
            finish_step(run=run, actor=actor, now=now, note=note, classify_it=False)
        dossier.current_step = None


def next_process_step(*, dossier: Dossier, run: StepRun | None) -> ProcessStep | None:
    """The step of the internal process after the one `run` performs (None at the end, or
    when the row is not a step of the process, e.g. a transfer row)."""
    if run is None or run.step_id is None:
        return None
    steps = version_steps(version=dossier.procedure_version)
    current = next((s.order for s in steps if s.pk == run.step_id), None)
    if current is None:
        return None
    return next((s for s in steps if s.order > current), None)


def previous_process_step(*, dossier: Dossier, run: StepRun | None) -> ProcessStep | None:
    """The step of the internal process before the one `run` performs (None at the start, or
    when the row is not a step of the process)."""
    if run is None or run.step_id is None:
        return None
    steps = version_steps(version=dossier.procedure_version)
    current = next((s.order for s in steps if s.pk == run.step_id), None)
    if current is None:
        return None
    return next((s for s in reversed(steps) if s.order < current), None)


def is_return_step(*, dossier: Dossier, step: ProcessStep) -> bool:
    """A step of the trailing run of one-stop steps (returning the result): reached by
    issuing the result, not by forwarding."""
    if step.unit_scope != ProcessStep.UnitScope.RECEIVING:
        return False
    return all(
        s.unit_scope == ProcessStep.UnitScope.RECEIVING
        for s in version_steps(version=dossier.procedure_version)
        if s.order > step.order
    )
