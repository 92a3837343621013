"""Feedback reaches people: the sender is told it was received and when it is answered; the
unit's staff who may answer are reminded by e-mail. Contacts are read at delivery time."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.core import mail

from motcua.core.models import OutboxDelivery, OutboxMessage
from motcua.core.outbox import outbox_deliver_pending
from motcua.feedback.models import Feedback
from motcua.feedback.services import (
    feedback_answer,
    feedback_classify,
    feedback_publish,
    feedback_reject,
    feedback_reminders_send,
)
from motcua.notifications.defaults import DEFAULTS
from motcua.notifications.models import (
    Notification,
    NotificationDelivery,
    NotificationTemplate,
    SandboxSms,
)
from motcua.notifications.rendering import render_sms
from motcua.notifications.services import preference_set
from motcua.notifications.text import is_gsm7
from tests.dossiers.helpers import MON, World, vn
from tests.feedback.helpers import send

pytestmark = pytest.mark.django_db(transaction=True)

FOLLOW = "https://dichvucong.hanoi.gov.vn/phan-anh/"


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> None:
    settings.MOTCUA_FEEDBACK_URL = FOLLOW
    settings.MOTCUA_WORKSPACE_FEEDBACK_URL = "https://motcua.hanoi.gov.vn/workspace/feedback/"


def _published(feedback: Feedback, world: World) -> Feedback:
    fb = feedback_classify(
        feedback=feedback, actor=world.officer, category="delay", unit=world.ward, now=MON
    )
    fb = feedback_answer(feedback=fb, actor=world.specialist, answer="Đã xử lý.", now=MON)
    return feedback_publish(feedback=fb, actor=world.leader, now=MON + dt.timedelta(hours=1))


def test_an_anonymous_sender_gets_an_sms_and_an_email_with_the_code(world: World) -> None:
    fb = send(place=world.ward, sender_email="cuong@example.vn").feedback

    sms = SandboxSms.objects.get()
    assert sms.to == fb.sender_phone
    assert sms.text == (
        f"Phan anh {fb.code} da duoc tiep nhan, han tra loi 16/03/2026. "
        f"Theo doi: {FOLLOW}{fb.code}/"
    )
    assert len(sms.text) <= 160
    assert sms.text.isascii()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cuong@example.vn"]
    assert mail.outbox[0].subject == f"Phản ánh {fb.code} đã được tiếp nhận"
    assert "Hạn trả lời: 16/03/2026" in mail.outbox[0].body
    assert f"{FOLLOW}{fb.code}/" in mail.outbox[0].body
    assert not Notification.objects.exists()  # no account: no in-app notice
    assert {(r.channel, r.event, r.status) for r in NotificationDelivery.objects.all()} == {
        ("sms", "feedback_received", "sent"),
        ("email", "feedback_received", "sent"),
    }
    # The outbox message carries no contact: it is read when the message is sent.
    payload = OutboxMessage.objects.get(topic="feedback.submitted").payload
    assert set(payload) == {"code", "status", "category", "unit", "intake_unit", "sender", "due_at"}
    assert fb.sender_phone not in str(payload)
    assert "cuong@" not in str(payload)


def test_without_an_email_only_the_sms_goes(world: World) -> None:
    send(place=world.ward)
    assert SandboxSms.objects.count() == 1
    assert mail.outbox == []


def test_the_published_answer_reaches_a_signed_in_sender_except_on_a_channel_off(
    world: World,
) -> None:
    citizen = world.citizen
    preference_set(person=citizen, now=MON, sms=False, email=True, inapp=True)
    fb = send(place=world.ward, sender=citizen).feedback
    assert SandboxSms.objects.count() == 0  # SMS off
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    mail.outbox.clear()

    _published(fb, world)

    assert SandboxSms.objects.count() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Phản ánh {fb.code} đã có trả lời"
    assert mail.outbox[0].to == [citizen.email]
    notes = list(Notification.objects.filter(person=citizen).order_by("id"))
    assert [(n.event, n.title) for n in notes] == [
        ("feedback_received", f"Phản ánh {fb.code} đã được tiếp nhận"),
        ("feedback_answered", f"Phản ánh {fb.code} đã có trả lời"),
    ]
    assert NotificationDelivery.objects.filter(channel="sms", status="opted_out").count() == 2
    # assigned and answered are not told to the sender
    assert not NotificationDelivery.objects.filter(event="feedback_reminder").exists()


def test_one_event_turned_off_is_not_sent_on_that_channel(world: World) -> None:
    preference_set(
        person=world.citizen,
        now=MON,
        sms=True,
        email=True,
        inapp=True,
        events_off=[("feedback_received", "email")],
    )
    send(place=world.ward, sender=world.citizen)
    assert mail.outbox == []
    assert SandboxSms.objects.get().to == world.citizen.phone


def test_an_english_speaking_sender_reads_english(world: World) -> None:
    world.citizen.language = "en"
    world.citizen.save(update_fields=["language"])
    fb = send(place=world.ward, sender=world.citizen).feedback
    assert SandboxSms.objects.get().text.startswith(f"Feedback {fb.code} received, answer due")
    assert mail.outbox[0].subject == f"Feedback {fb.code} received"


def test_a_redelivered_envelope_sends_nothing_twice(world: World) -> None:
    fb = send(place=world.ward, sender=world.citizen).feedback
    _published(fb, world)
    sent = NotificationDelivery.objects.count()
    assert sent == 6  # sms, email, inapp for received and for answered
    OutboxDelivery.objects.update(status="pending", delivered_at=None)

    outbox_deliver_pending(now=None)

    assert NotificationDelivery.objects.count() == sent
    assert SandboxSms.objects.count() == 2
    assert all(s.hits == 1 for s in SandboxSms.objects.all())
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_a_reminder_mails_each_answering_staff_member_of_the_unit_only(world: World) -> None:
    due_soon = send(place=world.ward).feedback  # due Mon 16 March 09:00
    late = send(place=world.ward, now=vn(2026, 2, 20, 9, 0)).feedback
    other = send(place=world.other_ward, now=vn(2026, 2, 20, 9, 0)).feedback
    mail.outbox.clear()  # (no e-mail given: none was sent anyway)

    feedback_reminders_send(now=vn(2026, 3, 12, 9, 0))

    by_person = {m.to[0]: m for m in mail.outbox}
    ward_staff = {world.officer.email, world.specialist.email, world.leader.email}
    other_staff = {world.other_officer.email, world.other_leader.email}
    assert set(by_person) == ward_staff | other_staff
    assert len(mail.outbox) == 5  # one per staff member per reminder
    message = by_person[world.specialist.email]
    assert message.subject == "Nhắc việc: 2 phản ánh cần trả lời (Phường Hoàn Kiếm)"
    assert f"- {late.code}: {late.subject} (hạn " in message.body
    assert "QUÁ HẠN" in message.body
    assert "sắp đến hạn" in message.body
    assert due_soon.code in message.body
    assert "16/03/2026" in message.body
    assert other.code not in message.body
    assert due_soon.code not in by_person[world.other_leader.email].body
    # auditors, supervisors and other roles are not mailed
    assert world.supervisor.email not in by_person
    assert world.auditor.email not in by_person
    rows = NotificationDelivery.objects.filter(event="feedback_reminder")
    assert rows.count() == 5
    assert {r.status for r in rows} == {"sent"}

    # redelivered: nothing again
    OutboxDelivery.objects.filter(subscriber="notifications.feedback_reminder").update(
        status="pending", delivered_at=None
    )
    outbox_deliver_pending(now=None)
    assert len(mail.outbox) == 5


REASON = "Nội dung không thuộc thẩm quyền của UBND phường; đề nghị gửi Công an phường."


def test_a_rejection_reaches_an_anonymous_sender_once_by_sms_and_email_with_the_reason(
    world: World,
) -> None:
    fb = send(place=world.ward, sender_email="cuong@example.vn").feedback
    SandboxSms.objects.all().delete()
    mail.outbox.clear()

    feedback_reject(feedback=fb, actor=world.officer, reason=REASON, now=MON)

    sms = SandboxSms.objects.get()
    assert sms.to == fb.sender_phone
    assert sms.text == (f"Phan anh {fb.code} khong duoc xu ly. Xem ly do tai: {FOLLOW}{fb.code}/")
    assert sms.hits == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cuong@example.vn"]
    assert mail.outbox[0].subject == f"Phản ánh {fb.code} không được xử lý"
    assert REASON in mail.outbox[0].body
    assert f"{FOLLOW}{fb.code}/" in mail.outbox[0].body
    assert not Notification.objects.exists()  # no account: no in-app notice
    rows = NotificationDelivery.objects.filter(event="feedback_rejected")
    assert {(r.channel, r.status) for r in rows} == {("sms", "sent"), ("email", "sent")}
    # The outbox message carries neither the reason nor the contact.
    payload = OutboxMessage.objects.get(topic="feedback.rejected").payload
    assert REASON not in str(payload)
    assert fb.sender_phone not in str(payload)

    # Redelivered: nothing is sent twice.
    OutboxDelivery.objects.update(status="pending", delivered_at=None)
    outbox_deliver_pending(now=None)
    assert SandboxSms.objects.get().hits == 1
    assert len(mail.outbox) == 1
    assert NotificationDelivery.objects.filter(event="feedback_rejected").count() == 2


def test_a_rejection_reaches_a_signed_in_sender_in_app_and_respects_their_choices(
    world: World,
) -> None:
    citizen = world.citizen
    preference_set(
        person=citizen,
        now=MON,
        sms=True,
        email=True,
        inapp=True,
        events_off=[("feedback_rejected", "sms")],
    )
    fb = send(place=world.ward, sender=citizen).feedback
    SandboxSms.objects.all().delete()
    mail.outbox.clear()

    feedback_reject(feedback=fb, actor=world.officer, reason=REASON, now=MON)

    assert SandboxSms.objects.count() == 0  # this event turned off on SMS
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    note = Notification.objects.get(person=citizen, event="feedback_rejected")
    assert note.title == f"Phản ánh {fb.code} không được xử lý"
    assert REASON in note.body
    assert {
        (r.channel, r.status)
        for r in NotificationDelivery.objects.filter(event="feedback_rejected")
    } == {("sms", "opted_out"), ("email", "sent"), ("inapp", "sent")}


def test_a_duplicate_is_told_with_its_reason_in_english_to_an_english_speaker(
    world: World,
) -> None:
    world.citizen.language = "en"
    world.citizen.save(update_fields=["language"])
    first = send(place=world.ward).feedback
    fb = send(place=world.ward, sender=world.citizen).feedback
    SandboxSms.objects.all().delete()
    mail.outbox.clear()

    feedback_reject(
        feedback=fb, actor=world.officer, reason=f"Trùng {first.code}.", duplicate_of=first, now=MON
    )

    assert SandboxSms.objects.get().text == (
        f"Feedback {fb.code} will not be handled. See why: {FOLLOW}{fb.code}/"
    )
    assert mail.outbox[0].subject == f"Feedback {fb.code} not handled"
    assert f"Trùng {first.code}." in mail.outbox[0].body


def test_a_rejection_with_every_channel_off_sends_nothing(world: World) -> None:
    preference_set(person=world.citizen, now=MON, sms=False, email=False, inapp=False)
    fb = send(place=world.ward, sender=world.citizen).feedback

    feedback_reject(feedback=fb, actor=world.officer, reason=REASON, now=MON)

    assert SandboxSms.objects.count() == 0
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert {r.status for r in NotificationDelivery.objects.filter(event="feedback_rejected")} == {
        "opted_out"
    }


def test_feedback_templates_exist_in_both_languages_and_sms_fit_one_segment() -> None:
    for event in ("feedback_received", "feedback_answered", "feedback_rejected"):
        for channel in ("sms", "email", "inapp"):
            for language in ("vi", "en"):
                assert DEFAULTS[(event, channel, language)].body
    for language in ("vi", "en"):
        assert DEFAULTS[("feedback_reminder", "email", language)].subject
        for event in ("feedback_received", "feedback_answered", "feedback_rejected"):
            text = render_sms(
                DEFAULTS[(event, "sms", language)].body,
                {
                    "code": "PA-2026-000123",
                    "due_date": "30/12/2026",
                    "follow_url": "https://dichvucong.hanoi.gov.vn/phan-anh/PA-2026-000123/",
                },
            )
            assert len(text) <= 160, text
            assert text.isascii()
            assert is_gsm7(text)


def test_the_migration_seeds_the_feedback_templates(db: None) -> None:
    from django.apps import apps

    NotificationTemplate.objects.filter(event__startswith="feedback_").delete()
    migration = importlib.import_module("motcua.notifications.migrations.0007_feedback_templates")
    migration.seed(apps, None)
    assert NotificationTemplate.objects.filter(event__startswith="feedback_").count() == 14


def test_the_migration_seeds_the_rejection_templates_in_both_languages(db: None) -> None:
    from django.apps import apps

    NotificationTemplate.objects.filter(event="feedback_rejected").delete()
    migration = importlib.import_module(
        "motcua.notifications.migrations.0008_feedback_rejected_template"
    )
    migration.seed(apps, None)
    rows = NotificationTemplate.objects.filter(event="feedback_rejected")
    assert {(r.channel, r.language) for r in rows} == {
        (c, lang) for c in ("sms", "email", "inapp") for lang in ("vi", "en")
    }
    migration.seed(apps, None)  # again: nothing doubled
    assert rows.count() == 6


def test_an_administrators_edit_of_a_feedback_template_is_used(world: World) -> None:
    from motcua.notifications.services import template_update, templates_seed

    templates_seed()
    template = NotificationTemplate.objects.get(
        event="feedback_received", channel="sms", language="vi"
    )
    template_update(
        actor=None,
        template=template,
        subject="",
        body="Da nhan phan anh {code}. Xem: {follow_url}",
        now=MON,
    )
    fb = send(place=world.ward).feedback
    assert SandboxSms.objects.get().text == f"Da nhan phan anh {fb.code}. Xem: {FOLLOW}{fb.code}/"


def test_no_contact_reaches_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    fb = send(place=world.ward, sender_email="cuong@example.vn").feedback
    feedback_reminders_send(now=vn(2026, 3, 12, 9, 0))
    assert len(mail.outbox) == 4  # the sender, and the ward's three answering staff
    text = caplog.text
    assert fb.sender_phone not in text
    assert "0912345678" not in text
    assert "cuong@example.vn" not in text
    assert world.officer.email not in text
