"""Access selectors: who sees which dossier, NotFound otherwise, staff reads logged."""

from __future__ import annotations

import pytest

from motcua.catalog.models import ProcessStep
from motcua.core.errors import NotFound
from motcua.core.models import DataAccessLog
from motcua.dossiers.models import DossierStatus
from motcua.dossiers.selectors import (
    dossier_actions_for,
    dossier_events,
    dossier_get_for_actor,
    dossier_list_for_actor,
    dossier_steps,
    dossier_suspensions,
)
from motcua.dossiers.services import dossier_forward
from tests.factories import RoleAssignmentFactory, StaffFactory, UnitFactory

from .helpers import MON, processing, received, submitted, vn

READ_AT = vn(2026, 3, 3, 9)


@pytest.mark.parametrize(
    "who", ["citizen", "officer", "specialist", "leader", "supervisor", "auditor", "integrator"]
)
def test_the_applicant_and_staff_of_its_units_see_a_dossier(world, who):
    dossier = received(world)
    found = dossier_get_for_actor(actor=getattr(world, who), code=dossier.code, now=READ_AT)
    assert found == dossier


@pytest.mark.parametrize("who", ["other_citizen", "other_officer", "other_leader", "stranger"])
def test_others_get_not_found(world, who):
    dossier = received(world)
    with pytest.raises(NotFound) as err:
        dossier_get_for_actor(actor=getattr(world, who), code=dossier.code, now=READ_AT)
    assert err.value.render() == f"Không tìm thấy hồ sơ {dossier.code}."
    with pytest.raises(NotFound) as missing:
        dossier_get_for_actor(actor=getattr(world, who), code="00070-260302-9999", now=READ_AT)
    assert missing.value.code == err.value.code == "not_found"
    assert DataAccessLog.objects.count() == 0


def test_a_branch_and_the_competent_ward_both_see_a_transferred_dossier(world):
    dossier = submitted(world, receiving_unit=world.branch, handling_unit=world.ward)
    assert dossier_get_for_actor(actor=world.branch_officer, code=dossier.code, now=READ_AT)
    assert dossier_get_for_actor(actor=world.specialist, code=dossier.code, now=READ_AT)


def test_staff_reads_are_logged_the_applicants_own_are_not(world):
    dossier = received(world)
    dossier_get_for_actor(actor=world.citizen, code=dossier.code, now=READ_AT)
    assert DataAccessLog.objects.count() == 0

    dossier_get_for_actor(
        actor=world.specialist, code=dossier.code, now=READ_AT, purpose="review", channel="api"
    )

    log = DataAccessLog.objects.get()
    assert (log.actor, log.subject_type, log.subject_id, log.purpose, log.channel, log.at) == (
        world.specialist,
        "dossier",
        dossier.code,
        "review",
        "api",
        READ_AT,
    )


def test_lists_are_scoped_and_filtered(world):
    mine = submitted(world)
    theirs = submitted(
        world,
        applicant=world.other_citizen,
        form_data={"ho_ten": "Trần Thị Bình", "ngay_sinh": "1991-02-02"},
    )
    at_branch = submitted(world, receiving_unit=world.branch, handling_unit=world.other_ward)
    busy = processing(world)

    assert list(dossier_list_for_actor(actor=world.other_citizen)) == [theirs]
    assert set(dossier_list_for_actor(actor=world.citizen)) == {mine, at_branch, busy}
    assert set(dossier_list_for_actor(actor=world.officer)) == {mine, theirs, busy}
    assert set(dossier_list_for_actor(actor=world.supervisor)) == {mine, theirs, at_branch, busy}
    assert list(dossier_list_for_actor(actor=world.stranger)) == []
    officer = world.officer
    assert list(dossier_list_for_actor(actor=officer, status=DossierStatus.PROCESSING)) == [busy]
    assert set(dossier_list_for_actor(actor=officer, status=[1, 4])) == {mine, theirs, busy}
    assert list(dossier_list_for_actor(actor=officer, search="Trần Thị")) == [theirs]
    assert list(dossier_list_for_actor(actor=officer, search=busy.code)) == [busy]
    assert list(dossier_list_for_actor(actor=officer, channel=1)) == [busy]
    assert list(dossier_list_for_actor(actor=officer, overdue_at=vn(2026, 3, 10))) == [busy]
    assert set(dossier_list_for_actor(actor=world.supervisor, unit_id=world.other_ward.pk)) == {
        at_branch
    }
    assert set(
        dossier_list_for_actor(actor=officer, submitted_from=MON, submitted_to=vn(2026, 3, 3))
    ) == {mine, theirs, busy}


