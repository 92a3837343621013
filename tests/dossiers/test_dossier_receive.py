"""dossier_receive and dossier_receive_at_counter: 1 -> 2, the clock, the appointment, the slip."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationError
from motcua.core.models import OutboxMessage
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierStatus, StepRun
from motcua.dossiers.services import dossier_receive, dossier_receive_at_counter

from .helpers import MON, current, received, state, submitted, vn


def test_receive_starts_the_clock_sets_the_appointment_and_opens_the_slip(world):
    dossier = submitted(world)

    dossier = dossier_receive(
        dossier=dossier, actor=world.officer, expected_version=1, now=MON, note="Đủ thành phần"
    )

    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.version == 2
    assert dossier.received_at == MON
    assert dossier.clock_started_at == MON
    assert dossier.appointment_at == vn(2026, 3, 9, 9, 0)  # 5 working days = 40 h
    slip = list(
        StepRun.objects.filter(dossier=dossier).values_list(
            "order",
            "name",
            "unit__code",
            "role",
            "started_at",
            "due_at",
            "finished_at",
            "result",
            "assignee__username",
        )
    )
    assert slip == [
        (1, "Tiếp nhận hồ sơ", "00070", "officer", MON, MON, MON, "on_time", "officer"),
        (2, "Phân công xử lý", "00070", "leader", MON, vn(2026, 3, 2, 15), None, "", None),
    ]
    assert current(dossier).order == 2
    event = DossierEvent.objects.get(dossier=dossier, seq=2)
    assert (event.action, event.actor, event.actor_role, event.reason) == (
        "receive",
        world.officer,
        "officer",
        "Đủ thành phần",
    )
    assert (event.status_before, event.status_after) == (1, 2)
    assert event.before["status"] == 1
    assert event.after["status"] == 2
    assert event.after["appointment_at"] == "2026-03-09T09:00:00+07:00"
    changed = {"status", "received_at", "clock_started_at", "appointment_at", "current_step_id"}
    assert set(event.before) == changed
    # an online dossier: the outcome against its reception due instant is recorded too
    assert event.after == {k: event.after[k] for k in changed} | {"reception_on_time": True}
    assert OutboxMessage.objects.filter(topic="dossier.receive").get().payload == {
        "code": dossier.code,
        "status": 2,
        "action": "receive",
        "version": 2,
    }


def test_counter_appointment_skips_tet_2026(world):
    # Fri 13 Feb 2026 10:00, Tết holidays Mon 16 – Fri 20 Feb: 5 working days end Fri 27 Feb.
    dossier = received(world, now=vn(2026, 2, 13, 10, 0))
    assert dossier.channel == Channel.COUNTER
    assert dossier.appointment_at == vn(2026, 2, 27, 10, 0)


def test_counter_appointment_of_three_days_across_tet_is_the_domain_example(world):
    world.version.counter_time = Decimal(3)
    world.version.save()
    dossier = received(world, now=vn(2026, 2, 13, 10, 0))
    assert dossier.appointment_at == vn(2026, 2, 25, 10, 0)


def test_online_dossier_received_at_1630_counts_from_the_next_working_morning(world):
    dossier = submitted(world, now=vn(2026, 3, 2, 16, 20))

    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 2, 16, 30))

    assert dossier.received_at == vn(2026, 3, 2, 16, 30)
    assert dossier.clock_started_at == vn(2026, 3, 3, 7, 0)
    assert dossier.appointment_at == vn(2026, 3, 9, 17, 0)
    assert current(dossier).started_at == vn(2026, 3, 3, 7, 0)
    assert current(dossier).due_at == vn(2026, 3, 3, 11, 0)


def test_counter_dossier_received_at_1630_counts_from_1630(world):
    dossier = received(world, now=vn(2026, 3, 2, 16, 30))
    assert dossier.clock_started_at == vn(2026, 3, 2, 16, 30)
    assert dossier.appointment_at == vn(2026, 3, 9, 16, 30)


@pytest.mark.parametrize(
    ("received_at", "appointment"),
    [
        (vn(2026, 3, 2, 9, 0), vn(2026, 3, 2, 11, 30)),  # the morning session
        (vn(2026, 3, 2, 12, 0), vn(2026, 3, 2, 17, 0)),  # at lunch: the afternoon session
        (vn(2026, 3, 6, 17, 30), vn(2026, 3, 9, 11, 30)),  # Friday evening: Monday morning
    ],
)
def test_a_procedure_settled_in_the_session_gives_the_end_of_the_session(
    world, received_at, appointment
):
    # "No appointment day" (domain.md section 9): whatever the legal time, the result is due
    # when the session the dossier was received in ends.
    world.version.settled_in_session = True
    world.version.save()
    dossier = received(world, now=received_at)
    assert dossier.appointment_at == appointment


def test_online_time_applies_to_online_dossiers(world):
    world.version.online_time = Decimal(2)
    world.version.save()
    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    assert dossier.appointment_at == vn(2026, 3, 4, 9, 0)


def test_a_cutoff_moves_later_receptions_to_the_next_working_day(world):
    world.version.cutoff_time = dt.time(15, 0)
    world.version.save()
    dossier = received(world, now=vn(2026, 3, 6, 15, 10))  # a Friday
    assert dossier.clock_started_at == vn(2026, 3, 9, 7, 0)
    assert dossier.appointment_at == vn(2026, 3, 13, 17, 0)


def test_receiving_twice_fails_clearly_and_changes_nothing(world):
    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    before = state(dossier)

    with pytest.raises(IllegalTransition) as err:
        dossier_receive(dossier=dossier, actor=world.officer, now=MON + dt.timedelta(minutes=5))

    assert err.value.code == "already_received"
    assert "Đã tiếp nhận" in err.value.render()
    assert state(dossier) == before


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(world):
    dossier = submitted(world)
    before = state(dossier)

    with pytest.raises(Conflict) as err:
        dossier_receive(dossier=dossier, actor=world.officer, expected_version=7, now=MON)

    assert err.value.code == "conflict"
    assert "vừa được người khác cập nhật" in err.value.render()
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who",
    [
        "specialist",
        "leader",
        "branch_officer",
        "other_officer",
        "supervisor",
        "auditor",
        "integrator",
        "citizen",
        "stranger",
    ],
)
def test_only_an_officer_of_the_receiving_unit_receives(world, who):
    dossier = submitted(world)
    before = state(dossier)

    with pytest.raises(PermissionDenied) as err:
        dossier_receive(dossier=dossier, actor=getattr(world, who), now=MON)

    assert err.value.code == "forbidden"
    assert state(dossier) == before


def test_receive_at_counter_creates_and_receives_in_one_go(world):
    dossier = dossier_receive_at_counter(
        actor=world.branch_officer,
        procedure_version=world.version,
        service_point=None,
        receiving_unit=world.branch,
        handling_unit=world.ward,
        applicant_name="Phạm Văn Dũng",
        applicant_id_number="001090000001",
        form_data={"ho_ten": "Phạm Văn Dũng", "ngay_sinh": "1980-05-05"},
        channel=Channel.POST,
        now=MON,
    )
    assert dossier.code == "01.TTHCC.CN05-260302-0001"
    assert (dossier.status, dossier.version, dossier.channel) == (2, 2, Channel.POST)
    assert dossier.applicant is None
    assert list(dossier.events.values_list("seq", "action", "actor_role")) == [
        (1, "submit", "officer"),
        (2, "receive", "officer"),
    ]
    # The reception step is at the branch, the assignment at the competent ward.
    assert list(dossier.steps.values_list("order", "unit__code")) == [
        (1, "01.TTHCC.CN05"),
        (2, "00070"),
    ]


def test_receive_at_counter_through_a_service_point(world):
    from tests.factories import ServicePointFactory

    point = ServicePointFactory(unit=world.ward, code="SP-HK-1")
    dossier = received(world, receiving_unit=None, service_point=point)
    assert (dossier.receiving_unit, dossier.service_point) == (world.ward, point)


def test_receive_at_counter_refuses_online_channel_and_non_officers(world):
    with pytest.raises(ValidationError) as err:
        received(world, channel=Channel.ONLINE)
    assert err.value.code == "invalid_channel"
    with pytest.raises(PermissionDenied):
        received(world, actor=world.specialist)
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
