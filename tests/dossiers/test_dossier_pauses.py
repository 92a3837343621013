"""Financial obligation (4 -> 6 -> 4) and stop/resume (4 -> 8 -> 4): the paused working time
extends the appointment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.models import DossierStatus, StepRun, Suspension
from motcua.dossiers.services import (
    dossier_confirm_payment,
    dossier_payment_settle,
    dossier_request_payment,
    dossier_resume,
    dossier_stop,
)
from motcua.dossiers.services.payments import dossier_payment_at_counter
from motcua.payments.models import FeeLine
from motcua.payments.services import fee_line_cancel

from .helpers import processing, received, state, vn


def test_payment_pause_extends_the_appointment_by_the_paused_working_time(world):
    dossier = processing(world)  # appointment Mon 9 Mar 09:00; review due Wed 4 Mar 10:00

    dossier = dossier_request_payment(
        dossier=dossier,
        actor=world.officer,
        amount_vnd=250_000,
        note="Lệ phí trước bạ",
        now=vn(2026, 3, 3, 9),
    )
    assert dossier.status == DossierStatus.PAYMENT_REQUESTED
    pause = Suspension.objects.get(dossier=dossier)
    (line,) = FeeLine.objects.filter(dossier_code=dossier.code, timing="after")
    assert (line.net_vnd, line.collecting_unit, line.state) == (250_000, world.ward, "unpaid")
    assert (pause.kind, pause.items, pause.reason) == (
        "payment",
        [{"fee_line": line.pk, "name": "Phí, lệ phí", "amount_vnd": 250_000}],
        "Lệ phí trước bạ",
    )

    # nothing says "paid" that was not: the officer cannot confirm while the line is unpaid
    with pytest.raises(Conflict) as refused:
        dossier_confirm_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 5, 9))
    assert refused.value.code == "fees_unpaid"

    # the money arrives at the counter: the dossier resumes by itself, once
    dossier_payment_at_counter(
        dossier=dossier, officer=world.officer, method="cash", slip_number="PT-7",
        now=vn(2026, 3, 5, 9),
    )  # fmt: skip
    assert dossier_payment_settle(dossier_code=dossier.code, now=vn(2026, 3, 5, 10)) is None
    dossier.refresh_from_db()

    # Tue 09:00 – Thu 09:00 is 16 working hours.
    pause.refresh_from_db()
    assert pause.working_hours == Decimal("16.00")
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.appointment_at == vn(2026, 3, 11, 9)
    assert StepRun.objects.get(dossier=dossier, order=3).due_at == vn(2026, 3, 6, 10)
    settled = dossier.events.get(action="payment_settled")
    assert settled.actor_role == "system"
    assert settled.after["paused_working_hours"] == "16"


def test_without_fee_lines_the_officer_confirms_an_obligation_paid_elsewhere(world):
    dossier = processing(world)
    dossier = dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=90_000, now=vn(2026, 3, 3, 9)
    )
    (line,) = FeeLine.objects.filter(dossier_code=dossier.code, timing="after")
    fee_line_cancel(
        line=line, actor=world.officer, reason="Nộp tại cơ quan thuế", now=vn(2026, 3, 3, 10)
    )
    dossier = dossier_confirm_payment(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 9))
    assert dossier.status == DossierStatus.PROCESSING


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_payment_amount_is_a_positive_integer(world, amount):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(ValidationError):
        dossier_request_payment(
            dossier=dossier, actor=world.officer, amount_vnd=amount, now=vn(2026, 3, 3, 9)
        )
    assert state(dossier) == before


def test_payment_only_during_processing(world):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition):
        dossier_request_payment(
            dossier=dossier, actor=world.officer, amount_vnd=1000, now=vn(2026, 3, 3, 9)
        )
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who", ["specialist", "leader", "other_officer", "supervisor", "citizen", "stranger"]
)
def test_payment_is_the_officers(world, who):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_request_payment(
            dossier=dossier, actor=getattr(world, who), amount_vnd=1000, now=vn(2026, 3, 3, 9)
        )
    assert state(dossier) == before
    paused = dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=1000, now=vn(2026, 3, 3, 9)
    )
    before = state(paused)
    with pytest.raises(PermissionDenied):
        dossier_confirm_payment(dossier=paused, actor=getattr(world, who), now=vn(2026, 3, 4))
    assert state(paused) == before


def test_stop_and_resume_extend_the_appointment(world):
    dossier = processing(world)

    dossier = dossier_stop(
        dossier=dossier,
        actor=world.specialist,
        reason="Chờ ý kiến Sở Tư pháp",
        now=vn(2026, 3, 3, 13, 30),
    )
    assert (dossier.status, dossier.is_paused) == (DossierStatus.STOPPED, True)
    dossier = dossier_resume(dossier=dossier, actor=world.leader, now=vn(2026, 3, 4, 13, 30))

    assert dossier.status == DossierStatus.PROCESSING
    assert Suspension.objects.get(dossier=dossier).working_hours == Decimal("8.00")
    assert dossier.appointment_at == vn(2026, 3, 10, 9)


def test_stop_needs_a_reason(world):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(ValidationError):
        dossier_stop(dossier=dossier, actor=world.specialist, reason="  ", now=vn(2026, 3, 3))
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who", ["officer", "other_leader", "supervisor", "auditor", "citizen", "stranger"]
)
def test_stop_and_resume_are_the_specialists_or_leaders(world, who):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_stop(dossier=dossier, actor=getattr(world, who), reason="x", now=vn(2026, 3, 3))
    assert state(dossier) == before
    stopped = dossier_stop(dossier=dossier, actor=world.leader, reason="x", now=vn(2026, 3, 3))
    before = state(stopped)
    with pytest.raises(PermissionDenied):
        dossier_resume(dossier=stopped, actor=getattr(world, who), now=vn(2026, 3, 4))
    assert state(stopped) == before


def test_resume_only_a_stopped_dossier(world):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition):
        dossier_resume(dossier=dossier, actor=world.leader, now=vn(2026, 3, 4))
    assert state(dossier) == before