def test_history_slip_and_pauses_in_order(world):
    dossier = processing(world)
    assert [e.seq for e in dossier_events(dossier=dossier)] == [1, 2, 3]
    assert [s.order for s in dossier_steps(dossier=dossier)] == [1, 2, 3]
    assert list(dossier_suspensions(dossier=dossier)) == []


def test_a_unit_performing_a_named_step_sees_the_dossier_and_acts(world):
    # A department consulted in the process (a step with unit_scope "named"): its specialist
    # is given the step, sees the dossier and forwards it, though it neither received nor
    # handles it.
    department = UnitFactory(code="01.STP", name="Sở Tư pháp", parent=world.province)
    consultant = StaffFactory(username="consultant")
    RoleAssignmentFactory(user=consultant, unit=department, role="specialist")
    review = ProcessStep.objects.get(version=world.version, order=3)
    review.unit_scope = ProcessStep.UnitScope.NAMED
    review.unit = department
    review.save(update_fields=["unit_scope", "unit"])
    dossier = received(world)
    with pytest.raises(NotFound):
        dossier_get_for_actor(actor=consultant, code=dossier.code, now=MON)

    dossier = dossier_forward(
        dossier=dossier, actor=world.leader, to_user=consultant, now=vn(2026, 3, 2, 10)
    )

    seen = dossier_get_for_actor(actor=consultant, code=dossier.code, now=MON)
    assert seen.pk == dossier.pk
    assert dossier_list_for_actor(actor=consultant).count() == 1
    assert "forward" in {
        o.action for o in dossier_actions_for(actor=consultant, dossier=seen, now=MON)
    }


def test_the_former_handling_unit_still_sees_a_dossier_transferred_away(world):
    # Received at the branch, handled by the ward, then transferred to another ward: the
    # ward's rows of the slip are now outside the dossier's units and keep showing it to the
    # ward (the access rule's step arm), in the read and in the work queue.
    from motcua.deadlines.clock import clock_for_unit
    from motcua.dossiers.models import StepRun
    from motcua.dossiers.selectors import dossier_work_queue, queue_bounds
    from motcua.dossiers.services import dossier_receive, dossier_transfer

    dossier = submitted(world, receiving_unit=world.branch, handling_unit=world.ward)
    dossier = dossier_receive(dossier=dossier, actor=world.branch_officer, now=MON)
    marks = dict(StepRun.objects.filter(dossier=dossier).values_list("unit_id", "outside"))
    assert world.ward.pk in marks
    assert marks[world.ward.pk] is False  # the handling unit: seen through its own arm

    dossier = dossier_transfer(
        dossier=dossier,
        actor=world.branch_officer,
        to_unit=world.other_ward,
        reason="Thuộc thẩm quyền phường Ba Đình",
        now=vn(2026, 3, 2, 10),
    )

    assert set(
        StepRun.objects.filter(dossier=dossier, unit=world.ward).values_list("outside", flat=True)
    ) == {True}
    assert dossier_get_for_actor(actor=world.specialist, code=dossier.code, now=READ_AT)
    assert dossier_get_for_actor(actor=world.other_officer, code=dossier.code, now=READ_AT)
    with pytest.raises(NotFound):
        dossier_get_for_actor(actor=world.stranger, code=dossier.code, now=READ_AT)
    # Due Mon 9 Mar 09:00 (5 working days): in the "today" bucket at 08:00 that day.
    bounds = queue_bounds(now=vn(2026, 3, 9, 8), clock=clock_for_unit(None))
    work = {
        bucket: list(
            dossier_work_queue(actor=world.specialist, bucket=bucket, bounds=bounds).dossiers
        )
        for bucket in ("today", "soon", "late", "waiting")
    }
    assert [d.pk for d in work["today"]] == [dossier.pk]
    assert work["soon"] == work["late"] == work["waiting"] == []
