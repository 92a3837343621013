"""Withdrawal (-> 7) while no result is issued, and refusal at reception (-> 3)."""

from __future__ import annotations

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.models import DossierStatus, StepRun, Suspension
from motcua.dossiers.services import (
    dossier_issue_result,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return_result,
    dossier_stop,
    dossier_withdraw,
)

from .helpers import MON, at_leader_step, processing, received, state, submitted, vn


def test_the_applicant_withdraws_a_dossier_in_processing(world):
    dossier = processing(world)

    dossier = dossier_withdraw(
        dossier=dossier, actor=world.citizen, reason="Không còn nhu cầu", now=vn(2026, 3, 3, 9)
    )

    assert dossier.status == DossierStatus.WITHDRAWN
    assert dossier.closed_at == vn(2026, 3, 3, 9)
    assert dossier.current_step is None
    review = StepRun.objects.get(dossier=dossier, order=3)
    assert (review.finished_at, review.result, review.note) == (
        vn(2026, 3, 3, 9),
        "",
        "Không còn nhu cầu",
    )
    assert dossier.events.get(action="withdraw").actor_role == "applicant"


def test_an_officer_records_a_withdrawal_and_the_open_pause_ends(world):
    dossier = dossier_request_supplement(
        dossier=received(world),
        actor=world.officer,
        items=[{"component": "TP1", "reason": "thiếu"}],
        now=MON,
    )
    dossier = dossier_withdraw(
        dossier=dossier,
        actor=world.officer,
        reason="Công dân đề nghị tại quầy",
        now=vn(2026, 3, 3, 9),
    )
    assert dossier.status == DossierStatus.WITHDRAWN
    assert Suspension.objects.get(dossier=dossier).ended_at == vn(2026, 3, 3, 9)


@pytest.mark.parametrize("builder", ["submitted", "received", "stopped"])
def test_withdrawal_from_each_open_status(world, builder):
    if builder == "submitted":
        dossier = submitted(world)
    elif builder == "received":
        dossier = received(world)
    else:
        dossier = dossier_stop(
            dossier=processing(world), actor=world.leader, reason="chờ", now=vn(2026, 3, 3)
        )
    dossier = dossier_withdraw(
        dossier=dossier, actor=world.citizen, reason="Rút", now=vn(2026, 3, 4)
    )
    assert dossier.status == DossierStatus.WITHDRAWN


def test_withdrawal_after_the_result_is_refused(world):
    finished = dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 9)
    )
    before = state(finished)
    with pytest.raises(IllegalTransition) as err:
        dossier_withdraw(
            dossier=finished, actor=world.citizen, reason="Rút", now=vn(2026, 3, 4, 10)
        )
    assert err.value.code == "result_issued"
    assert "Đã xử lý xong" in err.value.render()
    assert state(finished) == before

    returned = dossier_return_result(dossier=finished, actor=world.officer, now=vn(2026, 3, 4, 11))
    with pytest.raises(IllegalTransition):
        dossier_withdraw(
            dossier=returned, actor=world.citizen, reason="Rút", now=vn(2026, 3, 4, 12)
        )


@pytest.mark.parametrize(
    "who",
    ["other_citizen", "specialist", "leader", "other_officer", "supervisor", "auditor", "stranger"],
)
def test_only_the_applicant_or_an_officer_withdraws(world, who):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_withdraw(
            dossier=dossier, actor=getattr(world, who), reason="Rút", now=vn(2026, 3, 3)
        )
    assert state(dossier) == before


def test_withdrawal_needs_a_reason(world):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(ValidationError):
        dossier_withdraw(dossier=dossier, actor=world.citizen, reason="", now=vn(2026, 3, 3))
    assert state(dossier) == before


def test_refusal_at_reception(world):
    dossier = submitted(world)

    dossier = dossier_refuse(
        dossier=dossier, actor=world.officer, reason="Không thuộc thẩm quyền", now=MON
    )

    assert (dossier.status, dossier.closed_at) == (DossierStatus.NOT_RECEIVED, MON)
    event = dossier.events.get(action="refuse")
    assert (event.status_before, event.status_after, event.reason) == (
        1,
        3,
        "Không thuộc thẩm quyền",
    )


def test_no_refusal_at_reception_once_the_receipt_was_issued(world):
    # Domain.md section 3, "Refusal after reception": form 03 exists only before reception.
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition) as err:
        dossier_refuse(
            dossier=dossier, actor=world.officer, reason="Giả mạo", now=vn(2026, 3, 2, 10)
        )
    assert err.value.code == "illegal_transition"
    assert state(dossier) == before


def test_refusal_needs_a_reason_and_an_early_status(world):
    dossier = submitted(world)
    before = state(dossier)
    with pytest.raises(ValidationError):
        dossier_refuse(dossier=dossier, actor=world.officer, reason=" ", now=MON)
    assert state(dossier) == before
    busy = processing(world)
    before = state(busy)
    with pytest.raises(IllegalTransition):
        dossier_refuse(dossier=busy, actor=world.officer, reason="x", now=vn(2026, 3, 3))
    assert state(busy) == before


@pytest.mark.parametrize(
    "who", ["specialist", "leader", "branch_officer", "supervisor", "citizen", "stranger"]
)
def test_only_the_receiving_officer_refuses(world, who):
    dossier = submitted(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_refuse(dossier=dossier, actor=getattr(world, who), reason="x", now=MON)
    assert state(dossier) == before
