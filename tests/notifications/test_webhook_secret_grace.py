"""Rotating a webhook secret with a grace period: the old secret keeps signing beside the new
one (`X-Motcua-Signature: v1=<new>,v1=<old>`, one timestamp) until the answered
`previous_secret_expires_at`, then only the new one; the grace is configurable per call
within limits, a second rotation drops the oldest secret, the audit event says when the old
one stops and holds no secret. Time is frozen; deliveries go to a local receiver."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time

from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent
from motcua.dossiers.services import dossier_receive
from motcua.notifications.models import WebhookEndpoint
from motcua.notifications.tasks import webhook_secrets_erase
from motcua.notifications.webhook_secrets import webhook_previous_secrets_erase
from motcua.notifications.webhook_services import webhook_secret_rotate
from motcua.notifications.webhooks import webhook_signature, webhook_verify
from tests.dossiers.helpers import MON, submitted, vn
from tests.notifications.test_webhook_subscriptions import API, Caller
from tests.notifications.test_webhooks import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

T0 = vn(2026, 3, 2, 8, 0)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    one = Receiver()
    yield one
    one.server.shutdown()
    one.server.server_close()


@pytest.fixture
def integrator(world: Any) -> Caller:
    return Caller(world.integrator)


def _entries(headers: dict[str, str]) -> list[str]:
    return headers["X-Motcua-Signature"].split(",")


def _verified(headers: dict[str, str], body: bytes, secret: str) -> bool:
    return webhook_verify(
        secret=secret,
        timestamp=headers["X-Motcua-Timestamp"],
        body=body,
        signature=headers["X-Motcua-Signature"],
    )


# --- the model's rule and the service ------------------------------------------------------


def test_the_previous_secret_signs_until_not_at_its_expiry() -> None:
    endpoint = WebhookEndpoint(
        secret="new", previous_secret="old", previous_secret_expires_at=T0 + dt.timedelta(hours=1)
    )
    assert endpoint.signing_secrets(T0) == ["new", "old"]
    assert endpoint.signing_secrets(T0 + dt.timedelta(minutes=59, seconds=59)) == ["new", "old"]
    assert endpoint.signing_secrets(T0 + dt.timedelta(hours=1)) == ["new"]
    assert WebhookEndpoint(secret="only").signing_secrets(T0) == ["only"]


def test_rotating_keeps_the_old_secret_for_the_default_day_and_records_it(world: Any) -> None:
    endpoint = WebhookEndpoint.objects.create(
        owner=world.integrator, name="LGSP", url="http://127.0.0.1:9/hook", secret="old"
    )

    rotated = webhook_secret_rotate(actor=world.integrator, endpoint=endpoint, now=T0)

    stored = WebhookEndpoint.objects.get()
    assert stored.secret == rotated.secret != "old"
    assert stored.previous_secret == "old"
    assert stored.previous_secret_expires_at == T0 + dt.timedelta(hours=24)
    assert stored.secret_rotated_at == T0
    event = AuditEvent.objects.get(action="webhook.rotate_secret")
    assert (event.actor_id, event.object_id, event.at) == (
        world.integrator.pk,
        str(endpoint.pk),
        T0,
    )
    assert event.before == {"previous_secret_expires_at": None}
    assert event.after == {
        "secret_rotated_at": T0.isoformat(),
        "grace_s": 86400,
        "previous_secret_expires_at": (T0 + dt.timedelta(hours=24)).isoformat(),
    }
    assert "old" not in json.dumps(event.after)
    assert stored.secret not in json.dumps([event.before, event.after])


def test_a_rotation_during_the_grace_drops_the_oldest_secret(world: Any) -> None:
    endpoint = WebhookEndpoint.objects.create(
        owner=world.integrator, name="LGSP", url="http://127.0.0.1:9/hook", secret="first"
    )
    second = webhook_secret_rotate(actor=world.integrator, endpoint=endpoint, now=T0).secret
    later = T0 + dt.timedelta(hours=2)

    third = webhook_secret_rotate(
        actor=world.integrator, endpoint=endpoint, now=later, grace=dt.timedelta(hours=1)
    )

    assert third.signing_secrets(later) == [third.secret, second]
    assert "first" not in third.signing_secrets(later)
    assert third.signing_secrets(later + dt.timedelta(hours=1)) == [third.secret]


def test_no_grace_stops_the_old_secret_at_once(world: Any) -> None:
    endpoint = WebhookEndpoint.objects.create(
        owner=world.integrator, name="LGSP", url="http://127.0.0.1:9/hook", secret="old"
    )
    rotated = webhook_secret_rotate(
        actor=world.integrator, endpoint=endpoint, now=T0, grace=dt.timedelta(0)
    )
    stored = WebhookEndpoint.objects.get()
    assert (stored.previous_secret, stored.previous_secret_expires_at) == ("", None)
    assert stored.signing_secrets(T0) == [rotated.secret]
    assert AuditEvent.objects.get(action="webhook.rotate_secret").after["grace_s"] == 0


@pytest.mark.parametrize("grace", [dt.timedelta(seconds=-1), dt.timedelta(days=7, seconds=1)])
def test_a_grace_outside_its_limits_is_refused_and_nothing_changes(
    world: Any, grace: dt.timedelta
) -> None:
    endpoint = WebhookEndpoint.objects.create(
        owner=world.integrator, name="LGSP", url="http://127.0.0.1:9/hook", secret="old"
    )
    with pytest.raises(ValidationError) as refused:
        webhook_secret_rotate(actor=world.integrator, endpoint=endpoint, now=T0, grace=grace)
    assert refused.value.code == "webhook_grace_invalid"
    stored = WebhookEndpoint.objects.get()
    assert (stored.secret, stored.previous_secret, stored.secret_rotated_at) == ("old", "", None)
    assert not AuditEvent.objects.filter(action="webhook.rotate_secret").exists()


# --- erasing an expired previous secret -----------------------------------------------------


def _rotated(world: Any, name: str, *, hours: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        owner=world.integrator, name=name, url="http://127.0.0.1:9/hook", secret=f"{name}-old"
    )
    return webhook_secret_rotate(
        actor=world.integrator, endpoint=endpoint, now=T0, grace=dt.timedelta(hours=hours)
    )


def test_an_expired_previous_secret_is_erased_at_its_expiry_not_before(world: Any) -> None:
    short = _rotated(world, "short", hours=1)
    _rotated(world, "long", hours=48)
    never = WebhookEndpoint.objects.create(
        owner=world.integrator, name="never", url="http://127.0.0.1:9/hook", secret="only"
    )
    expiry = T0 + dt.timedelta(hours=1)

    assert webhook_previous_secrets_erase(now=expiry - dt.timedelta(seconds=1)) == 0
    assert WebhookEndpoint.objects.get(pk=short.pk).previous_secret == "short-old"

    assert webhook_previous_secrets_erase(now=expiry) == 1

    stored = {e.name: e for e in WebhookEndpoint.objects.all()}
    assert stored["short"].previous_secret == ""
    assert stored["short"].previous_secret_expires_at == expiry  # when it stopped, kept
    assert stored["short"].secret == short.secret
    assert stored["long"].previous_secret == "long-old"  # still in its grace
    assert stored["never"].secret == never.secret == "only"
    [event] = AuditEvent.objects.filter(action="webhook.previous_secret_erase")
    assert (event.object_id, event.actor_id) == (str(short.pk), None)
    assert "short-old" not in json.dumps([event.before, event.after])
    assert webhook_previous_secrets_erase(now=expiry) == 0  # nothing left: no second event


def test_the_erase_command_and_the_beat_job(world: Any, settings: Any) -> None:
    _rotated(world, "a", hours=1)
    _rotated(world, "b", hours=3)
    out = io.StringIO()

    call_command("webhook_secrets_erase", "--now", "2026-03-02T09:30:00", stdout=out)

    assert "Erased 1 expired previous secrets" in out.getvalue()
    assert settings.CELERY_BEAT_SCHEDULE["webhook-secrets-erase"]["task"] == (
        "motcua.notifications.webhook_secrets_erase"
    )
    with freeze_time(T0 + dt.timedelta(hours=3)):
        assert webhook_secrets_erase() == 1
    assert set(WebhookEndpoint.objects.values_list("previous_secret", flat=True)) == {""}
    with pytest.raises(CommandError):
        call_command("webhook_secrets_erase", "--now", "hôm qua")


# --- through the API, with deliveries --------------------------------------------------------


def test_during_the_grace_deliveries_carry_both_signatures_then_only_the_new_one(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    with freeze_time(T0) as frozen:
        created = integrator.subscribe(receiver.url)
        old = created["secret"]

        answer = integrator.post(f"{API}/{created['id']}/rotate-secret")

        assert answer.status_code == 200
        rotated = answer.json()
        new = rotated["secret"]
        assert rotated["secret_rotated_at"] == "2026-03-02T08:00:00+07:00"
        assert rotated["previous_secret_expires_at"] == "2026-03-03T08:00:00+07:00"
        shown = integrator.get(f"{API}/{created['id']}").json()
        assert shown["previous_secret_expires_at"] == "2026-03-03T08:00:00+07:00"

        frozen.move_to(T0 + dt.timedelta(hours=23, minutes=59))
        dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
        [(headers, body)] = receiver.requests
        assert WebhookEndpoint.objects.get(pk=created["id"]).previous_secret == old
        stamp = int(headers["X-Motcua-Timestamp"])
        assert _entries(headers) == [
            webhook_signature(secret=new, timestamp=stamp, body=body),
            webhook_signature(secret=old, timestamp=stamp, body=body),
        ]
        assert _verified(headers, body, new)
        assert _verified(headers, body, old)  # the receiver not yet redeployed still verifies

        frozen.move_to(T0 + dt.timedelta(hours=24))
        integrator.post(f"{API}/{created['id']}/test")
        headers, body = receiver.requests[-1]
        assert len(receiver.requests) == 2
        assert _entries(headers) == [
            webhook_signature(secret=new, timestamp=int(headers["X-Motcua-Timestamp"]), body=body)
        ]
        assert _verified(headers, body, new)
        assert not _verified(headers, body, old)
        # signing after the expiry erased the old secret from its column
        stored = WebhookEndpoint.objects.get(pk=created["id"])
        assert (stored.secret, stored.previous_secret) == (new, "")
        assert AuditEvent.objects.filter(action="webhook.previous_secret_erase").count() == 1


def test_the_grace_is_chosen_per_call_within_its_limits(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    with freeze_time(T0):
        created = integrator.subscribe(receiver.url)
        path = f"{API}/{created['id']}/rotate-secret"

        short = integrator.post(path, {"grace_hours": 2}).json()
        at_once = integrator.post(path, {"grace_hours": 0}).json()
        too_long = integrator.post(path, {"grace_hours": 169})
        unknown = integrator.post(path, {"grace": 1})

    assert short["previous_secret_expires_at"] == "2026-03-02T10:00:00+07:00"
    assert at_once["previous_secret_expires_at"] is None
    assert (too_long.status_code, too_long.json()["code"]) == (400, "webhook_grace_invalid")
    assert unknown.status_code == 422
    stored = WebhookEndpoint.objects.get()
    assert stored.secret == at_once["secret"]
    assert stored.signing_secrets(T0) == [at_once["secret"]]
    assert AuditEvent.objects.filter(action="webhook.rotate_secret").count() == 2
