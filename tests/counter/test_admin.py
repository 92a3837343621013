"""The counter's admin adds rows through the services: their refusals show on the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.core.models import AuditEvent
from motcua.counter.models import LegalAdviceTurn
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(kind="staff", is_staff=True, is_superuser=True))
    return client


def _post(client: Client, unit_id: int, day: str) -> object:
    return client.post(
        "/admin/counter/legaladviceturn/add/",
        {
            "unit": unit_id,
            "lawyer_name": "Ls. Phạm Thu Hà",
            "organisation": "",
            "day": day,
            "starts": "08:00",
            "ends": "11:00",
        },
    )


@freeze_time(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))
def test_a_turn_added_in_the_admin_is_planned_by_the_service(admin_client: Client) -> None:
    unit = UnitFactory()
    refused = _post(admin_client, unit.pk, "07/03/2026")  # a Saturday
    assert refused.status_code == 200
    assert "không phải ngày làm việc" in refused.content.decode()
    assert LegalAdviceTurn.objects.count() == 0
    added = _post(admin_client, unit.pk, "04/03/2026")
    assert added.status_code == 302
    turn = LegalAdviceTurn.objects.get()
    assert turn.day == dt.date(2026, 3, 4)
    audit = AuditEvent.objects.filter(action="legal_advice_turn.plan", object_id=str(turn.pk))
    assert audit.exists()
