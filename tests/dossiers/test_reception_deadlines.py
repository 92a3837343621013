"""Online dossiers at the one-stop (domain.md section 3): alerted within 2 working hours and
accepted or sent back for a supplement within 8 working hours of arrival, counted on the
receiving unit's clock from the arrival as at the counter (no online last-hour rule)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core.errors import PermissionDenied
from motcua.core.models import OutboxMessage
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierStatus
from motcua.dossiers.selectors import dossier_reception_queue
from motcua.dossiers.services import (
    dossier_receive,
    dossier_reception_alerts,
    dossier_request_supplement,
    dossier_supplement,
)

from .helpers import MON, received, state, submitted, vn

ITEMS = [{"component": "TP2", "reason": "Bản sao không rõ nét"}]


def deadlines(dossier: Dossier) -> tuple[object, object]:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return fresh.reception_alert_at, fresh.reception_due_at


# --- the instants ---------------------------------------------------------------------------


def test_monday_morning_arrival(world):
    dossier = submitted(world, now=MON)  # Mon 2 Mar 2026 09:00

    # 09:00-11:30 is 2.5 h and 13:30-17:00 is 3.5 h: 6 h on Monday, 2 h more on Tuesday.
    assert deadlines(dossier) == (vn(2026, 3, 2, 11, 0), vn(2026, 3, 3, 9, 0))
    assert dossier.reception_alerted_at is None
    after = DossierEvent.objects.get(dossier=dossier, seq=1).after
    assert (after["reception_alert_at"], after["reception_due_at"]) == (
        "2026-03-02T11:00:00+07:00",
        "2026-03-03T09:00:00+07:00",
    )


def test_friday_late_afternoon_arrival_counts_its_half_hour(world):
    dossier = submitted(world, now=vn(2026, 3, 6, 16, 30))

    # 30 min on Friday, then Monday from 07:00: alert +1.5 h; due +7.5 h = 4.5 h in the
    # morning and 3 h from 13:30.
    assert deadlines(dossier) == (vn(2026, 3, 9, 8, 30), vn(2026, 3, 9, 16, 30))


def test_the_online_last_office_hour_rule_does_not_apply_to_reception(world):
    dossier = submitted(world, now=vn(2026, 3, 2, 16, 10))

    # Counted from 16:10 (not from Tuesday 07:00): 50 min on Monday.
    assert deadlines(dossier) == (vn(2026, 3, 3, 8, 10), vn(2026, 3, 3, 16, 10))


@pytest.mark.parametrize(
    "arrival",
    [vn(2026, 3, 6, 17, 0), vn(2026, 3, 6, 21, 15), vn(2026, 3, 7, 10, 0), vn(2026, 3, 9, 6, 0)],
    ids=["friday-17:00", "friday-night", "saturday", "monday-dawn"],
)
def test_arrival_outside_office_hours_counts_from_the_next_block(world, arrival):
    dossier = submitted(world, now=arrival)

    assert deadlines(dossier) == (vn(2026, 3, 9, 9, 0), vn(2026, 3, 9, 17, 0))


def test_arrival_at_lunch_counts_from_13_30(world):
    dossier = submitted(world, now=vn(2026, 3, 2, 12, 0))

    # 3.5 h on Monday afternoon, 4.5 h on Tuesday morning: exactly its block end.
    assert deadlines(dossier) == (vn(2026, 3, 2, 15, 30), vn(2026, 3, 3, 11, 30))


def test_arrival_before_tet_waits_for_the_first_working_day_after_it(world):
    dossier = submitted(world, now=vn(2026, 2, 13, 15, 0))  # Tết holiday Mon 16 - Fri 20 Feb

    # The alert lands exactly on Friday's block end; the due needs 6 h more after Tết.
    assert deadlines(dossier) == (vn(2026, 2, 13, 17, 0), vn(2026, 2, 23, 15, 0))


def test_the_hours_are_settings(world, settings):
    settings.MOTCUA_RECEPTION_ALERT_HOURS = 1
    settings.MOTCUA_RECEPTION_DUE_HOURS = 4

    dossier = submitted(world, now=MON)

    assert deadlines(dossier) == (vn(2026, 3, 2, 10, 0), vn(2026, 3, 2, 15, 0))


def test_counter_dossiers_get_no_reception_deadline(world):
    dossier = received(world)
    posted = received(world, channel=Channel.POST)

    assert deadlines(dossier) == (None, None)
    assert deadlines(posted) == (None, None)
    assert not dossier.reception_overdue(vn(2027, 1, 1))
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    assert "reception_on_time" not in event.after


# --- the outcome ------------------------------------------------------------------------------


def test_reception_overdue_is_past_the_due_instant_while_waiting(world):
    dossier = submitted(world, now=MON)  # due Tue 3 Mar 09:00

    assert not dossier.reception_overdue(vn(2026, 3, 3, 9, 0))
    assert dossier.reception_overdue(vn(2026, 3, 3, 9, 1))
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 3, 10))
    assert not dossier.reception_overdue(vn(2026, 3, 3, 10, 1))


@pytest.mark.parametrize(
    ("at", "on_time"),
    [(vn(2026, 3, 2, 9, 5), True), (vn(2026, 3, 3, 9, 0), True), (vn(2026, 3, 3, 9, 1), False)],
)
def test_the_receive_event_records_whether_reception_was_on_time(world, at, on_time):
    dossier = submitted(world, now=MON)

    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=at)

    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    assert event.after["reception_on_time"] is on_time
    # the deadlines stay on the dossier as the record of the reception
    assert deadlines(dossier) == (vn(2026, 3, 2, 11, 0), vn(2026, 3, 3, 9, 0))


def test_a_supplement_request_is_also_an_answer_to_the_arrival(world):
    dossier = submitted(world, now=MON)

    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 3, 11)
    )

    event = DossierEvent.objects.get(dossier=dossier, action="request_supplement")
    assert event.after["reception_on_time"] is False
    assert not dossier.reception_overdue(vn(2026, 3, 4, 9))  # waiting for the applicant


def test_a_supplement_brings_a_never_received_dossier_back_with_new_deadlines(world):
    dossier = submitted(world, now=MON)
    dossier_reception_alerts(now=vn(2026, 3, 2, 11))
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 2, 11, 15)
    )

    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 4, 14))

    assert dossier.status == DossierStatus.REGISTERED
    assert deadlines(dossier) == (vn(2026, 3, 4, 16, 0), vn(2026, 3, 5, 14, 0))
    assert dossier.reception_alerted_at is None  # it may be alerted again
    event = DossierEvent.objects.get(dossier=dossier, action="supplement")
    assert dt.datetime.fromisoformat(event.before["reception_due_at"]) == vn(2026, 3, 3, 9)
    assert dt.datetime.fromisoformat(event.after["reception_due_at"]) == vn(2026, 3, 5, 14)


def test_a_supplement_of_a_received_dossier_leaves_the_reception_record(world):
    dossier = submitted(world, now=MON)
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 2, 10))
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 2, 11)
    )

    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 4, 14))

    assert dossier.status == DossierStatus.RECEIVED
    assert deadlines(dossier) == (vn(2026, 3, 2, 11, 0), vn(2026, 3, 3, 9, 0))


# --- the queue --------------------------------------------------------------------------------


@pytest.fixture
def queue(world):
    """Four online dossiers waiting at the ward, one received, one at another ward, one at the
    branch, one counter dossier."""
    resubmitted = submitted(world, now=vn(2026, 3, 2, 7, 0))
    first = submitted(world, now=vn(2026, 3, 2, 7, 0))  # alert 09:00, due Mon 17:00
    second = submitted(world, now=vn(2026, 3, 2, 9, 0))  # alert 11:00, due Tue 09:00
    third = submitted(world, now=vn(2026, 3, 2, 14, 0))  # alert 16:00, due Tue 14:00
    resubmitted = dossier_request_supplement(
        dossier=resubmitted, actor=world.officer, items=ITEMS, now=vn(2026, 3, 2, 8, 0)
    )
    resubmitted = dossier_supplement(  # alert 16:30, due Tue 14:30
        dossier=resubmitted, actor=world.citizen, now=vn(2026, 3, 2, 14, 30)
    )
    taken = submitted(world, now=vn(2026, 3, 2, 7, 0))
    dossier_receive(dossier=taken, actor=world.officer, now=vn(2026, 3, 2, 7, 30))
    submitted(world, now=vn(2026, 3, 2, 7, 0), receiving_unit=world.other_ward)
    submitted(
        world, now=vn(2026, 3, 2, 7, 0), receiving_unit=world.branch, handling_unit=world.ward
    )
    received(world, now=vn(2026, 3, 2, 7, 0))
    return [first, second, third, resubmitted]


@pytest.mark.parametrize(
    ("now", "states"),
    [
        (vn(2026, 3, 2, 8, 59), ["ok", "ok", "ok", "ok"]),
        (vn(2026, 3, 2, 9, 0), ["alert", "ok", "ok", "ok"]),
        (vn(2026, 3, 2, 15, 0), ["alert", "alert", "ok", "ok"]),
        (vn(2026, 3, 2, 17, 0), ["alert", "alert", "alert", "alert"]),  # due itself: not late
        (vn(2026, 3, 2, 17, 1), ["late", "alert", "alert", "alert"]),
        (vn(2026, 3, 3, 14, 15), ["late", "late", "late", "alert"]),
        (vn(2026, 3, 3, 14, 31), ["late", "late", "late", "late"]),
    ],
)
def test_the_officer_sees_the_units_waiting_dossiers_most_urgent_first(world, queue, now, states):
    rows = list(dossier_reception_queue(actor=world.officer, now=now))

    assert [d.code for d in rows] == [d.code for d in queue]
    assert [d.reception_state for d in rows] == states
    assert [d.reception_overdue(now) for d in rows] == [s == "late" for s in states]


def test_the_branch_officer_sees_only_the_branch(world, queue):
    rows = list(dossier_reception_queue(actor=world.branch_officer, now=MON))

    assert [(d.receiving_unit, d.status) for d in rows] == [(world.branch, 1)]


@pytest.mark.parametrize(
    "who", ["specialist", "leader", "supervisor", "auditor", "citizen", "stranger"]
)
def test_no_one_but_one_stop_officers_has_a_queue(world, queue, who):
    assert list(dossier_reception_queue(actor=getattr(world, who), now=MON)) == []


def test_an_officer_of_another_unit_sees_nothing_and_cannot_receive(world, queue):
    other = list(dossier_reception_queue(actor=world.other_officer, now=MON))
    assert [d.receiving_unit for d in other] == [world.other_ward]
    dossier = queue[0]
    before = state(dossier)

    with pytest.raises(PermissionDenied) as err:
        dossier_receive(dossier=dossier, actor=world.other_officer, now=vn(2026, 3, 2, 10))

    assert err.value.code == "forbidden"
    assert state(dossier) == before
    assert dossier.code not in {d.code for d in other}


# --- the alerts -------------------------------------------------------------------------------


def alerts() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(topic="dossier.reception_alert").order_by("id"))


OTHER_WARD = "00004-260302-0001"  # arrived Mon 07:00 too: alert 09:00, due 17:00
BRANCH = "01.TTHCC.CN05-260302-0001"


def test_alerts_are_sent_once_per_dossier_when_the_alert_instant_passes(world, queue):
    first, second, third, resubmitted = queue
    versions = {d.pk: Dossier.objects.get(pk=d.pk).version for d in queue}
    events = DossierEvent.objects.count()

    assert dossier_reception_alerts(now=vn(2026, 3, 2, 8, 59)) == []
    assert dossier_reception_alerts(now=vn(2026, 3, 2, 11, 0)) == [
        first.code,
        OTHER_WARD,
        BRANCH,
        second.code,
    ]
    assert dossier_reception_alerts(now=vn(2026, 3, 2, 11, 0)) == []
    assert dossier_reception_alerts(now=vn(2026, 3, 2, 17, 30)) == [
        third.code,
        resubmitted.code,
    ]
    assert dossier_reception_alerts(now=vn(2026, 3, 3, 17, 0)) == []

    sent = alerts()
    assert [m.payload["code"] for m in sent] == [
        first.code,
        OTHER_WARD,
        BRANCH,
        second.code,
        third.code,
        resubmitted.code,
    ]
    assert sent[2].payload["receiving_unit"] == "01.TTHCC.CN05"
    assert sent[0].payload == {
        "code": first.code,
        "status": 1,
        "action": "reception_alert",
        "version": 1,
        "receiving_unit": "00070",
        "reception_alert_at": "2026-03-02T09:00:00+07:00",
        "reception_due_at": "2026-03-02T17:00:00+07:00",
        "late": False,
    }
    assert sent[4].payload["late"] is False
    assert Dossier.objects.get(pk=first.pk).reception_alerted_at == vn(2026, 3, 2, 11, 0)
    # an alert is not a change of the dossier: no version bump, no event
    assert {d.pk: Dossier.objects.get(pk=d.pk).version for d in queue} == versions
    assert DossierEvent.objects.count() == events


def test_an_alert_found_late_says_so(world):
    dossier = submitted(world, now=MON)

    assert dossier_reception_alerts(now=vn(2026, 3, 3, 10)) == [dossier.code]
    assert alerts()[0].payload["late"] is True


def test_received_and_counter_dossiers_are_never_alerted(world):
    dossier = submitted(world, now=MON)
    dossier_receive(dossier=dossier, actor=world.officer, now=vn(2026, 3, 2, 9, 30))
    received(world)

    assert dossier_reception_alerts(now=vn(2026, 3, 10)) == []
    assert alerts() == []


def test_a_dossier_back_from_a_supplement_is_alerted_again(world):
    dossier = submitted(world, now=MON)
    assert dossier_reception_alerts(now=vn(2026, 3, 2, 11)) == [dossier.code]
    dossier = dossier_request_supplement(
        dossier=dossier, actor=world.officer, items=ITEMS, now=vn(2026, 3, 2, 11, 15)
    )
    dossier = dossier_supplement(dossier=dossier, actor=world.citizen, now=vn(2026, 3, 4, 14))

    assert dossier_reception_alerts(now=vn(2026, 3, 4, 15, 59)) == []
    assert dossier_reception_alerts(now=vn(2026, 3, 4, 16)) == [dossier.code]
    assert [m.payload["reception_alert_at"] for m in alerts()] == [
        "2026-03-02T11:00:00+07:00",
        "2026-03-04T16:00:00+07:00",
    ]


def test_the_command_enqueues_once_and_prints_a_summary(world, queue):
    out = StringIO()
    call_command("reception_alerts", "--now", "2026-03-02T11:00:00", stdout=out)

    assert out.getvalue().splitlines() == [
        queue[0].code,
        OTHER_WARD,
        BRANCH,
        queue[1].code,
        "Đã cảnh báo 4 hồ sơ trực tuyến chờ tiếp nhận.",
    ]
    again = StringIO()
    call_command("reception_alerts", "--now", "2026-03-02T11:00:00+07:00", stdout=again)
    assert again.getvalue().splitlines() == ["Đã cảnh báo 0 hồ sơ trực tuyến chờ tiếp nhận."]
    assert len(alerts()) == 4
