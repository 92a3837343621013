"""Supplement request (form 02), supplement (the clock pauses during processing, starts from
zero before reception), closing the unsupplemented."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.dossiers.models import DossierStatus, StepRun, Suspension
from motcua.dossiers.services import (
    dossier_close_unsupplemented,
    dossier_request_supplement,
    dossier_supplement,
)

from .helpers import MON, processing, received, state, submitted, vn

ITEMS = [
    {"component": "TP2", "reason": "Bản sao không rõ nét"},
    {"component": "Giấy xác nhận tình trạng hôn nhân", "reason": "Chưa nộp"},
]


def test_request_lists_everything_once_and_pauses(world):
    dossier = received(world)

    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, note="Mẫu 02", now=vn(2026, 3, 3, 10)
    )

    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert dossier.supplement_count == 1
    assert dossier.is_paused
    pause = Suspension.objects.get(dossier=dossier)
    assert (pause.kind, pause.resume_status, pause.started_at, pause.ended_at) == (
        "supplement",
        DossierStatus.RECEIVED,
        vn(2026, 3, 3, 10),
        None,
    )
    assert pause.items == [
        {"component": "TP2", "reason": "Bản sao không rõ nét", "name": "Giấy tờ chứng minh"},
        {"component": "Giấy xác nhận tình trạng hôn nhân", "reason": "Chưa nộp"},
    ]
    assert dossier.events.get(seq=3).after["items"] == pause.items


def test_supplement_during_processing_pauses_the_clock(world):
    # Domain.md section 3, "When the clock runs": the time already spent counts, the clock
    # is paused while the applicant supplements, the appointment moves by the paused time.
    dossier = received(world)  # Mon 2 Mar 09:00, appointment Mon 9 Mar 09:00
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 10)
    )

    dossier = dossier_supplement(
        dossier=dossier,
        actor=world.citizen,
        expected_version=3,
        form_data={"ghi_chu": "Đã bổ sung"},
        now=vn(2026, 3, 5, 14),  # 18 working hours later
    )

    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.clock_started_at == vn(2026, 3, 2, 9)  # unchanged: the time spent counts
    # Mon 9 Mar 09:00 + 18 working hours (6 on Mon, 8 on Tue, 4 on Wed) = Wed 11 Mar 11:00.
    assert dossier.appointment_at == vn(2026, 3, 11, 11)
    pause = Suspension.objects.get(dossier=dossier)
    assert (pause.ended_at, pause.working_hours) == (vn(2026, 3, 5, 14), Decimal("18.00"))
    assert StepRun.objects.get(dossier=dossier, order=2).due_at == vn(2026, 3, 4, 17)
    event = dossier.events.get(seq=4)
    assert (event.after["paused_working_hours"], event.after["clock"]) == ("18", "paused")


def test_supplement_restarts_the_clock_where_the_procedure_says_so(world):
    version = world.version
    version.supplement_restarts_clock = True
    version.save(update_fields=["supplement_restarts_clock"])
    dossier = received(world)  # Mon 2 Mar 09:00, appointment Mon 9 Mar 09:00
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 10)
    )

    dossier = dossier_supplement(
        dossier=dossier,
        actor=world.citizen,
        expected_version=3,
        form_data={"ghi_chu": "Đã bổ sung"},
        now=vn(2026, 3, 5, 14),
    )

    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.clock_started_at == vn(2026, 3, 5, 14)
    assert dossier.appointment_at == vn(2026, 3, 12, 14)  # the full 5 working days again
    assert dossier.form_data["ghi_chu"] == "Đã bổ sung"
    assert dossier.form_data["ho_ten"] == "Nguyễn Văn An"
    pause = Suspension.objects.get(dossier=dossier)
    assert (pause.ended_at, pause.working_hours) == (vn(2026, 3, 5, 14), Decimal("18.00"))
    # The assignment step (due Mon 2 Mar 15:00) moves by the 18 paused working hours.
    assert StepRun.objects.get(dossier=dossier, order=2).due_at == vn(2026, 3, 4, 17)
    event = dossier.events.get(seq=4)
    assert (event.action, event.actor_role, event.status_before, event.status_after) == (
        "supplement",
        "applicant",
        5,
        2,
    )


def test_supplement_during_processing_returns_to_processing(world):
    dossier = processing(world)
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.specialist, items=ITEMS, now=vn(2026, 3, 3, 9)
    )
    dossier = dossier_supplement(dossier=dossier, actor=world.officer, now=vn(2026, 3, 4, 9))
    assert dossier.status == DossierStatus.PROCESSING
    # 8 working hours paused: Mon 9 Mar 09:00 -> Tue 10 Mar 09:00.
    assert dossier.appointment_at == vn(2026, 3, 10, 9)


def test_supplement_before_reception_returns_to_registered_without_clock(world):
    dossier = submitted(world)
    dossier = dossier_request_supplement(dossier=dossier, actor=world.officer, items=ITEMS, now=MON)
    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 3, 9))
    assert dossier.status == DossierStatus.REGISTERED
    assert dossier.clock_started_at is None
    assert dossier.appointment_at is None


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "items_required"),
        ([{"component": "TP2", "reason": ""}], "items_invalid"),
        ([{"component": "", "reason": "thiếu"}], "items_invalid"),
    ],
)
def test_each_item_needs_a_component_and_a_reason(world, items, code):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(ValidationError) as err:
        dossier_request_supplement(dossier=dossier, actor=world.officer, items=items, now=MON)
    assert err.value.code == code
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who",
    ["specialist", "leader", "branch_officer", "supervisor", "auditor", "citizen", "stranger"],
)
def test_before_reception_only_the_receiving_officer_asks(world, who):
    dossier = submitted(world)
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_request_supplement(dossier=dossier, actor=getattr(world, who), items=ITEMS, now=MON)
    assert state(dossier) == before


@pytest.mark.parametrize(
    "who", ["other_citizen", "specialist", "leader", "other_officer", "supervisor", "stranger"]
)
def test_only_the_applicant_or_an_officer_supplements(world, who):
    dossier = dossier_request_supplement(
        dossier=received(world), actor=world.officer, items=ITEMS, now=MON
    )
    before = state(dossier)
    with pytest.raises(PermissionDenied):
        dossier_supplement(dossier=dossier, actor=getattr(world, who), now=vn(2026, 3, 4))
    assert state(dossier) == before


def test_cannot_supplement_what_was_not_asked(world):
    dossier = received(world)
    before = state(dossier)
    with pytest.raises(IllegalTransition):
        dossier_supplement(dossier=dossier, actor=world.citizen, now=MON)
    assert state(dossier) == before


def test_a_second_request_during_processing_is_refused(world):
    dossier = received(world)
    dossier = dossier_request_supplement(dossier=dossier, actor=world.officer, items=ITEMS, now=MON)
    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 3, 9))
    before = state(dossier)
    with pytest.raises(IllegalTransition) as err:
        dossier_request_supplement(
            dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 10)
        )
    assert err.value.code == "supplement_once"
    assert state(dossier) == before


def test_before_reception_a_request_may_follow_a_supplement(world):
    dossier = submitted(world)
    dossier = dossier_request_supplement(dossier=dossier, actor=world.officer, items=ITEMS, now=MON)
    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 3, 9))
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 10)
    )
    assert (dossier.status, dossier.supplement_count) == (DossierStatus.SUPPLEMENT_REQUESTED, 2)


# Request Mon 2 Mar 10:00 + 15 working days = Mon 23 Mar 10:00.
REQUESTED = vn(2026, 3, 2, 10)
WAIT_END = vn(2026, 3, 23, 10)


def test_close_unsupplemented_after_the_wait(world):
    waiting_received = dossier_request_supplement(
        dossier=received(world), actor=world.officer, items=ITEMS, now=REQUESTED
    )
    waiting_registered = dossier_request_supplement(
        dossier=submitted(world), actor=world.officer, items=ITEMS, now=REQUESTED
    )
    supplemented = dossier_supplement(
        dossier=dossier_request_supplement(
            dossier=received(world), actor=world.officer, items=ITEMS, now=REQUESTED
        ),
        actor=world.citizen,
        now=vn(2026, 3, 4, 9),
    )

    assert dossier_close_unsupplemented(now=WAIT_END) == []
    closed = dossier_close_unsupplemented(now=vn(2026, 3, 23, 10, 1))

    assert closed == [waiting_received.code, waiting_registered.code]
    waiting_received.refresh_from_db()
    waiting_registered.refresh_from_db()
    assert (waiting_received.status, waiting_received.closed_at) == (
        DossierStatus.STOPPED,
        vn(2026, 3, 23, 10, 1),
    )
    assert waiting_registered.status == DossierStatus.NOT_RECEIVED
    event = waiting_received.events.order_by("-seq")[0]
    assert (event.action, event.actor, event.actor_role) == ("close_unsupplemented", None, "system")
    assert event.reason == "Quá 15 ngày làm việc không bổ sung hồ sơ theo yêu cầu."
    assert waiting_received.current_step is None
    supplemented.refresh_from_db()
    assert supplemented.status == DossierStatus.RECEIVED
    assert dossier_close_unsupplemented(now=vn(2026, 3, 30)) == []


def test_close_unsupplemented_command(world):
    waiting = dossier_request_supplement(
        dossier=received(world), actor=world.officer, items=ITEMS, now=REQUESTED
    )
    out = StringIO()
    call_command("close_unsupplemented", "--now", "2026-03-24T08:00", stdout=out)
    assert out.getvalue().splitlines() == [waiting.code, "Đã đóng 1 hồ sơ quá hạn bổ sung."]
