"""The dossier services still enqueue, and a subscriber of `dossier.*` gets their facts after
the commit, keyed by the dossier code, without touching the dossier row's lock."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from motcua.core import outbox
from motcua.core.models import OutboxDelivery, OutboxMessage
from motcua.core.outbox import OutboxEnvelope, outbox_subscribe
from motcua.dossiers.services import dossier_receive
from tests.dossiers import helpers
from tests.dossiers.helpers import MON, submitted

calendar = helpers.calendar  # the dossier tests' fixtures
world = helpers.world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dossier_subscriber_gets_submit_then_receive_in_order_after_commit(
    world: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})
    seen: list[tuple[OutboxEnvelope, bool]] = []
    outbox_subscribe(
        name="notifications.test",
        topics=["dossier.*"],
        handler=lambda envelope: seen.append((envelope, connection.in_atomic_block)),
    )

    dossier = submitted(world)
    dossier_receive(dossier=dossier, actor=world.officer, now=MON)

    assert [(e.topic, e.key, e.payload["version"], inside) for e, inside in seen] == [
        ("dossier.submit", dossier.code, 1, False),
        ("dossier.receive", dossier.code, 2, False),
    ]
    assert seen[0][0].payload == {
        "code": dossier.code,
        "status": 1,
        "action": "submit",
        "version": 1,
    }
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"routed"}
    assert set(OutboxDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_without_subscribers_dossier_messages_are_unrouted(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})

    dossier = submitted(world)

    message = OutboxMessage.objects.get(topic="dossier.submit")
    assert (message.status, message.key) == ("unrouted", dossier.code)
    assert not OutboxDelivery.objects.exists()
