"""Webhook subscriptions through the API (`/api/v1/webhooks`): an integrator manages only its
own endpoints, the secret is shown once, topics and URLs are checked (public https in
production), the test event and real dossier events reach a local receiver signed, the log
is paginated, a rotated secret signs the next delivery, a deleted endpoint gets nothing more
and keeps its log, a delivery can be sent again through the outbox."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create
from motcua.core.models import AuditEvent, OutboxDelivery, OutboxMessage
from motcua.core.outbox import outbox_deliver_pending
from motcua.dossiers.services import dossier_receive
from motcua.notifications.models import WebhookDelivery, WebhookEndpoint
from motcua.notifications.webhook_rules import WEBHOOK_TOPICS
from motcua.notifications.webhooks import webhook_verify
from motcua.organisation.models import Role
from tests.dossiers.helpers import MON, submitted
from tests.factories import RoleAssignmentFactory, UserFactory
from tests.notifications.test_webhooks import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/webhooks"


class Caller:
    """An API client acting with a fresh token of `user`."""

    def __init__(self, user: User) -> None:
        _token, raw = api_token_create(user=user, name="test", now=timezone.now())
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        self.client = Client()

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, **self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", **self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(path, **self.headers)

    def subscribe(self, url: str, topics: list[str] | None = None, name: str = "LGSP") -> Any:
        response = self.post(API, {"name": name, "url": url, "topics": topics or ["dossier.*"]})
        assert response.status_code == 201, response.content
        return response.json()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    one = Receiver()
    yield one
    one.server.shutdown()
    one.server.server_close()


@pytest.fixture
def integrator(world: Any) -> Caller:
    return Caller(world.integrator)


@pytest.fixture
def other_integrator(world: Any) -> Caller:
    """An integrator of another ward: sees none of the ward's dossiers."""
    user = UserFactory(username="other_integrator", kind=User.Kind.INTEGRATOR)
    RoleAssignmentFactory(user=user, unit=world.other_ward, role=Role.INTEGRATOR)
    return Caller(user)


def _verified(headers: dict[str, str], body: bytes, secret: str) -> bool:
    return webhook_verify(
        secret=secret,
        timestamp=headers["X-Motcua-Timestamp"],
        body=body,
        signature=headers["X-Motcua-Signature"],
    )


# --- creating, reading, owners ------------------------------------------------------------


