"""Early / on time / late classification of a dossier (domain.md section 4, "Classification").

Read-only: it writes nothing, but it needs the working calendar, so it lives beside the
services rather than on the model.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from motcua.deadlines.services import deadline_compute

from ..models import Dossier, DossierStatus, StepResult, Suspension, SuspensionKind
from ._base import appointment_clock, classify, supplements_during_processing


def dossier_end_of_processing(dossier: Dossier) -> dt.datetime | None:
    """The instant the dossier is measured at: the first of processing finished and result
    returned; the refusal or closing; the start of the stop or of the supplement request it
    is waiting on. None while it is registered, in progress, waiting for payment or withdrawn.
    """
    if dossier.status in (DossierStatus.FINISHED, DossierStatus.RETURNED):
        ends = [t for t in (dossier.finished_at, dossier.returned_at) if t is not None]
        return min(ends) if ends else None
    if dossier.closed_at is not None and dossier.status in (
        DossierStatus.NOT_RECEIVED,
        DossierStatus.STOPPED,
    ):
        # Closed because the applicant never supplemented: measured at the request date (the
        # applicant's silence never makes the agency late).
        unsupplemented = (
            Suspension.objects.filter(
                dossier=dossier, kind=SuspensionKind.SUPPLEMENT, ended_at=dossier.closed_at
            )
            .values_list("started_at", flat=True)
            .first()
        )
        if unsupplemented is not None:
            return unsupplemented
    if dossier.status == DossierStatus.NOT_RECEIVED:
        return dossier.closed_at
    if dossier.status in (DossierStatus.STOPPED, DossierStatus.SUPPLEMENT_REQUESTED):
        kind = (
            SuspensionKind.STOP
            if dossier.status == DossierStatus.STOPPED
            else SuspensionKind.SUPPLEMENT
        )
        pause = (
            Suspension.objects.filter(dossier=dossier, kind=kind)
            .order_by("-started_at", "-id")
            .first()
        )
        if pause is not None:
            return pause.started_at
        return dossier.closed_at
    return None


def dossier_timeliness(dossier: Dossier) -> str | None:
    """ "early", "on_time", "late", or None when the dossier is not measured (see
    dossier_end_of_processing).

    - more than one supplement request during processing (after the receipt): late
      (services refuse a second one; imported histories may hold one);
    - otherwise the end is compared with the appointment (the original one, moved by the
      payment and stop pauses and restarted after a supplement, so supplement time is
      already subtracted; a new date given with an apology does not make a dossier on time);
    - without an appointment (refused or closed before reception), the legal time counted
      from submission, moved by the supplement time, stands in for it;
    - early: at least 1 working hour left (the same rule as the slip's steps).
    """
    end = dossier_end_of_processing(dossier)
    if end is None:
        return None
    if supplements_during_processing(dossier) > 1:
        return StepResult.LATE
    due = dossier.appointment_at
    clock = appointment_clock(dossier)
    if due is None:
        version = dossier.procedure_version
        due = deadline_compute(
            received_at=dossier.submitted_at,
            duration_value=version.legal_time(online=dossier.channel == Dossier.Channel.ONLINE),
            time_unit=version.time_unit,
            channel=dossier.channel_name,
            unit=dossier.receiving_unit,
            cutoff=version.cutoff_time,
        )
        paused = sum(
            (
                clock.working_hours_between(p.started_at, p.ended_at or end)
                for p in Suspension.objects.filter(dossier=dossier)
            ),
            start=Decimal(0),
        )
        if paused > 0:  # adding zero would move a due at a block end to the next block
            due = clock.add_working_hours(due, paused)
    return str(classify(finished_at=end, due_at=due, clock=clock))
