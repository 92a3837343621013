"""dossier_issue_result (-> 9) and dossier_return_result (9 -> 10)."""

from __future__ import annotations

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied
from motcua.dossiers.models import DossierStatus, StepRun
from motcua.dossiers.services import dossier_issue_result, dossier_return_result

from .helpers import at_leader_step, current, processing, state, vn


def test_issue_then_return_the_result(world):
    dossier = at_leader_step(world)  # leader step due Wed 4 Mar 15:00

    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 4, 16))

    assert dossier.status == DossierStatus.FINISHED
    assert dossier.finished_at == vn(2026, 3, 4, 16)
    assert StepRun.objects.get(dossier=dossier, order=4).result == "late"
    assert (current(dossier).name, current(dossier).unit) == ("Trả kết quả", world.ward)
    assert current(dossier).due_at == vn(2026, 3, 5, 10, 0)

    dossier = dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 5, 8))

    assert dossier.status == DossierStatus.RETURNED
    assert dossier.returned_at == vn(2026, 3, 5, 8)
    assert dossier.current_step is None
    assert StepRun.objects.get(dossier=dossier, order=5).result == "early"
    assert list(dossier.events.values_list("action", flat=True)) == [
        "submit",
        "receive",
        "forward",
        "forward",
        "issue_result",
        "return_result",
    ]
    assert dossier.is_finished


def test_the_result_waits_for_the_last_processing_step(world):
    dossier = processing(world)  # at review
    before = state(dossier)
    with pytest.raises(IllegalTransition) as err:
        dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 3, 9))
    assert err.value.code == "steps_remaining"
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who",
    ["officer", "branch_officer", "other_leader", "supervisor", "auditor", "citizen", "stranger"],
)
def test_only_a_leader_or_specialist_of_the_handling_unit_issues(world, who):
    dossier = at_leader_step(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_issue_result(dossier=dossier, actor=getattr(world, who), now=vn(2026, 3, 4, 9))
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who", ["specialist", "leader", "other_officer", "supervisor", "citizen", "stranger"]
)
def test_only_a_one_stop_officer_returns_the_result(world, who):
    dossier = dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 9)
    )
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_return_result(dossier=dossier, actor=getattr(world, who), now=vn(2026, 3, 5))
    assert state(dossier) == before


def test_the_result_is_returned_once(world):
    dossier = dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 9)
    )
    dossier = dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 10))
    before = state(dossier)
    with pytest.raises(IllegalTransition):
        dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 11))
    assert state(dossier) == before