def test_creating_answers_the_secret_once_and_never_again(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    created = integrator.subscribe(receiver.url, ["dossier.receive", "dossier.issue_result"])

    endpoint = WebhookEndpoint.objects.get()
    assert created["secret"] == endpoint.secret
    assert len(created["secret"]) >= 40
    assert (created["topics"], created["active"], created["owner"]) == (
        ["dossier.receive", "dossier.issue_result"],
        True,
        "integrator",
    )
    assert created["created_at"].endswith("+07:00")
    assert endpoint.owner == world.integrator
    listed = integrator.get(API).json()
    assert listed["count"] == 1
    assert "secret" not in listed["items"][0]
    one = integrator.get(f"{API}/{endpoint.pk}").json()
    assert "secret" not in one
    assert endpoint.secret not in json.dumps([listed, one])
    event = AuditEvent.objects.get(action="webhook.create")
    assert event.actor_id == world.integrator.pk
    assert endpoint.secret not in json.dumps(event.after)


def test_an_integrator_sees_and_changes_only_its_own_endpoints(
    world: Any, integrator: Caller, other_integrator: Caller, receiver: Receiver
) -> None:
    mine = integrator.subscribe(receiver.url, name="mine")
    theirs = other_integrator.subscribe(receiver.url, name="theirs")

    assert [e["name"] for e in integrator.get(API).json()["items"]] == ["mine"]
    assert [e["name"] for e in other_integrator.get(API).json()["items"]] == ["theirs"]
    other = f"{API}/{theirs['id']}"
    for response in (
        integrator.get(other),
        integrator.patch(other, {"active": False}),
        integrator.delete(other),
        integrator.post(f"{other}/rotate-secret"),
        integrator.post(f"{other}/test"),
        integrator.get(f"{other}/deliveries"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert receiver.requests == []  # no test event was sent to theirs
    assert WebhookEndpoint.objects.get(pk=theirs["id"]).active is True
    assert integrator.get(f"{API}/{mine['id']}").status_code == 200

    admin = Caller(User.objects.create_superuser("root", "root@example.vn", "pw-root-2026"))
    assert {e["name"] for e in admin.get(API).json()["items"]} == {"mine", "theirs"}


def test_a_citizen_may_not_subscribe(world: Any, receiver: Receiver) -> None:
    citizen = Caller(world.citizen)
    response = citizen.post(API, {"name": "x", "url": receiver.url, "topics": ["dossier.*"]})
    assert (response.status_code, response.json()["code"]) == (403, "webhooks_not_allowed")
    assert citizen.get(API).json()["code"] == "webhooks_not_allowed"
    assert not WebhookEndpoint.objects.exists()


def test_the_subscribable_topics_are_listed(world: Any, integrator: Caller) -> None:
    body = integrator.get(f"{API}/topics").json()
    assert [item["topic"] for item in body["items"]] == sorted(WEBHOOK_TOPICS)
    assert "dossier.payment_settled" in {item["topic"] for item in body["items"]}
    assert all(item["description"] for item in body["items"])
    assert body["patterns"] == ["dossier.*", "*"]


def test_an_unknown_topic_is_refused_with_its_code(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    response = integrator.post(
        API,
        {"name": "x", "url": receiver.url, "topics": ["dossier.receive", "dossier.recieve"]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "webhook_topic_unknown"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("topics.1", "webhook_topic_unknown")
    ]
    for topics in (["payment.*"], ["dossier.*.x"], ["webhook.test"], ["catalog.imported"]):
        response = integrator.post(API, {"name": "x", "url": receiver.url, "topics": topics})
        assert response.json()["code"] == "webhook_topic_unknown", topics
    response = integrator.post(API, {"name": "x", "url": receiver.url, "topics": [" "]})
    assert response.json()["code"] == "webhook_topic_unknown"
    assert not WebhookEndpoint.objects.exists()
    # wildcards the matcher knows are fine, duplicates folded
    created = integrator.subscribe(receiver.url, ["dossier.*", "dossier.*", "*"])
    assert created["topics"] == ["dossier.*", "*"]


def test_production_urls_must_be_public_https(
    world: Any, integrator: Caller, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MOTCUA_WEBHOOK_LOCAL_URLS = False
    refused = {
        "http://hooks.example.vn/motcua": "webhook_url_not_https",
        "https://127.0.0.1/hook": "webhook_url_private",
        "https://localhost:8443/hook": "webhook_url_private",
        "https://10.0.0.5/hook": "webhook_url_private",
        "https://192.168.1.20/hook": "webhook_url_private",
        "https://169.254.169.254/latest/meta-data": "webhook_url_private",
        "https://[::1]/hook": "webhook_url_private",
        "https://[::ffff:10.0.0.1]/hook": "webhook_url_private",
        "https://100.64.0.1/hook": "webhook_url_private",
        "https://user:pass@hooks.example.vn/": "webhook_url_invalid",
        "ftp://hooks.example.vn/": "webhook_url_invalid",
        "not a url": "webhook_url_invalid",
    }
    for url, code in refused.items():
        response = integrator.post(API, {"name": "x", "url": url, "topics": ["dossier.*"]})
        assert (response.status_code, response.json()["code"]) == (400, code), url
        assert response.json()["errors"][0]["field"] == "url"

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        answers = {
            "hooks.example.vn": "203.0.113.10",  # documentation range: not global either
            "lgsp.hanoi.gov.vn": "14.177.236.10",
            "internal.example.vn": "10.1.2.3",
        }
        if host not in answers:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    for url, code in {
        "https://internal.example.vn/hook": "webhook_url_private",
        "https://nowhere.example.vn/hook": "webhook_url_unresolvable",
        "https://hooks.example.vn/hook": "webhook_url_private",
    }.items():
        response = integrator.post(API, {"name": "x", "url": url, "topics": ["dossier.*"]})
        assert response.json()["code"] == code, url
    assert not WebhookEndpoint.objects.exists()
    created = integrator.subscribe("https://lgsp.hanoi.gov.vn/motcua/hook")
    assert created["url"] == "https://lgsp.hanoi.gov.vn/motcua/hook"


def test_an_integrators_endpoint_is_checked_again_on_the_socket_at_send_time(
    world: Any, integrator: Caller, receiver: Receiver, settings: Any
) -> None:
    """At send time an integrator's endpoint must still be https to a public address (here
    plain http to this machine: refused before connecting); an administrator's own endpoint
    (no owner) is not checked. The socket check itself: the https test below."""
    created = integrator.subscribe(receiver.url)  # allowed while local URLs are
    admins = WebhookEndpoint.objects.create(name="LGSP nội bộ", url=receiver.url, secret="k")
    settings.MOTCUA_WEBHOOK_LOCAL_URLS = False

    response = integrator.post(f"{API}/{created['id']}/test")

    body = response.json()
    assert (body["status"], body["response_status"], body["last_error"]) == (
        "failed",
        None,
        "WebhookAddressRefused",
    )
    assert receiver.requests == []
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    assert [json.loads(b)["topic"] for _h, b in receiver.requests] == ["dossier.receive"]
    assert {r.endpoint_id for r in WebhookDelivery.objects.filter(status="sent")} == {admins.pk}


# --- sending ------------------------------------------------------------------------------


def test_the_test_event_reaches_the_receiver_signed(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    created = integrator.subscribe(receiver.url)

    response = integrator.post(f"{API}/{created['id']}/test")

    assert response.status_code == 202
    result = response.json()
    assert response["Location"] == f"{API}/{created['id']}/deliveries/{result['id']}"
    [(headers, body)] = receiver.requests
    assert (result["status"], result["response_status"], result["attempts"]) == ("sent", 200, 1)
    assert result["topic"] == "webhook.test"
    assert result["key"] == headers["X-Motcua-Delivery"] == json.loads(body)["id"]
    assert result["sent_at"].endswith("+07:00")
    assert _verified(headers, body, created["secret"])
    assert json.loads(body)["data"] == {"test": True}
    assert integrator.get(response["Location"]).json() == result
    [message] = OutboxMessage.objects.filter(topic="webhook.test")
    assert message.payload == {"delivery": result["id"]}
    assert OutboxDelivery.objects.get(message=message).status == "delivered"
    event = AuditEvent.objects.get(action="webhook.test")
    assert (event.actor_id, event.object_id) == (world.integrator.pk, str(result["id"]))


def test_the_test_event_is_sent_by_the_outbox_not_by_the_request(
    world: Any, integrator: Caller, receiver: Receiver, monkeypatch: Any
) -> None:
    """With the hand-off held back (a broker that has not run the job yet) the request only
    queues: the delivery is `sending` in the log until the outbox posts it, retried after a
    failure like any delivery; a paused endpoint gets its test event too."""
    created = integrator.subscribe(receiver.url)
    integrator.patch(f"{API}/{created['id']}", {"active": False})
    monkeypatch.setattr("motcua.core.outbox._schedule_delivery", lambda: None)
    receiver.status = 503

    queued = integrator.post(f"{API}/{created['id']}/test")

    assert queued.status_code == 202
    assert (queued.json()["status"], queued.json()["attempts"]) == ("sending", 0)
    assert receiver.requests == []
    log = integrator.get(f"{API}/{created['id']}/deliveries").json()
    assert [(d["id"], d["status"]) for d in log["items"]] == [(queued.json()["id"], "sending")]

    outbox_deliver_pending(now=None)
    failed = integrator.get(queued["Location"]).json()
    assert (failed["status"], failed["attempts"], failed["last_error"]) == (
        "failed",
        1,
        "HTTP 503",
    )
    receiver.status = 200
    OutboxDelivery.objects.filter(message__topic="webhook.test").update(available_at=timezone.now())
    outbox_deliver_pending(now=None)
    sent = integrator.get(queued["Location"]).json()
    assert (sent["status"], sent["attempts"], sent["response_status"]) == ("sent", 2, 200)
    first, again = receiver.requests
    assert first[1] == again[1]
    assert first[0]["X-Motcua-Delivery"] == again[0]["X-Motcua-Delivery"] == sent["key"]
    outbox_deliver_pending(now=None)
    assert len(receiver.requests) == 2  # taken: not posted again


def test_a_deleted_endpoint_gets_no_test_event(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    created = integrator.subscribe(receiver.url)
    integrator.delete(f"{API}/{created['id']}")
    response = integrator.post(f"{API}/{created['id']}/test")
    assert response.status_code == 404
    assert not WebhookDelivery.objects.exists()
    assert not OutboxMessage.objects.filter(topic="webhook.test").exists()


def test_a_failing_test_event_says_what_the_endpoint_answered(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    receiver.status = 503
    created = integrator.subscribe(receiver.url)
    result = integrator.post(f"{API}/{created['id']}/test").json()
    assert (result["status"], result["response_status"], result["last_error"]) == (
        "failed",
        503,
        "HTTP 503",
    )


def test_the_delivery_log_is_paginated_newest_first(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    created = integrator.subscribe(receiver.url)
    keys = [integrator.post(f"{API}/{created['id']}/test").json()["key"] for _ in range(3)]

    first = integrator.get(f"{API}/{created['id']}/deliveries", page_size=2).json()
    second = integrator.get(f"{API}/{created['id']}/deliveries", page_size=2, page=2).json()

    assert (first["count"], second["count"]) == (3, 3)
    assert [d["key"] for d in first["items"] + second["items"]] == keys[::-1]
    item = first["items"][0]
    assert set(item) == {
        "id",
        "key",
        "topic",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
    }
    assert item["created_at"].endswith("+07:00")
    response = integrator.get(f"{API}/{created['id']}/deliveries", page_size=1000)
    assert response.status_code == 422


def test_a_rotated_secret_signs_the_next_delivery(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    """Without a grace period the old secret stops at once (the grace: its own tests)."""
    created = integrator.subscribe(receiver.url)
    old = created["secret"]

    rotated = integrator.post(f"{API}/{created['id']}/rotate-secret", {"grace_hours": 0}).json()
    integrator.post(f"{API}/{created['id']}/test")

    new = rotated["secret"]
    assert new != old
    assert new == WebhookEndpoint.objects.get().secret
    assert rotated["previous_secret_expires_at"] is None
    [(headers, body)] = receiver.requests
    assert _verified(headers, body, new)
    assert not _verified(headers, body, old)
    after = integrator.get(f"{API}/{created['id']}").json()
    assert "secret" not in after
    assert after["secret_rotated_at"] == rotated["secret_rotated_at"]
    event = AuditEvent.objects.get(action="webhook.rotate_secret")
    assert (event.actor_id, event.object_id) == (world.integrator.pk, str(created["id"]))
    assert new not in json.dumps([event.before, event.after])
    assert old not in json.dumps([event.before, event.after])


def test_a_dossier_event_reaches_the_subscribed_endpoint_only(
    world: Any, integrator: Caller, other_integrator: Caller
) -> None:
    """The ward's integrator subscribed to receptions gets the ward's dossier; its endpoint
    for results only and another ward's integrator (subscribed to everything) get nothing."""
    receptions, results, other_ward = Receiver(), Receiver(), Receiver()
    try:
        subscribed = integrator.subscribe(receptions.url, ["dossier.receive"])
        integrator.subscribe(results.url, ["dossier.issue_result"])
        other_integrator.subscribe(other_ward.url, ["*"])

        dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)

        [(headers, body)] = receptions.requests
        document = json.loads(body)
        assert (document["topic"], document["data"]["code"]) == ("dossier.receive", dossier.code)
        assert _verified(headers, body, subscribed["secret"])
        assert (results.requests, other_ward.requests) == ([], [])
        log = integrator.get(f"{API}/{subscribed['id']}/deliveries").json()
        assert [(d["topic"], d["status"], d["key"]) for d in log["items"]] == [
            ("dossier.receive", "sent", headers["X-Motcua-Delivery"])
        ]
    finally:
        for one in (receptions, results, other_ward):
            one.server.shutdown()
            one.server.server_close()


def test_a_paused_endpoint_gets_nothing_until_resumed(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    created = integrator.subscribe(receiver.url)
    paused = integrator.patch(f"{API}/{created['id']}", {"active": False}).json()
    assert paused["active"] is False
    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    assert receiver.requests == []

    integrator.patch(f"{API}/{created['id']}", {"active": True, "topics": ["dossier.refuse"]})
    refused = integrator.patch(f"{API}/{created['id']}", {"topics": ["dossier.nope"]})
    assert refused.json()["code"] == "webhook_topic_unknown"
    assert WebhookEndpoint.objects.get().topic_list == ["dossier.refuse"]
    assert dossier.code  # the receive event is not replayed to it
    assert receiver.requests == []


def test_deleting_stops_deliveries_and_keeps_the_log(
    world: Any, integrator: Caller, receiver: Receiver
) -> None:
    created = integrator.subscribe(receiver.url)
    receiver.status = 500
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)  # fails: retried
    retry = OutboxDelivery.objects.get(subscriber="notifications.webhooks")
    assert (retry.status, len(receiver.requests)) == ("pending", 1)

    response = integrator.delete(f"{API}/{created['id']}")

    assert response.status_code == 204
    assert integrator.get(f"{API}/{created['id']}").status_code == 404
    assert integrator.get(API).json()["count"] == 0
    receiver.status = 200
    OutboxDelivery.objects.filter(pk=retry.pk).update(available_at=MON)
    outbox_deliver_pending(now=None)
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)  # nor new events
    assert len(receiver.requests) == 1  # nothing after the deletion
    assert OutboxDelivery.objects.get(pk=retry.pk).status == "delivered"
    kept = WebhookDelivery.objects.get()
    assert (kept.endpoint_id, kept.status, kept.response_status) == (created["id"], "failed", 500)
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.active, endpoint.deleted_at is not None) == (False, True)
    event = AuditEvent.objects.get(action="webhook.delete")
    assert (event.before["active"], event.after["active"]) == (True, False)
    assert integrator.delete(f"{API}/{created['id']}").status_code == 404  # once


def test_a_delivery_is_sent_again_through_the_outbox(
    world: Any, integrator: Caller, receiver: Receiver, settings: Any
) -> None:
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 1  # the first failure is a dead letter
    created = integrator.subscribe(receiver.url)
    receiver.status = 500
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    row = WebhookDelivery.objects.get()
    assert row.status == "dead"  # the outbox gave up: no retry is coming
    receiver.status = 200

    response = integrator.post(f"{API}/{created['id']}/deliveries/{row.pk}/redeliver")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["attempts"], body["response_status"]) == ("sent", 2, 200)
    first, again = receiver.requests
    assert first[1] == again[1]  # the same document
    assert first[0]["X-Motcua-Delivery"] == again[0]["X-Motcua-Delivery"] == row.delivery_key
    assert _verified(again[0], again[1], created["secret"])
    assert OutboxDelivery.objects.filter(message__topic="webhook.redeliver").get().status == (
        "delivered"
    )
    integrator.patch(f"{API}/{created['id']}", {"active": False})
    paused = integrator.post(f"{API}/{created['id']}/deliveries/{row.pk}/redeliver")
    assert (paused.status_code, paused.json()["code"]) == (409, "webhook_inactive")
    missing = integrator.post(f"{API}/{created['id']}/deliveries/999999/redeliver")
    assert missing.status_code == 404


def test_the_guarded_https_transport_checks_the_peer_before_tls(
    world: Any, integrator: Caller, receiver: Receiver, settings: Any, monkeypatch: Any
) -> None:
    """Over https the connected address is checked before the TLS handshake; once allowed,
    the handshake runs (here against a plain-http receiver, so it fails as TLS)."""
    created = integrator.subscribe(receiver.url.replace("http://", "https://"))
    settings.MOTCUA_WEBHOOK_LOCAL_URLS = False
    refused = integrator.post(f"{API}/{created['id']}/test").json()
    monkeypatch.setattr("motcua.notifications.webhooks.address_is_public", lambda _a: True)
    allowed = integrator.post(f"{API}/{created['id']}/test").json()

    assert refused["last_error"] == "WebhookAddressRefused"
    assert allowed["last_error"] in {"SSLError", "SSLEOFError", "ConnectionResetError"}
    assert receiver.requests == []


def test_the_documented_verification_snippet_agrees_with_webhook_verify() -> None:
    """docs/notifications.md's Python code for integrators says what webhook_verify says."""
    import re
    import time
    from pathlib import Path

    from motcua.notifications.webhooks import webhook_signature

    doc = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text()
    [code] = re.findall(r"<!-- verify-snippet -->\n```python\n(.*?)```", doc, re.S)
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 (our own documentation)
    documented = namespace["motcua_verify"]
    body = b'{"id": "1:notifications.webhooks:webhook:3", "topic": "dossier.receive"}'
    now = int(time.time())
    good = webhook_signature(secret="s3cret", timestamp=now, body=body)
    new = webhook_signature(secret="n3w", timestamp=now, body=body)
    cases = [
        ("s3cret", str(now), body, good),
        ("other", str(now), body, good),
        ("s3cret", str(now), body + b" ", good),
        (
            "s3cret",
            str(now - 600),
            body,
            webhook_signature(secret="s3cret", timestamp=now - 600, body=body),
        ),
        ("s3cret", "yesterday", body, good),
        ("s3cret", str(now), body, good.upper()),
        # during a grace period: the new secret's entry, then the old one's
        ("s3cret", str(now), body, f"{new},{good}"),
        ("n3w", str(now), body, f"{new},{good}"),
        ("other", str(now), body, f"{new},{good}"),
        ("s3cret", str(now), body, f"{new}, {good}"),
    ]
    answers = [documented(*case) for case in cases]
    assert answers == [
        webhook_verify(secret=s, timestamp=t, body=b, signature=g) for s, t, b, g in cases
    ]
    assert answers == [True, False, False, False, False, False, True, True, False, True]


def test_the_admin_form_accepts_only_declared_topics(admin_client: Any) -> None:
    inline = {"deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"}
    page = admin_client.post(
        "/admin/notifications/webhookendpoint/add/",
        {
            "name": "LGSP",
            "url": "http://10.0.0.5/hook",
            "topics": "dossier.recieve",
            "active": "on",
        },
    )
    assert "Không có chủ đề dossier.recieve." in page.content.decode()
    assert not WebhookEndpoint.objects.exists()
    admin_client.post(
        "/admin/notifications/webhookendpoint/add/",
        {"name": "LGSP", "url": "http://10.0.0.5/hook", "topics": "dossier.*, *", "active": "on"}
        | inline,
    )
    endpoint = WebhookEndpoint.objects.get()  # an administrator's may be internal
    assert (endpoint.topics, endpoint.owner) == ("dossier.*,*", None)
