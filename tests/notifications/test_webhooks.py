"""Signed webhooks through the outbox: the signature and timestamp an integrator checks, a
failing endpoint retried without re-posting to the one that answered, the admin's test
button, the delivery log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from motcua.core.models import AuditEvent, OutboxDelivery, OutboxMessage
from motcua.core.outbox import outbox_deliver_pending
from motcua.dossiers.services import dossier_receive
from motcua.notifications.models import WebhookDelivery, WebhookEndpoint
from motcua.notifications.webhooks import webhook_signature, webhook_verify
from tests.dossiers.helpers import MON, submitted

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    def __init__(self) -> None:
        self.status = 200
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    pair = Receiver(), Receiver()
    yield pair
    for receiver in pair:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_a_dossier_event_is_posted_signed_and_verifiable(world: Any, receivers: Any) -> None:
    good, _other = receivers
    endpoint = WebhookEndpoint.objects.create(name="LGSP", url=good.url, secret="s3cret")
    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)

    [(headers, body)] = good.requests
    document = json.loads(body)
    assert document["topic"] == "dossier.receive"
    assert document["data"] == {
        "code": dossier.code,
        "status": 2,
        "action": "receive",
        "version": 2,
    }
    assert document["id"] == headers["X-Motcua-Delivery"]
    assert webhook_verify(
        secret="s3cret",
        timestamp=headers["X-Motcua-Timestamp"],
        body=body,
        signature=headers["X-Motcua-Signature"],
    )
    # a tampered body, another secret, or the same request replayed 10 minutes later: refused
    timestamp = headers["X-Motcua-Timestamp"]
    signature = headers["X-Motcua-Signature"]
    assert not webhook_verify(
        secret="s3cret", timestamp=timestamp, body=body + b" ", signature=signature
    )
    assert not webhook_verify(secret="other", timestamp=timestamp, body=body, signature=signature)
    assert not webhook_verify(
        secret="s3cret",
        timestamp=timestamp,
        body=body,
        signature=signature,
        now=int(timestamp) + 600,
    )
    row = WebhookDelivery.objects.get()
    assert (row.endpoint, row.status, row.response_status, row.attempts) == (
        endpoint,
        "sent",
        200,
        1,
    )


def test_a_failing_endpoint_is_retried_alone(world: Any, receivers: Any) -> None:
    good, bad = receivers
    bad.status = 500
    WebhookEndpoint.objects.create(name="good", url=good.url, secret="a")
    WebhookEndpoint.objects.create(name="bad", url=bad.url, secret="b")
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)

    delivery = OutboxDelivery.objects.get(subscriber="notifications.webhooks")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("WebhookFailed: ")
    assert (len(good.requests), len(bad.requests)) == (1, 1)

    bad.status = 204
    OutboxDelivery.objects.filter(pk=delivery.pk).update(available_at=MON)
    outbox_deliver_pending(now=None)

    assert OutboxDelivery.objects.get(pk=delivery.pk).status == "delivered"
    assert (len(good.requests), len(bad.requests)) == (1, 2)  # the good one not posted again
    assert bad.requests[0][0]["X-Motcua-Delivery"] == bad.requests[1][0]["X-Motcua-Delivery"]
    assert dict(WebhookDelivery.objects.values_list("endpoint__name", "attempts")) == {
        "good": 1,
        "bad": 2,
    }


def test_an_inactive_or_unsubscribed_endpoint_gets_nothing(world: Any, receivers: Any) -> None:
    good, other = receivers
    WebhookEndpoint.objects.create(name="off", url=good.url, secret="a", active=False)
    WebhookEndpoint.objects.create(
        name="results only", url=other.url, secret="b", topics="dossier.issue_result"
    )
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    assert (good.requests, other.requests) == ([], [])


def test_the_admin_test_button_sends_a_signed_test_event(admin_client: Any, receivers: Any) -> None:
    good, _other = receivers
    endpoint = WebhookEndpoint.objects.create(name="LGSP", url=good.url, secret="k")
    response = admin_client.post(
        "/admin/notifications/webhookendpoint/",
        {"action": "send_test", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    assert "LGSP trả lời HTTP 200." in response.content.decode()
    [(headers, body)] = good.requests
    assert json.loads(body)["topic"] == "webhook.test"
    timestamp = int(headers["X-Motcua-Timestamp"])
    assert abs(timestamp - time.time()) < 60
    assert headers["X-Motcua-Signature"] == webhook_signature(
        secret="k", timestamp=timestamp, body=body
    )
    row = WebhookDelivery.objects.get()
    assert (row.topic, row.status) == ("webhook.test", "sent")
    # through the outbox, like every delivery, with its audit event
    [message] = OutboxMessage.objects.filter(topic="webhook.test")
    assert message.payload == {"delivery": row.pk}
    event = AuditEvent.objects.get(action="webhook.test")
    assert event.object_id == str(row.pk)
