from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.organisation.models import Role, RoleAssignment
from tests.factories import CitizenFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(username="quantri", is_staff=True, is_superuser=True))
    return client


def _add(admin_client, user, unit):
    return admin_client.post(
        reverse("admin:organisation_roleassignment_add"),
        {"user": user.pk, "unit": unit.pk, "role": Role.OFFICER},
    )


def test_assigning_a_role_in_the_admin_goes_through_the_service(admin_client) -> None:
    officer = StaffFactory(username="canbo")
    ward = UnitFactory()

    response = _add(admin_client, officer, ward)

    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=officer, unit=ward, role=Role.OFFICER).exists()
    event = AuditEvent.objects.get(action="role.assign")
    assert event.actor is not None
    assert event.actor.username == "quantri"


def test_a_citizen_cannot_get_a_staff_role_and_nothing_is_saved(admin_client) -> None:
    response = _add(admin_client, CitizenFactory(), UnitFactory())

    assert response.status_code == 200
    assert "Tài khoản công dân không thể được phân vai trò cán bộ." in response.content.decode()
    assert not RoleAssignment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_deleting_in_the_admin_revokes_with_an_audit_event(admin_client) -> None:
    officer = StaffFactory(username="canbo")
    _add(admin_client, officer, UnitFactory())
    assignment = RoleAssignment.objects.get()

    admin_client.post(
        reverse("admin:organisation_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )

    assert not RoleAssignment.objects.exists()
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1
