"""The outbox in the admin: read-only lists with counts and filters; the only writes are the
retry and route actions, through the outbox services (with an audit event)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from motcua.core import outbox
from motcua.core.clock import VN_TZ
from motcua.core.models import AuditEvent, OutboxDelivery, OutboxMessage
from motcua.core.outbox import outbox_subscribe
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
MESSAGES = reverse("admin:core_outboxmessage_changelist")
DELIVERIES = reverse("admin:core_outboxdelivery_changelist")


@pytest.fixture
def rows() -> dict[str, Any]:
    submit = OutboxMessage.objects.create(
        topic="dossier.submit", key="X", payload={"code": "X"}, created_at=NOW
    )
    unrouted = OutboxMessage.objects.create(
        topic="catalog.imported", payload={}, created_at=NOW, status="unrouted"
    )

    def add(subscriber: str, status: str, **kw: Any) -> OutboxDelivery:
        return OutboxDelivery.objects.create(
            message=submit, subscriber=subscriber, key="X", status=status, available_at=NOW, **kw
        )

    return {
        "submit": submit,
        "unrouted": unrouted,
        "sms": add("sms", "delivered", attempts=1, delivered_at=NOW),
        "webhook": add("webhook", "dead", attempts=10, dead_at=NOW, last_error="HTTP 500"),
        "email": add("email", "pending", attempts=2),
    }


@pytest.fixture
def admin_client(client: Any) -> Any:
    client.force_login(StaffFactory(username="quantri", is_staff=True, is_superuser=True))
    return client


def _listed(response: Any) -> list[int]:
    return sorted(obj.pk for obj in response.context["cl"].result_list)


def test_the_message_list_counts_unrouted_and_summarises_deliveries(
    admin_client: Any, rows: dict[str, Any]
) -> None:
    response = admin_client.get(MESSAGES)

    assert response.status_code == 200
    assert response.context["title"] == "Thông điệp outbox: 1 không có bên nhận"
    assert "1 / 1 / 1" in response.content.decode()  # delivered / pending / dead
    assert _listed(admin_client.get(MESSAGES, {"status__exact": "unrouted"})) == [
        rows["unrouted"].pk
    ]
    assert _listed(admin_client.get(MESSAGES, {"topic": "dossier.submit"})) == [rows["submit"].pk]


def test_the_delivery_list_counts_dead_letters_and_filters(
    admin_client: Any, rows: dict[str, Any]
) -> None:
    response = admin_client.get(DELIVERIES)

    assert response.status_code == 200
    assert response.context["title"] == "Lần giao thông điệp: 1 thư chết, 1 chờ gửi"
    assert _listed(admin_client.get(DELIVERIES, {"status__exact": "dead"})) == [rows["webhook"].pk]
    assert _listed(admin_client.get(DELIVERIES, {"subscriber": "sms"})) == [rows["sms"].pk]
    assert len(_listed(admin_client.get(DELIVERIES, {"message__topic": "dossier.submit"}))) == 3


@pytest.mark.parametrize("model", ["outboxmessage", "outboxdelivery"])
def test_rows_are_read_only_without_save_buttons(
    admin_client: Any, rows: dict[str, Any], model: str
) -> None:
    obj = rows["submit"] if model == "outboxmessage" else rows["webhook"]
    url = reverse(f"admin:core_{model}_change", args=[obj.pk])

    page = admin_client.get(url).content.decode()
    posted = admin_client.post(url, {"topic": "changed", "subscriber": "changed"})

    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert posted.status_code == 403
    assert admin_client.get(reverse(f"admin:core_{model}_add")).status_code == 403
    assert OutboxMessage.objects.get(pk=rows["submit"].pk).topic == "dossier.submit"
    assert OutboxDelivery.objects.get(pk=rows["webhook"].pk).subscriber == "webhook"


def test_the_retry_action_sends_a_dead_letter_again_through_the_service(
    admin_client: Any, rows: dict[str, Any]
) -> None:
    dead = rows["webhook"]

    response = admin_client.post(
        DELIVERIES, {"action": "retry", "_selected_action": [dead.pk]}, follow=True
    )

    assert "Đã đưa 1 lần giao trở lại hàng chờ." in response.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.dead_at) == ("pending", 0, None)
    event = AuditEvent.objects.get(action="outbox.delivery_retry")
    assert (event.actor.username, event.object_id) == ("quantri", str(dead.pk))


def test_the_retry_action_on_a_row_that_is_not_dead_is_refused_and_nothing_changes(
    admin_client: Any, rows: dict[str, Any]
) -> None:
    picked = [rows["webhook"].pk, rows["email"].pk]

    response = admin_client.post(
        DELIVERIES, {"action": "retry", "_selected_action": picked}, follow=True
    )

    assert "Chỉ gửi lại được các lần giao đã thành thư chết." in response.content.decode()
    assert OutboxDelivery.objects.get(pk=rows["webhook"].pk).status == "dead"
    assert OutboxDelivery.objects.get(pk=rows["email"].pk).attempts == 2
    assert not AuditEvent.objects.exists()


def test_staff_who_may_only_look_get_no_retry_action(client: Any, rows: dict[str, Any]) -> None:
    viewer = StaffFactory(username="xem", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxdelivery"))
    client.force_login(viewer)

    page = client.get(DELIVERIES)
    client.post(DELIVERIES, {"action": "retry", "_selected_action": [rows["webhook"].pk]})

    assert page.status_code == 200
    assert 'value="retry"' not in page.content.decode()
    assert OutboxDelivery.objects.get(pk=rows["webhook"].pk).status == "dead"
    assert not AuditEvent.objects.exists()


def test_the_route_action_routes_an_unrouted_message_to_todays_subscribers(
    admin_client: Any, rows: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "_SUBSCRIBERS", {})
    outbox_subscribe(name="catalog.mirror", topics="catalog.*", handler=lambda envelope: None)
    message = rows["unrouted"]

    response = admin_client.post(
        MESSAGES, {"action": "route", "_selected_action": [message.pk]}, follow=True
    )

    assert "Đã tạo 1 lần giao." in response.content.decode()
    message.refresh_from_db()
    assert message.status == "routed"
    assert list(message.deliveries.values_list("subscriber", "status")) == [
        ("catalog.mirror", "pending")
    ]
    assert AuditEvent.objects.get(action="outbox.message_route").object_id == str(message.pk)
