"""The feedback services: the code, the deadline in working days (weekends, Tết, the setting
and the category's own number), who may classify, answer, publish and reject (and nothing
happens when refused), the trail, the outbox, and the reminders (once a day, only near or
after the deadline)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import (
    AppendOnlyViolation,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from motcua.core.models import OutboxMessage
from motcua.feedback.models import Feedback, FeedbackEvent, FeedbackStatus
from motcua.feedback.selectors import (
    feedback_for_actor,
    feedback_get_for_sender,
    feedback_late,
    feedback_late_by_unit,
    feedback_public_answers,
    secret_digest,
)
from motcua.feedback.services import (
    feedback_answer,
    feedback_classify,
    feedback_publish,
    feedback_reject,
    feedback_reminders_send,
)
from tests.dossiers.helpers import MON, World, vn

from .helpers import reload, send

pytestmark = pytest.mark.django_db


def _topics() -> list[str]:
    return list(OutboxMessage.objects.order_by("id").values_list("topic", flat=True))


def test_submit_gives_a_yearly_code_a_secret_and_a_deadline_of_10_working_days(
    world: World,
) -> None:
    first = send(place=world.ward)
    second = send()
    fb = first.feedback
    assert fb.code == "PA-2026-000001"
    assert second.feedback.code == "PA-2026-000002"
    assert fb.status == FeedbackStatus.RECEIVED
    assert fb.intake_unit == world.ward
    assert second.feedback.intake_unit == world.province  # no place: the province triages
    assert fb.sender_phone == "0912345678"
    # Monday 2 March 09:00 + 10 working days = Monday 16 March 09:00 (two weekends).
    assert fb.due_at == vn(2026, 3, 16, 9, 0)
    # The secret is shown once; only its hash is kept.
    assert len(first.secret) == 14
    assert first.secret.count("-") == 2
    assert fb.secret_hash == secret_digest(first.secret)
    assert first.secret not in str(Feedback.objects.values().get(pk=fb.pk))
    assert list(fb.events.values_list("kind", flat=True)) == ["submit"]
    assert _topics() == ["feedback.submitted", "feedback.submitted"]
    payload = OutboxMessage.objects.first().payload  # type: ignore[union-attr]
    assert payload["code"] == fb.code
    assert payload["due_at"] == "2026-03-16T09:00:00+07:00"
    assert "body" not in payload
    assert "sender_phone" not in payload


def test_the_deadline_skips_tet(world: World) -> None:
    # Friday 13 Feb 2026 10:00, Tết 16-20 Feb: 10 working days end Friday 6 March 10:00.
    fb = send(place=world.ward, now=vn(2026, 2, 13, 10, 0)).feedback
    assert fb.due_at == vn(2026, 3, 6, 10, 0)


def test_received_on_a_saturday_counts_from_monday_morning(world: World) -> None:
    fb = send(place=world.ward, now=vn(2026, 3, 7, 15, 0)).feedback
    assert fb.due_at == vn(2026, 3, 20, 17, 0)  # Mon 9 March 07:00 + 80 working hours


def test_the_number_of_days_is_configurable_and_per_category(
    world: World, settings: pytest.FixtureRequest
) -> None:
    settings.MOTCUA_FEEDBACK_ANSWER_DAYS = 5  # type: ignore[attr-defined]
    settings.MOTCUA_FEEDBACK_ANSWER_DAYS_BY_CATEGORY = {"fees": 3}  # type: ignore[attr-defined]
    fb = send(place=world.ward).feedback
    assert fb.due_at == vn(2026, 3, 9, 9, 0)
    # Classified as fees: 3 working days from the receipt, not from the classification.
    fb = feedback_classify(
        feedback=fb, actor=world.officer, category="fees", unit=world.ward, now=MON
    )
    assert fb.due_at == vn(2026, 3, 5, 9, 0)


def test_submit_refuses_bad_input_and_writes_nothing(world: World) -> None:
    cases = [
        ({"subject": "  "}, "subject", "required"),
        ({"body": ""}, "body", "required"),
        ({"subject": "x" * 201}, "subject", "too_long"),
        ({"sender_phone": ""}, "sender_phone", "required"),
        ({"sender_phone": "12345"}, "sender_phone", "phone_format"),
        ({"sender_email": "not-an-email"}, "sender_email", "email_format"),
        ({"dossier_code": "?? bad"}, "dossier_code", "dossier_code_format"),
        ({"category": "weather"}, "category", "invalid_category"),
    ]
    for kw, field, code in cases:
        with pytest.raises(ValidationError) as error:
            send(**kw)
        assert [(e["field"], e["code"]) for e in error.value.errors] == [(field, code)], kw
    assert Feedback.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_a_signed_in_sender_needs_no_phone_and_gets_no_secret(world: World) -> None:
    sent = send(sender=world.citizen, sender_name="Nguyễn Văn An")
    assert sent.secret == ""
    assert sent.feedback.secret_hash == ""
    assert sent.feedback.sender == world.citizen
    assert feedback_get_for_sender(code=sent.feedback.code, person=world.citizen) == sent.feedback
    with pytest.raises(NotFound):
        feedback_get_for_sender(code=sent.feedback.code, person=world.other_citizen)


def test_the_secret_opens_the_feedback_and_nothing_else_does(world: World) -> None:
    sent = send(place=world.ward)
    code = sent.feedback.code
    assert feedback_get_for_sender(code=code, secret=sent.secret.lower()) == sent.feedback
    assert feedback_get_for_sender(code=code, secret=sent.secret.replace("-", " ")).pk
    for secret in ("", "AAAA-AAAA-AAAA", "short"):
        with pytest.raises(NotFound) as error:
            feedback_get_for_sender(code=code, secret=secret)
        assert error.value.code == "feedback_not_found"
    with pytest.raises(NotFound):
        feedback_get_for_sender(code="PA-2026-999999", secret=sent.secret)
    with pytest.raises(NotFound):  # a stranger signed in is no sender
        feedback_get_for_sender(code=code, person=world.citizen)


def test_the_whole_flow_leaves_a_trail_and_outbox_messages(world: World) -> None:
    sent = send(place=world.ward, public_consent=True)
    fb = feedback_classify(
        feedback=sent.feedback,
        actor=world.officer,
        category="delay",
        unit=world.ward,
        now=MON + dt.timedelta(hours=1),
    )
    assert fb.status == FeedbackStatus.ASSIGNED
    assert fb.unit == world.ward
    fb = feedback_answer(
        feedback=fb,
        actor=world.specialist,
        answer="Hồ sơ đã có kết quả, mời ông đến nhận.",
        now=MON + dt.timedelta(days=1),
    )
    assert fb.status == FeedbackStatus.ANSWERED
    assert fb.answered_by == world.specialist
    assert list(feedback_public_answers()) == []  # not yet published
    fb = feedback_publish(feedback=fb, actor=world.leader, now=MON + dt.timedelta(days=2))
    assert fb.status == FeedbackStatus.PUBLISHED
    assert fb.is_public
    assert fb.published_at == MON + dt.timedelta(days=2)
    assert list(feedback_public_answers()) == [fb]
    assert list(fb.events.values_list("kind", flat=True)) == [
        "submit",
        "classify",
        "answer",
        "publish",
    ]
    classify = fb.events.get(kind="classify")
    assert classify.actor == world.officer
    assert classify.data["after"]["unit"] == world.ward.code
    assert _topics() == [
        "feedback.submitted",
        "feedback.assigned",
        "feedback.answered",
        "feedback.published",
    ]


def test_publication_is_public_only_when_the_sender_agreed(world: World) -> None:
    fb = send(place=world.ward, public_consent=False).feedback
    fb = feedback_classify(
        feedback=fb, actor=world.officer, category="fees", unit=world.ward, now=MON
    )
    fb = feedback_answer(feedback=fb, actor=world.officer, answer="Đã hoàn phí.", now=MON)
    fb = feedback_publish(feedback=fb, actor=world.leader, now=MON, public=True)
    assert fb.status == FeedbackStatus.PUBLISHED
    assert not fb.is_public
    assert list(feedback_public_answers()) == []


def test_staff_of_another_unit_can_neither_classify_nor_answer_nor_publish(
    world: World,
) -> None:
    fb = send(place=world.ward).feedback
    with pytest.raises(PermissionDenied):
        feedback_classify(
            feedback=fb, actor=world.other_officer, category="delay", unit=world.ward, now=MON
        )
    with pytest.raises(PermissionDenied):  # a specialist does not triage
        feedback_classify(
            feedback=fb, actor=world.specialist, category="delay", unit=world.ward, now=MON
        )
    assert reload(fb).status == FeedbackStatus.RECEIVED
    fb = feedback_classify(
        feedback=fb, actor=world.supervisor, category="delay", unit=world.ward, now=MON
    )
    before = _topics()
    for actor in (world.other_officer, world.other_leader, world.citizen, world.stranger):
        with pytest.raises(PermissionDenied):
            feedback_answer(feedback=fb, actor=actor, answer="Trả lời.", now=MON)
    fb = feedback_answer(feedback=fb, actor=world.officer, answer="Trả lời.", now=MON)
    for actor in (world.officer, world.specialist, world.other_leader):
        with pytest.raises(PermissionDenied):
            feedback_publish(feedback=fb, actor=actor, now=MON)
    assert reload(fb).status == FeedbackStatus.ANSWERED
    assert _topics() == [*before, "feedback.answered"]
    feedback_publish(feedback=fb, actor=world.supervisor, now=MON)


def test_illegal_transitions_are_refused(world: World) -> None:
    fb = send(place=world.ward).feedback
    with pytest.raises(IllegalTransition):  # no unit yet
        feedback_answer(feedback=fb, actor=world.officer, answer="x", now=MON)
    with pytest.raises(IllegalTransition):
        feedback_publish(feedback=fb, actor=world.leader, now=MON)
    fb = feedback_reject(
        feedback=fb, actor=world.officer, reason="Không thuộc thẩm quyền.", now=MON
    )
    assert fb.status == FeedbackStatus.REJECTED
    assert fb.closed_reason
    with pytest.raises(IllegalTransition):
        feedback_classify(
            feedback=fb, actor=world.officer, category="delay", unit=world.ward, now=MON
        )


def test_a_duplicate_points_at_the_first(world: World) -> None:
    first = send(place=world.ward).feedback
    second = send(place=world.ward).feedback
    with pytest.raises(ValidationError):
        feedback_reject(
            feedback=first, actor=world.officer, reason="x", now=MON, duplicate_of=first
        )
    second = feedback_reject(
        feedback=second, actor=world.leader, reason="Trùng.", now=MON, duplicate_of=first
    )
    assert second.status == FeedbackStatus.DUPLICATE
    assert second.duplicate_of == first


def test_events_are_append_only(world: World) -> None:
    fb = send(place=world.ward).feedback
    event = FeedbackEvent.objects.get(feedback=fb)
    with pytest.raises(AppendOnlyViolation):
        event.save()
    with pytest.raises(AppendOnlyViolation):
        FeedbackEvent.objects.all().delete()


def test_staff_see_their_units_feedback_and_supervisors_see_all(world: World) -> None:
    ward = send(place=world.ward).feedback
    other = send(place=world.other_ward).feedback
    city = send().feedback
    assert set(feedback_for_actor(actor=world.officer)) == {ward}
    assert set(feedback_for_actor(actor=world.other_officer)) == {other}
    assert set(feedback_for_actor(actor=world.supervisor)) == {ward, other, city}
    assert list(feedback_for_actor(actor=world.citizen)) == []
    assert list(feedback_for_actor(actor=world.stranger)) == []
    # Assigned to the other ward: its staff see it, and so does the intake ward.
    feedback_classify(
        feedback=city, actor=world.supervisor, category="other", unit=world.other_ward, now=MON
    )
    assert set(feedback_for_actor(actor=world.other_officer)) == {other, city}


def test_late_is_past_due_and_not_answered(world: World) -> None:
    late = send(place=world.ward).feedback
    answered = send(place=world.ward).feedback
    send(place=world.ward, now=vn(2026, 3, 10, 9, 0))  # not yet due
    answered = feedback_classify(
        feedback=answered, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    feedback_answer(feedback=answered, actor=world.officer, answer="Đã xử lý.", now=MON)
    after = vn(2026, 3, 17, 9, 0)
    assert list(feedback_late(actor=world.officer, now=after)) == [late]
    assert reload(late).is_late(after)
    assert not reload(answered).is_late(after)
    counts = feedback_late_by_unit(actor=world.supervisor, now=after)
    assert [(c.unit, c.late) for c in counts] == [(world.ward, 1)]
    assert feedback_late_by_unit(actor=world.other_officer, now=after) == []


def test_reminders_go_once_a_day_only_near_or_after_the_deadline(world: World) -> None:
    due_soon = send(place=world.ward).feedback  # due Mon 16 March 09:00
    send(place=world.ward, now=vn(2026, 3, 12, 9, 0))  # due 26 March: far
    other = send(place=world.other_ward, now=vn(2026, 2, 20, 9, 0)).feedback  # late
    # Thursday 12 March 09:00: Mon 16 March 09:00 is exactly 2 working days away.
    thursday = vn(2026, 3, 12, 9, 0)
    sent = feedback_reminders_send(now=thursday)
    assert (sent.feedback, sent.units) == (2, 2)
    messages = OutboxMessage.objects.filter(topic="feedback.reminder").order_by("id")
    assert [m.payload for m in messages] == [
        {"unit": world.other_ward.code, "late": [other.code], "due_soon": []},
        {"unit": world.ward.code, "late": [], "due_soon": [due_soon.code]},
    ]
    assert reload(due_soon).reminder_sent_at == thursday
    assert FeedbackEvent.objects.filter(kind="remind").count() == 2
    # Later the same day: nothing again.
    assert feedback_reminders_send(now=thursday + dt.timedelta(hours=7)).feedback == 0
    # The next day: again, both still unanswered.
    assert feedback_reminders_send(now=vn(2026, 3, 13, 8, 0)).feedback == 2
    # Answered ones are not reminded.
    fb = feedback_classify(
        feedback=due_soon, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    feedback_answer(feedback=fb, actor=world.officer, answer="Xong.", now=MON)
    assert feedback_reminders_send(now=vn(2026, 3, 16, 8, 0)).feedback == 1
    assert OutboxMessage.objects.filter(topic="feedback.reminder").count() == 5


def test_the_remind_command_and_the_beat_job(world: World, settings: object) -> None:
    from django.conf import settings as django_settings
    from django.core.management import call_command
    from freezegun import freeze_time

    assert django_settings.CELERY_BEAT_SCHEDULE["feedback-remind"]["task"] == (
        "motcua.feedback.reminders_send"
    )
    send(place=world.ward, now=vn(2026, 2, 2, 9, 0))
    with freeze_time(vn(2026, 3, 12, 9, 0)):
        from io import StringIO

        out = StringIO()
        call_command("feedback_remind", stdout=out)
    assert "1 phản ánh, 1 đơn vị" in out.getvalue()


def test_the_senders_own_feedback_is_on_their_personal_data_page(world: World) -> None:
    from motcua.core.services import data_access_record
    from motcua.privacy.selectors import personal_data_of, personal_data_reads

    mine = send(sender=world.citizen, sender_name="Nguyễn Văn An", sender_phone="0912000111")
    send(place=world.ward)  # anonymous: not tied to any account
    sections = {s.key: s for s in personal_data_of(person=world.citizen, now=MON).sections}
    held = sections["feedback"]
    assert held.count == 1
    assert held.entries[0].data["code"] == mine.feedback.code
    assert held.entries[0].data["sender_phone"] == "0912000111"
    assert held.entries[0].data["answer"] is None  # not published
    data_access_record(
        actor=world.officer,
        subject_type="feedback.feedback",
        subject_id=mine.feedback.code,
        purpose="feedback_view",
        now=MON,
    )
    assert [r.purpose for r in personal_data_reads(person=world.citizen)] == ["feedback_view"]
    others = {s.key: s for s in personal_data_of(person=world.other_citizen, now=MON).sections}
    assert others["feedback"].count == 0
