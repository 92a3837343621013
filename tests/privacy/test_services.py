"""data_request_submit / assign / answer: the deadline, the states, the audit trail, and
refusals that change nothing."""

from __future__ import annotations

import pytest

from motcua.core.errors import Conflict, PermissionDenied, ValidationError
from motcua.core.models import AuditEvent
from motcua.privacy.models import DataSubjectRequest, RequestStatus
from motcua.privacy.services import (
    data_request_answer,
    data_request_assign,
    data_request_due_at,
    data_request_submit,
    personal_data_export_record,
)
from tests.dossiers.helpers import MON, World, vn

from .helpers import privacy_officer

pytestmark = pytest.mark.django_db


def _submit(world: World, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("person", world.citizen)
    kw.setdefault("kind", "restrict")
    kw.setdefault("scope", "data_store")
    kw.setdefault("reason", "Tôi không muốn giấy tờ được dùng lại.")
    kw.setdefault("now", MON)
    return data_request_submit(**kw)


def test_deadline_is_15_calendar_days_at_the_close_of_office_hours(world: World) -> None:
    # Monday 2 March 2026 09:00 + 15 days = Tuesday 17 March, a working day: 17:00.
    assert data_request_due_at(received_at=MON) == vn(2026, 3, 17, 17, 0)


def test_deadline_on_a_holiday_weekend_moves_to_the_next_working_day(world: World) -> None:
    # Friday 17 April 2026 + 15 days = Saturday 2 May (after 30/4 and 1/5): Monday 4 May.
    assert data_request_due_at(received_at=vn(2026, 4, 17, 16, 30)) == vn(2026, 5, 4, 17, 0)


def test_deadline_counts_from_the_local_day_of_receipt(world: World) -> None:
    # 23:30 on Sunday 1 March (local) is still 1 March: the period ends on Monday 16 March.
    assert data_request_due_at(received_at=vn(2026, 3, 1, 23, 30)) == vn(2026, 3, 16, 17, 0)


def test_submit_records_the_request_its_deadline_and_an_audit_event(world: World) -> None:
    request = _submit(world, scope_detail="  Giấy khai sinh   bản sao ")
    assert request.status == RequestStatus.RECEIVED
    assert request.received_at == MON
    assert request.due_at == vn(2026, 3, 17, 17, 0)
    assert request.scope_detail == "Giấy khai sinh bản sao"
    event = AuditEvent.objects.get(action="data_request.submit")
    assert event.actor_id == world.citizen.pk
    assert event.object_id == str(request.pk)
    assert event.after["kind"] == "restrict"
    assert "reason" not in event.after  # the person's words stay out of the trail


def test_submit_refuses_an_empty_reason_and_writes_nothing(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _submit(world, reason="   ")
    assert caught.value.code == "required"
    assert caught.value.errors == [{"field": "reason", "code": "required"}]
    assert not DataSubjectRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="data_request").exists()


@pytest.mark.parametrize(("field", "value"), [("kind", "erase"), ("scope", "everything")])
def test_submit_refuses_unknown_choices(world: World, field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        _submit(world, **{field: value})
    assert not DataSubjectRequest.objects.exists()


def test_submit_refuses_a_second_open_request_of_the_same_kind_and_scope(world: World) -> None:
    _submit(world)
    with pytest.raises(Conflict) as caught:
        _submit(world)
    assert caught.value.code == "data_request_open"
    assert DataSubjectRequest.objects.count() == 1
    _submit(world, kind="delete")  # another kind is another request
    assert DataSubjectRequest.objects.count() == 2


def test_assign_takes_the_request_and_records_it(world: World) -> None:
    officer = privacy_officer(world)
    request = _submit(world)
    later = vn(2026, 3, 3, 10)
    assigned = data_request_assign(request=request, actor=officer, now=later)
    assert assigned.status == RequestStatus.IN_PROGRESS
    assert assigned.handled_by == officer
    assert assigned.assigned_at == later
    event = AuditEvent.objects.get(action="data_request.assign")
    assert event.before["status"] == "received"
    assert event.after["status"] == "in_progress"
    assert event.after["handled_by"] == officer.pk


@pytest.mark.parametrize("who", ["officer", "supervisor", "citizen"])
def test_only_a_privacy_officer_assigns_or_answers(world: World, who: str) -> None:
    request = _submit(world)
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        data_request_assign(request=request, actor=actor, now=MON)
    with pytest.raises(PermissionDenied):
        data_request_answer(
            request=request, actor=actor, outcome="done", answer="Đã xong.", now=MON
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    assert request.handled_by is None


def test_answer_done_closes_the_request(world: World) -> None:
    officer = privacy_officer(world)
    request = _submit(world)
    when = vn(2026, 3, 10, 14)
    answered = data_request_answer(
        request=request,
        actor=officer,
        outcome="done",
        legal_basis="archival",  # ignored: nothing was left undone
        answer="Đã dừng dùng lại các giấy tờ trong kho.",
        now=when,
    )
    assert answered.status == RequestStatus.ANSWERED
    assert answered.outcome == "done"
    assert answered.legal_basis == ""
    assert answered.answered_at == when
    assert answered.handled_by == officer  # taken on the way
    assert not answered.is_late(when)
    event = AuditEvent.objects.get(action="data_request.answer")
    assert event.after["status"] == "answered"


def test_refusal_needs_a_legal_basis(world: World) -> None:
    officer = privacy_officer(world)
    request = _submit(world, kind="delete", scope="dossiers")
    with pytest.raises(ValidationError) as caught:
        data_request_answer(
            request=request, actor=officer, outcome="refused", answer="Không xoá được.", now=MON
        )
    assert caught.value.code == "basis_required"
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    refused = data_request_answer(
        request=request,
        actor=officer,
        outcome="refused",
        legal_basis="archival",
        answer="Hồ sơ đang trong thời hạn lưu trữ.",
        now=MON,
    )
    assert refused.status == RequestStatus.REFUSED
    assert refused.legal_basis == "archival"


def test_deleting_dossiers_cannot_be_answered_done(world: World) -> None:
    officer = privacy_officer(world)
    request = _submit(world, kind="delete", scope="dossiers")
    with pytest.raises(ValidationError) as caught:
        data_request_answer(
            request=request, actor=officer, outcome="done", answer="Đã xoá.", now=MON
        )
    assert caught.value.code == "kept_by_law"
    request.refresh_from_db()
    assert request.is_open
    assert not AuditEvent.objects.filter(action="data_request.answer").exists()


def test_an_answered_request_is_closed(world: World) -> None:
    officer = privacy_officer(world)
    request = _submit(world)
    data_request_answer(request=request, actor=officer, outcome="done", answer="Xong.", now=MON)
    with pytest.raises(Conflict) as caught:
        data_request_answer(request=request, actor=officer, outcome="done", answer="Lại.", now=MON)
    assert caught.value.code == "data_request_closed"
    with pytest.raises(Conflict):
        data_request_assign(request=request, actor=officer, now=MON)
    request.refresh_from_db()
    assert request.answer == "Xong."


def test_late_answer_is_late(world: World) -> None:
    officer = privacy_officer(world)
    request = _submit(world)
    answered = data_request_answer(
        request=request, actor=officer, outcome="done", answer="Xong.", now=vn(2026, 3, 18, 8)
    )
    assert answered.is_late(vn(2026, 3, 18, 8))


def test_export_download_is_recorded(world: World) -> None:
    personal_data_export_record(person=world.citizen, file_format="pdf", now=MON)
    event = AuditEvent.objects.get(action="personal_data.export")
    assert event.actor_id == world.citizen.pk
    assert event.after == {"format": "pdf"}
    with pytest.raises(ValueError, match="unknown export format"):
        personal_data_export_record(person=world.citizen, file_format="xml", now=MON)


def test_assign_to_another_officer_but_never_to_someone_without_the_role(world: World) -> None:
    officer = privacy_officer(world)
    colleague = privacy_officer(world, username="privacy2")
    request = _submit(world)
    with pytest.raises(ValidationError) as caught:
        data_request_assign(request=request, actor=officer, handler=world.supervisor, now=MON)
    assert caught.value.code == "not_a_handler"
    request.refresh_from_db()
    assert request.handled_by is None
    assigned = data_request_assign(request=request, actor=officer, handler=colleague, now=MON)
    assert assigned.handled_by == colleague
    assert AuditEvent.objects.get(action="data_request.assign").actor_id == officer.pk


def test_submission_and_answer_are_announced_in_the_outbox_without_personal_data(
    world: World,
) -> None:
    from motcua.core.models import OutboxMessage

    officer = privacy_officer(world)
    request = _submit(world)
    data_request_answer(request=request, actor=officer, outcome="done", answer="Xong.", now=MON)
    messages = list(OutboxMessage.objects.order_by("pk").values_list("topic", "payload"))
    expected = {
        "request": request.pk,
        "person": world.citizen.pk,
        "kind": "restrict",
        "due_at": "2026-03-17T17:00:00+07:00",
    }
    assert messages == [
        ("privacy.request_received", {**expected, "status": "received"}),
        ("privacy.request_answered", {**expected, "status": "answered"}),
    ]


def test_the_deadline_is_extended_once_by_15_days_with_a_reason(world: World) -> None:
    from motcua.privacy.services import data_request_extend

    officer = privacy_officer(world)
    request = _submit(world)  # due Tuesday 17 March 2026, 17:00
    with pytest.raises(ValidationError):
        data_request_extend(request=request, actor=officer, reason=" ", now=MON)
    extended = data_request_extend(
        request=request, actor=officer, reason="Cần đối chiếu hồ sơ lưu trữ.", now=vn(2026, 3, 9, 9)
    )
    assert extended.due_at == vn(2026, 4, 1, 17, 0)  # 17 March + 15 days: Wednesday 1 April
    assert extended.extended_at == vn(2026, 3, 9, 9)
    event = AuditEvent.objects.get(action="data_request.extend")
    assert event.after["due_at"] == "2026-04-01T17:00:00+07:00"
    with pytest.raises(Conflict) as caught:
        data_request_extend(request=request, actor=officer, reason="Lại.", now=MON)
    assert caught.value.code == "data_request_extended"
    request.refresh_from_db()
    assert request.due_at == vn(2026, 4, 1, 17, 0)
    with pytest.raises(PermissionDenied):
        data_request_extend(request=request, actor=world.supervisor, reason="x", now=MON)
