"""dossier_timeliness (domain.md section 4, Classification)."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import DossierStatus, Suspension, SuspensionKind
from motcua.dossiers.services import (
    dossier_apologize,
    dossier_close_unsupplemented,
    dossier_end_of_processing,
    dossier_forward,
    dossier_issue_result,
    dossier_refuse,
    dossier_request_supplement,
    dossier_supplement,
    dossier_timeliness,
    dossier_withdraw,
)

from .helpers import MON, at_leader_step, processing, received, submitted, vn

ITEMS = [{"component": "TP1", "reason": "thiếu chữ ký"}]


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        (vn(2026, 3, 4, 9), "early"),
        (vn(2026, 3, 9, 8, 0), "early"),  # exactly 1 working hour left
        (vn(2026, 3, 9, 8, 30), "on_time"),
        (vn(2026, 3, 9, 9, 0), "on_time"),
        (vn(2026, 3, 9, 9, 1), "late"),
    ],
)
def test_the_end_of_processing_against_the_appointment(world, issued, expected):
    dossier = dossier_issue_result(dossier=at_leader_step(world), actor=world.leader, now=issued)
    assert dossier_timeliness(dossier) == expected


def test_more_than_one_supplement_request_during_processing_is_late(world):
    # The services refuse a second request during processing; an imported history may hold
    # one, and domain.md section 4 counts it late whatever the dates.
    dossier = received(world)
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 8)
    )
    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 3, 9))
    Suspension.objects.create(
        dossier=dossier,
        kind=SuspensionKind.SUPPLEMENT,
        resume_status=DossierStatus.RECEIVED,
        started_at=vn(2026, 3, 4, 8),
        ended_at=vn(2026, 3, 4, 9),
    )
    dossier = dossier_forward(
        dossier=dossier, actor=world.leader, to_user=world.specialist, now=vn(2026, 3, 4, 9, 30)
    )
    dossier = dossier_forward(
        dossier=dossier, actor=world.specialist, to_user=world.leader, now=vn(2026, 3, 4, 9, 45)
    )
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 4, 10))
    assert dossier_timeliness(dossier) == "late"


def test_a_dossier_closed_unsupplemented_is_measured_at_the_request(world):
    # Requested Tue 3 Mar 09:00 (early against the appointment Mon 9 Mar 09:00), closed a
    # month later: the applicant's silence never makes the agency late.
    dossier = dossier_request_supplement(
        dossier=processing(world), actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 9)
    )
    assert dossier_close_unsupplemented(now=vn(2026, 4, 6, 9)) == [dossier.code]
    dossier.refresh_from_db()
    assert (dossier.status, dossier.closed_at) == (DossierStatus.STOPPED, vn(2026, 4, 6, 9))
    assert dossier_end_of_processing(dossier) == vn(2026, 3, 3, 9)
    assert dossier_timeliness(dossier) == "early"


def test_a_refusal_to_settle_is_measured_like_any_result(world):
    dossier = dossier_issue_result(
        dossier=at_leader_step(world),
        actor=world.leader,
        outcome="refused",
        note="Không đủ điều kiện",
        now=vn(2026, 3, 9, 9, 1),
    )
    assert (dossier.status, dossier.result_outcome) == (DossierStatus.FINISHED, "refused")
    assert dossier_timeliness(dossier) == "late"


def test_a_dossier_waiting_on_a_supplement_is_measured_at_the_request(world):
    dossier = dossier_request_supplement(
        dossier=processing(world), actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 9)
    )
    assert dossier_timeliness(dossier) == "early"


def test_without_an_appointment_the_legal_time_from_submission_stands_in(world):
    dossier = dossier_refuse(
        dossier=submitted(world), actor=world.officer, reason="x", now=vn(2026, 3, 2, 10)
    )
    assert dossier_timeliness(dossier) == "early"
    late = dossier_refuse(
        dossier=submitted(world), actor=world.officer, reason="x", now=vn(2026, 3, 10, 9)
    )
    assert dossier_timeliness(late) == "late"


def test_a_new_date_after_an_apology_does_not_make_it_on_time(world):
    dossier = at_leader_step(world)
    dossier = dossier_apologize(
        dossier=dossier,
        actor=world.leader,
        reason="Chậm",
        new_appointment_at=vn(2026, 3, 13, 17),
        now=vn(2026, 3, 4, 9),
    )
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 10, 9))
    assert dossier_timeliness(dossier) == "late"


def test_not_measured_while_in_progress_or_withdrawn(world):
    assert dossier_timeliness(submitted(world)) is None
    dossier = processing(world)
    assert dossier_timeliness(dossier) is None
    dossier = dossier_withdraw(dossier=dossier, actor=world.citizen, reason="Rút", now=MON)
    assert dossier_timeliness(dossier) is None
