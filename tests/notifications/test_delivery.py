"""Dossier facts reach the applicant on every channel, once per channel, in order."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from motcua.core.models import OutboxDelivery, OutboxMessage
from motcua.core.outbox import outbox_deliver_pending
from motcua.dossiers.services import (
    dossier_apologize,
    dossier_issue_result,
    dossier_receive,
    dossier_request_payment,
)
from motcua.notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    SandboxSms,
)
from motcua.notifications.selectors import notifications_for
from motcua.notifications.services import preference_set
from motcua.notifications.text import strip_diacritics
from tests.dossiers.helpers import MON, at_leader_step, processing, submitted, vn

pytestmark = pytest.mark.django_db(transaction=True)


def _sent(channel: str) -> list[tuple[str, str]]:
    return list(
        NotificationDelivery.objects.filter(channel=channel)
        .order_by("id")
        .values_list("event", "status")
    )


def test_a_received_dossier_texts_mails_and_notifies_the_applicant_once_each(world: Any) -> None:
    dossier = submitted(world)
    dossier = dossier_receive(dossier=dossier, actor=world.officer, now=MON)

    procedure = strip_diacritics(dossier.procedure_version.procedure.name)
    assert procedure.startswith("Thu tuc thu nghiem ")
    sms = SandboxSms.objects.get()
    assert sms.to == world.citizen.phone
    assert sms.hits == 1
    assert sms.text == (
        f"Ho so {dossier.code} ({procedure}) da duoc tiep nhan. Hen tra ket qua 09/03/2026. "
        "Tra cuu: https://dichvucong.hanoi.gov.vn/tra-cuu"
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.citizen.email]
    assert mail.outbox[0].subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    reference = mail.outbox[0].extra_headers["X-Motcua-Reference"]
    assert reference == NotificationDelivery.objects.get(channel="email").delivery_key
    assert reference.startswith(f"{OutboxMessage.objects.get(topic='dossier.receive').pk}:")
    note = notifications_for(world.citizen).get()
    assert (note.event, note.dossier_code, note.title) == (
        "received",
        dossier.code,
        f"Hồ sơ {dossier.code} đã được tiếp nhận",
    )
    assert {(r.channel, r.status) for r in NotificationDelivery.objects.all()} == {
        ("sms", "sent"),
        ("email", "sent"),
        ("inapp", "sent"),
    }
    # the submission itself is not a notified event: its message has no notification delivery
    assert not OutboxDelivery.objects.filter(message__topic="dossier.submit").exists()


def test_a_redelivered_envelope_is_not_sent_again_on_any_channel(world: Any) -> None:
    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)
    # sms, email, inapp and webhooks (no endpoint configured: nothing to post)
    assert OutboxDelivery.objects.filter(status="delivered").count() == 4

    # the worker crashed after sending and before acknowledging: the outbox gives them again
    OutboxDelivery.objects.update(status="pending", delivered_at=None)
    assert outbox_deliver_pending(now=None) == 4

    assert SandboxSms.objects.get().hits == 1  # not even asked again
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert NotificationDelivery.objects.count() == 3


def test_a_crash_between_insert_and_provider_ack_is_resolved_by_the_reference(world: Any) -> None:
    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)
    # the row says "sending" (inserted, provider called, never marked) and the outbox redelivers
    NotificationDelivery.objects.filter(channel="sms").update(status="sending")
    OutboxDelivery.objects.filter(subscriber="notifications.sms").update(status="pending")

    outbox_deliver_pending(now=None)

    sms = SandboxSms.objects.get()
    assert sms.hits == 2  # asked twice with the same reference, kept once
    row = NotificationDelivery.objects.get(channel="sms")
    assert (row.status, row.delivery_key) == ("sent", sms.reference)


def test_a_failing_mail_server_never_resends_the_sms(world: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenEmailBackend"
    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)

    email = OutboxDelivery.objects.get(subscriber="notifications.email")
    assert (email.status, email.attempts) == ("pending", 1)
    assert "SMTP" in email.last_error
    assert NotificationDelivery.objects.get(channel="email").status == DeliveryStatus.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxDelivery.objects.filter(pk=email.pk).update(available_at=MON)
    outbox_deliver_pending(now=None)

    assert OutboxDelivery.objects.get(pk=email.pk).status == "delivered"
    assert len(mail.outbox) == 1
    assert SandboxSms.objects.get().hits == 1


def test_an_opted_out_channel_is_recorded_not_sent(world: Any) -> None:
    preference_set(person=world.citizen, now=MON, sms=False, email=True, inapp=True)
    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)

    assert not SandboxSms.objects.exists()
    assert _sent("sms") == [("received", "opted_out")]
    assert _sent("email") == [("received", "sent")]
    assert len(mail.outbox) == 1


def test_payment_and_apology_quote_the_amount_and_the_new_date(world: Any) -> None:
    dossier = processing(world)
    dossier = dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=1_250_000, now=vn(2026, 3, 3, 9)
    )
    texts = list(SandboxSms.objects.order_by("id").values_list("text", flat=True))
    assert texts[-1] == (
        f"Ho so {dossier.code}: moi nop phi, le phi 1.250.000 dong. "
        "Chi tiet: https://dichvucong.hanoi.gov.vn/tra-cuu"
    )


def test_a_payment_request_quotes_the_total_due_with_an_earlier_unpaid_line(
    world: Any,
) -> None:
    """An earlier line still unpaid must be paid too before the dossier goes on: the notice
    says the total the applicant will be asked for, not only the amount requested now."""
    from motcua.payments.services import fee_line_add

    dossier = processing(world)
    fee_line_add(
        dossier_code=dossier.code,
        collecting_unit=dossier.receiving_unit,
        name="Phí cấp bản sao",
        kind="fee",
        timing="before",
        unit_amount_vnd=2_000,
        quantity=1,
        now=vn(2026, 3, 3, 8),
    )
    dossier = dossier_request_payment(
        dossier=dossier, actor=world.officer, amount_vnd=50_000, now=vn(2026, 3, 3, 9)
    )
    texts = list(SandboxSms.objects.order_by("id").values_list("text", flat=True))
    assert texts[-1] == (
        f"Ho so {dossier.code}: moi nop phi, le phi 52.000 dong. "
        "Chi tiet: https://dichvucong.hanoi.gov.vn/tra-cuu"
    )
    event = dossier.events.order_by("-id").first()
    assert event is not None
    assert (event.after["amount_vnd"], event.after["amount_due_vnd"]) == (50_000, 52_000)


def test_apology_gives_the_new_date(world: Any) -> None:
    dossier = processing(world)
    dossier_apologize(
        dossier=dossier,
        actor=world.leader,
        reason="Cần xác minh thêm",
        new_appointment_at=vn(2026, 3, 12, 16),
        now=vn(2026, 3, 3, 9),
    )
    text = SandboxSms.objects.order_by("id").last()
    assert text is not None
    assert "Hen moi 12/03/2026" in text.text
    assert mail.outbox[-1].subject == f"Xin lỗi về việc trễ hẹn hồ sơ {dossier.code}"


def test_result_ready_never_overtakes_received(world: Any, settings: Any) -> None:
    """The received SMS fails (provider down) and is retried; the result-ready SMS of the same
    dossier waits behind it, and the applicant reads them in the right order."""
    settings.MOTCUA_SMS_PROVIDERS = ["tests.notifications.backends.FlakySms"]
    from tests.notifications.backends import FlakySms

    FlakySms.fail = True
    FlakySms.sent = []
    dossier = at_leader_step(world)  # received (counter) then forwarded twice
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 4, 9))
    sms_chain = OutboxDelivery.objects.filter(subscriber="notifications.sms").order_by("id")
    assert [(d.message.topic, d.status) for d in sms_chain] == [
        ("dossier.receive", "pending"),
        ("dossier.issue_result", "pending"),
    ]
    assert sms_chain[1].attempts == 0  # never tried: its chain's head is still pending

    FlakySms.fail = False
    OutboxDelivery.objects.update(available_at=MON)
    outbox_deliver_pending(now=None)

    assert [event for event, _status in _sent("sms")] == ["received", "result_ready"]
    assert [text.split(" ")[0:3] for text in FlakySms.sent] == [
        ["Ho", "so", dossier.code],
        ["Ho", "so", dossier.code],
    ]
    assert "da duoc tiep nhan" in FlakySms.sent[0]
    assert "da co ket qua" in FlakySms.sent[1]


def test_a_message_that_exhausts_its_retries_is_a_dead_letter_with_an_alert(
    world: Any, settings: Any, client: Any
) -> None:
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 2
    settings.MOTCUA_SMS_PROVIDERS = ["tests.notifications.backends.FlakySms"]
    from tests.notifications.backends import FlakySms

    FlakySms.fail = True
    FlakySms.sent = []
    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)
    OutboxDelivery.objects.update(available_at=MON)
    outbox_deliver_pending(now=None)

    dead = OutboxDelivery.objects.get(subscriber="notifications.sms")
    assert (dead.status, dead.attempts) == ("dead", 2)
    row = NotificationDelivery.objects.get(channel="sms")
    assert (row.status, row.attempts) == ("dead", 2)

    from motcua.accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.vn", "pw-root-2026")
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert "1 thông báo đã hết lượt gửi lại (thư chết)." in page
    page = client.get("/admin/notifications/notificationdelivery/").content.decode()
    assert "1 thông báo đã hết lượt gửi lại (thư chết)." in page
    assert world.citizen.phone not in page  # masked in the list


def test_no_subscriber_replays_old_messages(world: Any) -> None:
    """Messages of notified topics enqueued before now are routed at once; others unrouted."""
    submitted(world)
    assert OutboxMessage.objects.get(topic="dossier.submit").status == "unrouted"


def test_an_unknown_schema_is_refused_and_retried(world: Any) -> None:
    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)
    message = OutboxMessage.objects.get(topic="dossier.receive")
    OutboxMessage.objects.filter(pk=message.pk).update(schema=2)
    OutboxDelivery.objects.filter(message=message).update(status="pending")
    NotificationDelivery.objects.all().delete()

    outbox_deliver_pending(now=None)

    deliveries = OutboxDelivery.objects.filter(message=message)
    assert {(d.status, d.attempts) for d in deliveries} == {("pending", 2)}
    assert {d.last_error for d in deliveries} == {"ValueError: unknown payload schema 2"}
    assert not NotificationDelivery.objects.exists()
