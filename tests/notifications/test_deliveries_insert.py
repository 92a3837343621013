"""`deliveries_insert`: a batch's rows in one INSERT; a row that already existed (a redelivered
envelope) comes back as stored, not as built, so a sent one is not sent again."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.clock import VN_TZ
from motcua.notifications.models import DeliveryStatus, NotificationDelivery
from motcua.notifications.rendering import Rendered
from motcua.notifications.services import Outgoing, deliveries_insert

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=VN_TZ)


def _outgoing(key: str) -> Outgoing:
    return Outgoing(
        key=key,
        channel="sms",
        event="received",
        language="vi",
        dossier_code="00070-260302-0001",
        person_id=None,
        recipient="0912345678",
        rendered=Rendered("", f"Ho so {key}"),
    )


@pytest.mark.django_db(transaction=True)  # outside a transaction, as the dispatch runs it
def test_new_rows_are_inserted_and_existing_ones_come_back_as_stored() -> None:
    first = deliveries_insert([(_outgoing("k1"), True), (_outgoing("k2"), False)], now=NOW)
    assert set(first) == {"k1", "k2"}
    assert first["k1"].pk == NotificationDelivery.objects.get(delivery_key="k1").pk
    assert first["k1"].status == DeliveryStatus.SENDING
    assert first["k2"].status == DeliveryStatus.OPTED_OUT
    NotificationDelivery.objects.filter(delivery_key="k1").update(status=DeliveryStatus.SENT)

    # again, with a new key and a key twice in the same batch
    again = deliveries_insert(
        [(_outgoing("k1"), True), (_outgoing("k3"), True), (_outgoing("k3"), True)], now=NOW
    )
    assert set(again) == {"k1", "k3"}
    assert again["k1"].pk == first["k1"].pk
    assert again["k1"].status == DeliveryStatus.SENT  # as stored, not as built
    assert again["k3"].pk == NotificationDelivery.objects.get(delivery_key="k3").pk
    assert again["k3"].body == "Ho so k3"
    assert NotificationDelivery.objects.count() == 3
