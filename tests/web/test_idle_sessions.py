"""Sessions end after inactivity (staff: 30 minutes by default)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from freezegun import freeze_time

from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def test_a_staff_session_idle_for_more_than_30_minutes_is_signed_out(client: Client) -> None:
    staff = StaffFactory(username="canbo.idle")
    with freeze_time(START) as frozen:
        client.force_login(staff)
        assert client.get("/workspace/").status_code == 200
        frozen.tick(dt.timedelta(minutes=29))
        assert client.get("/workspace/").status_code == 200  # activity keeps it alive
        frozen.tick(dt.timedelta(minutes=29))
        assert client.get("/workspace/").status_code == 200
        assert client.session.get_expiry_age() == 2 * 30 * 60
        frozen.tick(dt.timedelta(minutes=31))
        response = client.get("/workspace/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "không hoạt động quá lâu" in page


def test_citizens_have_the_longer_limit(client: Client, settings) -> None:
    citizen = CitizenFactory(username="congdan.idle")
    with freeze_time(START) as frozen:
        client.force_login(citizen)
        client.get("/")
        frozen.tick(dt.timedelta(minutes=45))
        client.get("/")
        assert client.session.get("_auth_user_id") == str(citizen.pk)
        frozen.tick(dt.timedelta(seconds=settings.MOTCUA_SESSION_IDLE_SECONDS["default"] + 1))
        client.get("/")
        assert "_auth_user_id" not in client.session
