"""The HTTP SMS providers against a real HTTP server on 127.0.0.1: what they send, and the
failover from the first to the second on a timeout or a 5xx (not on a 4xx)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from motcua.notifications.sms.base import SmsError, SmsTemporaryError
from motcua.notifications.sms.registry import sms_send


class Gateway:
    """One fake provider: answers `mode` ("ok", "500", "timeout", "400") and records requests."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.mode = "ok"
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append((self.path, dict(self.headers), body))
                if gateway.mode == "timeout":
                    time.sleep(1.5)
                status = {"ok": 200, "500": 500, "400": 400, "timeout": 200}[gateway.mode]
                answer = json.dumps({"id": f"{gateway.name}-1", "message_id": f"{gateway.name}-1"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateways(settings: Any) -> Iterator[tuple[Gateway, Gateway]]:
    a, b = Gateway("a"), Gateway("b")
    settings.MOTCUA_SMS_PROVIDERS = ["http_a", "http_b"]
    settings.MOTCUA_SMS_OPTIONS = {
        "http_a": {"url": a.url, "api_key": "key-a", "brandname": "UBND.HN", "timeout_s": 0.5},
        "http_b": {"url": b.url, "api_key": "key-b", "sender": "UBND.HN", "timeout_s": 0.5},
    }
    yield a, b
    a.close()
    b.close()


def test_http_a_posts_json_with_its_key_and_the_reference(gateways: Any) -> None:
    a, b = gateways
    result = sms_send(to="0912345678", text="Ho so 1 da co ket qua", reference="42:sms:ab")

    assert (result.provider, result.message_id) == ("http_a", "a-1")
    [(path, headers, body)] = a.requests
    assert path == "/sms"
    assert headers["Authorization"] == "Bearer key-a"
    assert headers["Idempotency-Key"] == "42:sms:ab"
    assert headers["Content-Type"] == "application/json"
    assert body == {
        "to": "0912345678",
        "text": "Ho so 1 da co ket qua",
        "brandname": "UBND.HN",
        "reference": "42:sms:ab",
    }
    assert b.requests == []


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_a_failing_first_provider_fails_over_to_the_second(gateways: Any, fault: str) -> None:
    a, b = gateways
    a.mode = fault

    result = sms_send(to="0912345678", text="Ho so 1", reference="43:sms:cd")

    assert (result.provider, result.message_id) == ("http_b", "b-1")
    assert len(a.requests) == 1
    [(_path, headers, body)] = b.requests
    assert headers["X-Api-Key"] == "key-b"
    assert headers["X-Client-Reference"] == "43:sms:cd"  # the same reference on both
    assert body == {
        "phone": "0912345678",
        "message": "Ho so 1",
        "sender": "UBND.HN",
        "client_ref": "43:sms:cd",
    }


def test_both_down_is_a_temporary_error_for_the_outbox_to_retry(gateways: Any) -> None:
    a, b = gateways
    a.mode, b.mode = "500", "timeout"
    with pytest.raises(SmsTemporaryError) as err:
        sms_send(to="0912345678", text="x", reference="44:sms:ef")
    assert str(err.value) == "http_b: TimeoutError"
    assert (len(a.requests), len(b.requests)) == (1, 1)


def test_a_refusal_does_not_fail_over(gateways: Any) -> None:
    a, b = gateways
    a.mode = "400"
    with pytest.raises(SmsError) as err:
        sms_send(to="0912345678", text="x", reference="45:sms:01")
    assert not err.value.temporary
    assert str(err.value) == "http_a: HTTP 400"
    assert b.requests == []


def test_a_closed_port_fails_over(gateways: Any, settings: Any) -> None:
    a, _b = gateways
    a.close()
    result = sms_send(to="0912345678", text="x", reference="46:sms:02")
    assert result.provider == "http_b"


@pytest.mark.django_db(transaction=True)
def test_a_dossier_sms_goes_through_the_second_provider_when_the_first_answers_500(
    gateways: Any, world: Any
) -> None:
    from motcua.dossiers.services import dossier_receive
    from motcua.notifications.models import NotificationDelivery
    from tests.dossiers.helpers import MON, submitted

    a, b = gateways
    a.mode = "500"
    dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)

    row = NotificationDelivery.objects.get(channel="sms")
    assert (row.status, row.provider, row.provider_message_id, row.attempts) == (
        "sent",
        "http_b",
        "b-1",
        1,
    )
    assert [r[1]["Idempotency-Key"] for r in a.requests] == [row.delivery_key]
    assert [r[2]["phone"] for r in b.requests] == [world.citizen.phone]
