"""The apology and new date (form 04): only once, at least a working day before the
appointment, with a later date."""

from __future__ import annotations

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.services import dossier_apologize

from .helpers import processing, received, state, submitted, vn

NEW_DATE = vn(2026, 3, 13, 17)  # the appointment is Mon 9 Mar 09:00


def test_apology_sets_the_new_date_once(world):
    dossier = processing(world)

    dossier = dossier_apologize(
        dossier=dossier,
        actor=world.leader,
        reason="Chờ xác minh",
        new_appointment_at=NEW_DATE,
        now=vn(2026, 3, 5, 10),
    )

    assert dossier.new_appointment_at == NEW_DATE
    assert dossier.appointment_at == vn(2026, 3, 9, 9)
    assert dossier.effective_appointment_at == NEW_DATE
    event = dossier.events.get(action="apologize")
    assert (event.reason, event.after) == (
        "Chờ xác minh",
        {"new_appointment_at": "2026-03-13T17:00:00+07:00"},
    )
    before = state(dossier)

    with pytest.raises(IllegalTransition) as err:
        dossier_apologize(
            dossier=dossier,
            actor=world.leader,
            reason="Lần hai",
            new_appointment_at=vn(2026, 3, 20, 17),
            now=vn(2026, 3, 5, 11),
        )

    assert err.value.code == "apology_once"
    assert state(dossier) == before


def test_an_officer_of_the_handling_unit_may_apologize(world):
    dossier = received(world)
    dossier = dossier_apologize(
        dossier=dossier,
        actor=world.officer,
        reason="Chậm",
        new_appointment_at=NEW_DATE,
        now=vn(2026, 3, 6, 9),
    )
    assert dossier.new_appointment_at == NEW_DATE


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (vn(2026, 3, 6, 9, 1), "apology_too_late"),  # less than 8 working hours left
        (vn(2026, 3, 9, 9, 0), "appointment_passed"),
    ],
)
def test_apology_comes_at_least_a_working_day_before_the_appointment(world, now, code):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition) as err:
        dossier_apologize(
            dossier=dossier, actor=world.leader, reason="Chậm", new_appointment_at=NEW_DATE, now=now
        )
    assert err.value.code == code
    assert state(dossier) == before


def test_the_new_date_is_after_the_appointment(world):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as err:
        dossier_apologize(
            dossier=dossier,
            actor=world.leader,
            reason="Chậm",
            new_appointment_at=vn(2026, 3, 9, 9),
            now=vn(2026, 3, 5, 10),
        )
    assert err.value.code == "new_date_not_later"
    assert state(dossier) == before


def test_no_apology_before_reception(world):
    dossier = submitted(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition):
        dossier_apologize(
            dossier=dossier,
            actor=world.leader,
            reason="Chậm",
            new_appointment_at=NEW_DATE,
            now=vn(2026, 3, 5, 10),
        )
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who",
    [
        "specialist",
        "branch_officer",
        "other_leader",
        "supervisor",
        "auditor",
        "citizen",
        "stranger",
    ],
)
def test_only_a_leader_or_officer_of_the_handling_unit_apologizes(world, who):
    dossier = processing(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_apologize(
            dossier=dossier,
            actor=getattr(world, who),
            reason="Chậm",
            new_appointment_at=NEW_DATE,
            now=vn(2026, 3, 5, 10),
        )
    assert state(dossier) == before
