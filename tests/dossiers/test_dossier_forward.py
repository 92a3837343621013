"""dossier_forward: the process control slip, step results, 2 -> 4."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.models import DossierStatus, StepResult, StepRun
from motcua.dossiers.services import dossier_forward

from .helpers import MON, at_leader_step, current, processing, received, state, vn


def _slip(dossier):
    return list(
        StepRun.objects.filter(dossier=dossier).values_list(
            "order", "name", "started_at", "due_at", "finished_at", "result"
        )
    )


def test_first_forward_finishes_the_assignment_early_and_starts_processing(world):
    dossier = received(world)

    dossier = dossier_forward(
        dossier=dossier,
        actor=world.leader,
        to_user=world.specialist,
        note="Giao chị Lan thẩm định",
        expected_version=2,
        now=vn(2026, 3, 2, 10, 0),
    )

    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.version == 3
    assert _slip(dossier) == [
        (1, "Tiếp nhận hồ sơ", MON, MON, MON, "on_time"),
        (2, "Phân công xử lý", MON, vn(2026, 3, 2, 15), vn(2026, 3, 2, 10), "early"),
        (3, "Thẩm định hồ sơ", vn(2026, 3, 2, 10), vn(2026, 3, 4, 10), None, ""),
    ]
    step = current(dossier)
    assert (step.assignee, step.given_by, step.note) == (
        world.specialist,
        world.leader,
        "Giao chị Lan thẩm định",
    )
    event = dossier.events.get(seq=3)
    assert (event.action, event.status_before, event.status_after) == ("forward", 2, 4)
    assert event.after["step"] == "Thẩm định hồ sơ"


@pytest.mark.parametrize(
    ("finished", "result"),
    [
        (vn(2026, 3, 4, 9, 0), StepResult.EARLY),  # exactly 1 working hour left
        (vn(2026, 3, 4, 9, 1), StepResult.ON_TIME),  # 59 minutes left
        (vn(2026, 3, 4, 10, 0), StepResult.ON_TIME),  # at the due instant
        (vn(2026, 3, 4, 10, 1), StepResult.LATE),
        (vn(2026, 3, 3, 16, 30), StepResult.EARLY),
    ],
)
def test_step_result_against_its_due(world, finished, result):
    dossier = processing(world)  # review due Wed 4 Mar 10:00

    dossier = dossier_forward(dossier=dossier, actor=world.specialist, now=finished)

    review = StepRun.objects.get(dossier=dossier, order=3)
    assert (review.finished_at, review.finished_by, review.result) == (
        finished,
        world.specialist,
        result,
    )
    assert current(dossier).name == "Lãnh đạo ký duyệt"
    assert current(dossier).due_at > finished


def test_the_leader_of_the_unit_may_forward_any_step(world):
    dossier = processing(world)
    dossier = dossier_forward(dossier=dossier, actor=world.leader, now=vn(2026, 3, 3, 8))
    assert current(dossier).name == "Lãnh đạo ký duyệt"


@pytest.mark.parametrize(
    "who",
    [
        "officer",
        "branch_officer",
        "other_leader",
        "supervisor",
        "auditor",
        "integrator",
        "citizen",
        "stranger",
    ],
)
def test_only_the_step_role_or_a_leader_of_its_unit_forwards(world, who):
    dossier = processing(world)  # current step: review (specialist)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_forward(dossier=dossier, actor=getattr(world, who), now=vn(2026, 3, 3, 8))
    assert state(dossier) == before


def test_the_assignment_step_is_the_leaders(world):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_forward(dossier=dossier, actor=world.specialist, now=MON)
    assert state(dossier) == before


def test_the_assignee_must_hold_the_next_steps_role(world):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as err:
        dossier_forward(dossier=dossier, actor=world.leader, to_user=world.officer, now=MON)
    assert err.value.code == "invalid_assignee"
    assert state(dossier) == before


def test_the_last_processing_step_is_left_by_issuing_the_result(world):
    dossier = at_leader_step(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition) as err:
        dossier_forward(dossier=dossier, actor=world.leader, now=vn(2026, 3, 4, 8))
    assert err.value.code == "last_step"
    assert state(dossier) == before


def test_a_registered_dossier_cannot_be_forwarded(world):
    from .helpers import submitted

    dossier = submitted(world)
    before = state(dossier)
    with pytest.raises((IllegalTransition, PermissionDenied)):
        dossier_forward(dossier=dossier, actor=world.leader, now=MON + dt.timedelta(hours=1))
    assert state(dossier) == before
