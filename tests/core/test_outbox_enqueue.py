"""What `outbox_enqueue` writes: on PostgreSQL one statement writes the message and its
deliveries (ADR 0032); on either database the rows are those the ORM would write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from motcua.core import outbox
from motcua.core.clock import VN_TZ
from motcua.core.models import OutboxDelivery, OutboxMessage
from motcua.core.outbox import OutboxEnvelope, outbox_enqueue, outbox_subscribe

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def _subscribers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})
    monkeypatch.setattr(outbox, "_schedule_delivery", lambda: None)

    def handler(envelope: OutboxEnvelope) -> None:
        pass

    # registered out of order: deliveries go in the subscribers' sorted order
    for name in ("test.sms", "test.email", "test.inapp"):
        outbox_subscribe(name=name, topics=["dossier.*"], handler=handler)


def _fields(obj: Model, model: type[Model]) -> dict[str, object]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if f is not model._meta.pk
    }


def test_the_message_and_its_deliveries_are_the_rows_the_orm_writes() -> None:
    payload = {"code": "00070-260302-0001", "amount_vnd": 10_000, "note": "Nguyễn Văn A"}
    with transaction.atomic():
        message = outbox_enqueue(topic="dossier.issue_receipt", payload=payload, now=NOW)
    assert message.pk is not None
    assert not message._state.adding
    stored = OutboxMessage.objects.get(pk=message.pk)
    expected = OutboxMessage(
        topic="dossier.issue_receipt",
        key="00070-260302-0001",
        schema=1,
        payload=payload,
        created_at=NOW,
        status=OutboxMessage.Status.ROUTED,
    )
    assert _fields(stored, OutboxMessage) == _fields(expected, OutboxMessage)
    deliveries = list(OutboxDelivery.objects.filter(message=stored).order_by("pk"))
    assert [d.subscriber for d in deliveries] == ["test.email", "test.inapp", "test.sms"]
    for delivery in deliveries:
        orm = OutboxDelivery(
            message=stored, subscriber=delivery.subscriber, key=stored.key, available_at=NOW
        )
        assert _fields(delivery, OutboxDelivery) == _fields(orm, OutboxDelivery)


def test_on_postgresql_one_statement_writes_them() -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        outbox_enqueue(topic="dossier.receive", payload={"code": "X-1"}, now=NOW)
    writes = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2)
    assert OutboxDelivery.objects.filter(key="X-1").count() == 3


def test_a_rolled_back_change_takes_the_message_and_deliveries_with_it() -> None:
    with transaction.atomic():
        outbox_enqueue(topic="dossier.receive", payload={"code": "X-2"}, now=NOW)
        transaction.set_rollback(True)
    assert not OutboxMessage.objects.filter(key="X-2").exists()
    assert not OutboxDelivery.objects.filter(key="X-2").exists()


def test_a_message_nobody_subscribed_to_is_unrouted_without_deliveries() -> None:
    with transaction.atomic():
        message = outbox_enqueue(topic="account.created", payload={"id": 1}, now=NOW)
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.UNROUTED
    assert not OutboxDelivery.objects.filter(message_id=message.pk).exists()


def test_a_save_receiver_of_the_message_is_still_called() -> None:
    from django.db.models.signals import post_save

    saved: list[int] = []

    def receiver(sender: type, instance: OutboxMessage, created: bool, **kwargs: object) -> None:
        saved.append(instance.pk)

    post_save.connect(receiver, sender=OutboxMessage)
    try:
        with transaction.atomic():
            message = outbox_enqueue(topic="dossier.receive", payload={"code": "X-3"}, now=NOW)
    finally:
        post_save.disconnect(receiver, sender=OutboxMessage)
    assert saved == [message.pk]
    assert OutboxDelivery.objects.filter(message_id=message.pk).count() == 3
