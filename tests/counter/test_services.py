"""Around the counter: legal advice turns, at-home service, the hotline log."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.clock import VN_TZ
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.models import AuditEvent
from motcua.counter import selectors, services
from motcua.counter.models import HomeService, HotlineCall, LegalAdviceTurn
from motcua.organisation.models import Role
from motcua.organisation.services import role_assign
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 09:00 in Hanoi.
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


@pytest.fixture
def ward():
    return UnitFactory()


@pytest.fixture
def officer(ward):
    user = UserFactory(kind="staff")
    role_assign(user=user, unit=ward, role=Role.OFFICER, now=NOW)
    return user


def _refused(code: str, service, /, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        service(*args, **kwargs)
    assert caught.value.code == code
    return caught.value


# --- legal advice ----------------------------------------------------------------------


def _turn(ward, officer, **kw) -> LegalAdviceTurn:
    values = {
        "unit": ward,
        "lawyer_name": "Ls. Trần Văn Bình",
        "organisation": "Đoàn Luật sư TP Hà Nội",
        "day": dt.date(2026, 3, 4),
        "starts": dt.time(8, 0),
        "ends": dt.time(11, 0),
        "actor": officer,
        "now": NOW,
    }
    values.update(kw)
    return services.legal_advice_turn_plan(**values)


def test_a_turn_is_planned_held_and_counted(ward, officer) -> None:
    turn = _turn(ward, officer)
    assert turn.status == LegalAdviceTurn.Status.PLANNED
    _refused(
        "turn_not_yet_held",
        services.legal_advice_turn_record,
        turn=turn,
        people_served=3,
        topics="Đất đai",
        actor=officer,
        now=NOW,
    )
    held_on = dt.datetime(2026, 3, 4, 11, 30, tzinfo=VN_TZ)
    services.legal_advice_turn_record(
        turn=turn, people_served=7, topics="Đất đai; thừa kế", actor=officer, now=held_on
    )
    cancelled = _turn(ward, officer, day=dt.date(2026, 3, 5))
    services.legal_advice_turn_cancel(turn=cancelled, reason="Luật sư ốm", actor=officer, now=NOW)
    summary = selectors.legal_advice_summary(
        actor=officer, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    assert summary == selectors.LegalAdviceSummary(turns_held=1, turns_cancelled=1, people_served=7)
    actions = list(
        AuditEvent.objects.filter(object_type="counter.legaladviceturn")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "legal_advice_turn.plan",
        "legal_advice_turn.record",
        "legal_advice_turn.plan",
        "legal_advice_turn.cancel",
    ]


def test_a_turn_on_a_day_off_or_ending_before_it_starts_is_refused(ward, officer) -> None:
    _refused("not_working_day", _turn, ward, officer, day=dt.date(2026, 3, 7))  # a Saturday
    _refused("ends_before_start", _turn, ward, officer, ends=dt.time(7, 0))
    assert LegalAdviceTurn.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type__startswith="counter.").exists()


def test_someone_outside_the_unit_keeps_no_record_there(ward) -> None:
    stranger = UserFactory(kind="staff")
    role_assign(user=stranger, unit=UnitFactory(), role=Role.OFFICER, now=NOW)
    with pytest.raises(PermissionDenied):
        _turn(ward, stranger)
    assert LegalAdviceTurn.objects.count() == 0


# --- at-home service ----------------------------------------------------------------------


def _home(ward, officer, **kw) -> HomeService:
    values = {
        "unit": ward,
        "kind": HomeService.Kind.CERTIFIED_COPY,
        "reason": HomeService.Reason.ELDERLY,
        "person_name": "Cụ Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "address": "Số 5 ngõ 12 Hàng Bạc",
        "actor": officer,
        "now": NOW,
    }
    values.update(kw)
    return services.home_service_request(**values)


def test_an_at_home_request_is_scheduled_in_office_hours_and_done(ward, officer) -> None:
    service = _home(ward, officer)
    assert service.phone == "0912345678"
    assert list(selectors.home_services_open(actor=officer)) == [service]
    _refused(
        "outside_office_hours",
        services.home_service_schedule,
        service=service,
        when=dt.datetime(2026, 3, 3, 12, 0, tzinfo=VN_TZ),
        officer=officer,
        actor=officer,
        now=NOW,
    )
    _refused(
        "home_service_not_scheduled",
        services.home_service_complete,
        service=service,
        outcome="x",
        actor=officer,
        now=NOW,
    )
    when = dt.datetime(2026, 3, 3, 14, 0, tzinfo=VN_TZ)
    services.home_service_schedule(
        service=service, when=when, officer=officer, actor=officer, now=NOW
    )
    done = services.home_service_complete(
        service=service,
        outcome="Chứng thực 3 bản sao",
        reference="15/2026/SCT/BS",
        actor=officer,
        now=when + dt.timedelta(hours=1),
    )
    assert done.status == HomeService.Status.DONE
    assert done.assigned_to == officer
    assert list(selectors.home_services_open(actor=officer)) == []
    # The audit says what happened, not to whom: no name, phone or address in it.
    for event in AuditEvent.objects.filter(object_type="counter.homeservice"):
        text = str(event.before) + str(event.after)
        assert "Lan" not in text
        assert "0912345678" not in text
        assert "Hàng Bạc" not in text


def test_scheduling_an_officer_of_another_unit_is_refused(ward, officer) -> None:
    service = _home(ward, officer)
    other = UserFactory(kind="staff")
    role_assign(user=other, unit=UnitFactory(), role=Role.OFFICER, now=NOW)
    _refused(
        "not_unit_staff",
        services.home_service_schedule,
        service=service,
        when=dt.datetime(2026, 3, 3, 9, 0, tzinfo=VN_TZ),
        officer=other,
        actor=officer,
        now=NOW,
    )
    service.refresh_from_db()
    assert service.status == HomeService.Status.REQUESTED
    assert service.assigned_to is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"phone": "12345"}, "phone_format"),
        ({"reason": HomeService.Reason.OTHER}, "required"),
        ({"kind": "teleport"}, "invalid_choice"),
        ({"preferred_day": dt.date(2026, 3, 1)}, "in_the_past"),
        ({"address": "  "}, "required"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_written(ward, officer, change, code) -> None:
    _refused(code, _home, ward, officer, **change)
    assert HomeService.objects.count() == 0


# --- the hotline ------------------------------------------------------------------------


def test_a_promised_call_back_needs_a_number_and_is_followed_up(ward, officer) -> None:
    _refused(
        "required",
        services.hotline_call_record,
        unit=ward,
        at=NOW,
        topic=HotlineCall.Topic.DOSSIER,
        summary="Hỏi tiến độ",
        outcome=HotlineCall.Outcome.CALLBACK,
        actor=officer,
        now=NOW,
    )
    call = services.hotline_call_record(
        unit=ward,
        at=NOW - dt.timedelta(minutes=5),
        topic=HotlineCall.Topic.DOSSIER,
        summary="Hỏi tiến độ",
        outcome=HotlineCall.Outcome.CALLBACK,
        caller_phone="+84 912 345 678",
        dossier_code="00070-260302-0001",
        actor=officer,
        now=NOW,
    )
    assert call.caller_phone == "0912345678"
    assert list(selectors.hotline_callbacks_pending(actor=officer)) == [call]
    services.hotline_callback_done(call=call, actor=officer, now=NOW + dt.timedelta(hours=1))
    assert list(selectors.hotline_callbacks_pending(actor=officer)) == []
    answered = services.hotline_call_record(
        unit=ward,
        at=NOW,
        topic=HotlineCall.Topic.PROCEDURE,
        summary="Hỏi giấy tờ khai sinh",
        outcome=HotlineCall.Outcome.ANSWERED,
        actor=officer,
        now=NOW,
    )
    _refused(
        "no_callback_promised",
        services.hotline_callback_done,
        call=answered,
        actor=officer,
        now=NOW,
    )
    day = selectors.hotline_calls_for(
        actor=officer, start=NOW.replace(hour=0), end=NOW.replace(hour=23)
    )
    assert list(day) == [answered, call]


def test_a_supervisor_reads_the_records_below_and_others_see_nothing(ward, officer) -> None:
    services.hotline_call_record(
        unit=ward,
        at=NOW,
        topic=HotlineCall.Topic.OTHER,
        summary="x",
        outcome=HotlineCall.Outcome.ANSWERED,
        actor=officer,
        now=NOW,
    )
    city = UnitFactory(kind="province", level="province")
    ward.parent = city
    ward.save()
    supervisor = UserFactory(kind="staff")
    role_assign(user=supervisor, unit=city, role=Role.SUPERVISOR, covers_subunits=True, now=NOW)
    outsider = UserFactory(kind="staff")
    span = {"start": NOW - dt.timedelta(days=1), "end": NOW + dt.timedelta(days=1)}
    assert selectors.hotline_calls_for(actor=supervisor, **span).count() == 1
    assert selectors.hotline_calls_for(actor=outsider, **span).count() == 0
