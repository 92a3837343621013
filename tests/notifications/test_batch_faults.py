"""The batched dispatch under faults: a database error in the middle of a batch (the
connection dropped by a restart), both SMS providers down (retried with backoff), the
batch's preparation failing (handled one by one). Nothing is lost, nothing sent twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from motcua.core.models import OutboxDelivery
from motcua.core.outbox import outbox_deliver_pending
from motcua.dossiers.services import dossier_receive
from motcua.notifications import handlers, services
from motcua.notifications.models import NotificationDelivery, SandboxSms
from motcua.notifications.sms.base import SmsTemporaryError
from tests.dossiers.helpers import MON, submitted

pytestmark = pytest.mark.django_db(transaction=True)


def _three_pending_sms(world: Any) -> list[str]:
    """Three received dossiers whose SMS deliveries are due again, as if never delivered."""
    codes = []
    for _n in range(3):
        dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
        codes.append(dossier.code)
    NotificationDelivery.objects.filter(channel="sms").delete()
    SandboxSms.objects.all().delete()
    OutboxDelivery.objects.filter(subscriber="notifications.sms").update(
        status="pending", delivered_at=None, attempts=0
    )
    return codes


def _later() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


def _assert_each_sent_once(codes: list[str]) -> None:
    rows = NotificationDelivery.objects.filter(channel="sms")
    assert sorted(r.dossier_code for r in rows) == sorted(codes)
    assert {r.status for r in rows} == {"sent"}
    sandbox = Counter(s.reference for s in SandboxSms.objects.all())
    assert sorted(sandbox) == sorted(r.delivery_key for r in rows)  # one SMS per delivery
    assert set(
        OutboxDelivery.objects.filter(subscriber="notifications.sms").values_list(
            "status", flat=True
        )
    ) == {"delivered"}


def test_a_connection_error_in_the_middle_of_a_batch_loses_nothing(
    world: Any, monkeypatch: Any
) -> None:
    codes = _three_pending_sms(world)
    real = services._mark_sent
    calls = [0]

    def flaky(*args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == 2:  # the database restarts after the 2nd SMS left, before its mark
            raise OperationalError("server closed the connection unexpectedly")
        real(*args, **kwargs)

    monkeypatch.setattr(services, "_mark_sent", flaky)
    assert outbox_deliver_pending(now=None, subscribers=["notifications.sms"]) == 2

    failed = OutboxDelivery.objects.get(subscriber="notifications.sms", status="pending")
    assert failed.attempts == 1
    assert "OperationalError" in failed.last_error
    assert failed.available_at > timezone.now()  # waits for its backoff
    assert NotificationDelivery.objects.filter(status="sending").count() == 1

    monkeypatch.setattr(services, "_mark_sent", real)
    assert outbox_deliver_pending(now=_later(), subscribers=["notifications.sms"]) == 1
    _assert_each_sent_once(codes)
    # the one in flight at the fault was asked again with the same reference, kept once
    assert sorted(s.hits for s in SandboxSms.objects.all()) == [1, 1, 2]


def test_a_connection_error_when_acknowledging_the_batch_redelivers_without_resending(
    world: Any, monkeypatch: Any, settings: Any
) -> None:
    codes = _three_pending_sms(world)
    from motcua.core import outbox

    def down(*args: Any, **kwargs: Any) -> int:
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(outbox, "_record_successes", down)
    with pytest.raises(OperationalError):
        outbox_deliver_pending(now=None, subscribers=["notifications.sms"])
    assert SandboxSms.objects.count() == 3  # sent and marked, not acknowledged
    monkeypatch.undo()

    # the leases expire; another pass takes them again and sends nothing twice
    later = timezone.now() + dt.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_S + 1)
    assert outbox_deliver_pending(now=later, subscribers=["notifications.sms"]) == 3
    _assert_each_sent_once(codes)
    assert {s.hits for s in SandboxSms.objects.all()} == {1}


def test_both_providers_down_is_retried_with_backoff_then_sent_once(
    world: Any, monkeypatch: Any
) -> None:
    codes = _three_pending_sms(world)

    def down(**kwargs: Any) -> Any:
        raise SmsTemporaryError("http_b: TimeoutError")

    monkeypatch.setattr(services, "sms_send", down)
    before = timezone.now()
    assert outbox_deliver_pending(now=None, subscribers=["notifications.sms"]) == 0
    waiting = OutboxDelivery.objects.filter(subscriber="notifications.sms")
    assert {(d.status, d.attempts) for d in waiting} == {("pending", 1)}
    # at least half the first nominal delay (equal jitter), and not due yet
    assert all(d.available_at >= before + dt.timedelta(seconds=15) for d in waiting)
    assert outbox_deliver_pending(now=None, subscribers=["notifications.sms"]) == 0
    assert {r.status for r in NotificationDelivery.objects.filter(channel="sms")} == {"failed"}

    monkeypatch.undo()
    assert outbox_deliver_pending(now=_later(), subscribers=["notifications.sms"]) == 3
    _assert_each_sent_once(codes)


def test_a_failing_batch_preparation_falls_back_to_one_by_one(world: Any, monkeypatch: Any) -> None:
    codes = _three_pending_sms(world)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("the bulk insert failed")

    monkeypatch.setattr(handlers, "deliveries_insert", broken)
    assert outbox_deliver_pending(now=None, subscribers=["notifications.sms"]) == 3
    _assert_each_sent_once(codes)


def test_a_batch_prepares_in_a_few_queries(
    world: Any, django_assert_max_num_queries: Any, settings: Any
) -> None:
    """The dispatch's cost: per batch a claim, the facts, one insert and one read of the rows,
    one acknowledgement; per message one UPDATE (its mark). (The console provider: the
    sandbox writes rows of its own.)"""
    _three_pending_sms(world)
    settings.MOTCUA_SMS_PROVIDERS = ["console"]
    # (BEGIN and COMMIT included.) On PostgreSQL the claim finds the chains' heads first,
    # and the claim and the acknowledgement relax their commits: one statement each.
    extra = 3 if connection.vendor == "postgresql" else 0  # (the two SETs, the heads)
    with django_assert_max_num_queries(11 + 3 + extra):
        assert outbox_deliver_pending(now=None, subscribers=["notifications.sms"]) == 3
