"""dossier_transfer: from a branch or another ward to the competent unit."""

from __future__ import annotations

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.models import StepRun
from motcua.dossiers.services import dossier_forward, dossier_transfer

from .helpers import MON, current, processing, received, state, submitted, vn


def test_transfer_of_a_wrongly_routed_dossier_reopens_the_step_in_the_new_unit(world):
    from tests.factories import RoleAssignmentFactory, StaffFactory

    dossier = received(world)  # at the assignment step, in the ward
    other_leader = world.other_leader
    RoleAssignmentFactory(
        user=StaffFactory(username="bd_specialist"), unit=world.other_ward, role="specialist"
    )

    dossier = dossier_transfer(
        dossier=dossier,
        actor=world.officer,
        to_unit=world.other_ward,
        reason="Thuộc thẩm quyền phường Ba Đình",
        now=vn(2026, 3, 2, 10),
    )

    assert dossier.handling_unit == world.other_ward
    slip = list(
        StepRun.objects.filter(dossier=dossier).values_list(
            "order", "name", "unit__code", "started_at", "due_at", "finished_at"
        )
    )
    assert slip == [
        (1, "Tiếp nhận hồ sơ", "00070", MON, MON, MON),
        (2, "Phân công xử lý", "00070", MON, vn(2026, 3, 2, 15), vn(2026, 3, 2, 10)),
        (
            3,
            "Chuyển hồ sơ đến Phường Ba Đình",
            "00070",
            vn(2026, 3, 2, 10),
            vn(2026, 3, 2, 10),
            vn(2026, 3, 2, 10),
        ),
        (4, "Phân công xử lý", "00004", vn(2026, 3, 2, 10), vn(2026, 3, 2, 16), None),
    ]
    assert current(dossier).order == 4
    event = dossier.events.get(action="transfer")
    assert event.before["handling_unit_id"] == world.ward.pk
    assert event.after["handling_unit_id"] == world.other_ward.pk
    # The new unit's leader carries on; the old one no longer can.
    with pytest.raises(PermissionDenied):
        dossier_forward(dossier=dossier, actor=world.leader, now=vn(2026, 3, 2, 11))
    dossier = dossier_forward(dossier=dossier, actor=other_leader, now=vn(2026, 3, 2, 11))
    assert current(dossier).unit == world.other_ward


def test_transfer_during_processing(world):
    dossier = processing(world)
    dossier = dossier_transfer(
        dossier=dossier,
        actor=world.leader,
        to_unit=world.other_ward,
        reason="Điều chuyển",
        now=vn(2026, 3, 3, 9),
    )
    assert current(dossier).name == "Thẩm định hồ sơ"
    assert current(dossier).unit == world.other_ward
    assert current(dossier).assignee is None


def test_transfer_guards(world):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as err:
        dossier_transfer(
            dossier=dossier, actor=world.officer, to_unit=world.ward, reason="x", now=MON
        )
    assert err.value.code == "same_unit"
    with pytest.raises(ValidationError):
        dossier_transfer(
            dossier=dossier, actor=world.officer, to_unit=world.other_ward, reason="", now=MON
        )
    assert state(dossier) == before
    registered = submitted(world)
    before = state(registered)
    with pytest.raises(IllegalTransition):
        dossier_transfer(
            dossier=registered, actor=world.officer, to_unit=world.other_ward, reason="x", now=MON
        )
    assert state(registered) == before


@pytest.mark.parametrize(
    "who", ["specialist", "other_officer", "supervisor", "auditor", "citizen", "stranger"]
)
def test_transfer_is_for_officers_and_leaders_of_the_units_holding_it(world, who):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_transfer(
            dossier=dossier,
            actor=getattr(world, who),
            to_unit=world.other_ward,
            reason="x",
            now=MON,
        )
    assert state(dossier) == before


def test_slip_text_is_stored_in_vietnamese_whatever_the_request_language(world):
    from django.utils import translation

    dossier = received(world)
    with translation.override("en"):
        dossier = dossier_transfer(
            dossier=dossier,
            actor=world.officer,
            to_unit=world.other_ward,
            reason="Wrong ward",
            now=vn(2026, 3, 2, 10),
        )

    names = list(
        StepRun.objects.filter(dossier=dossier).order_by("order").values_list("name", flat=True)
    )
    assert any(name.startswith("Chuyển hồ sơ đến ") for name in names), names
    assert not any(name.startswith("Transfer") for name in names), names
