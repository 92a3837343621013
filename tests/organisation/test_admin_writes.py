"""Units and service points edited in the admin go through the services: audit events, the
unit caches emptied, deletes refused while something uses the row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.organisation.models import ServicePoint, Unit
from motcua.organisation.selectors import unit_active_by_code
from motcua.organisation.services import unit_tree_load
from tests.catalog.formdata import form_data
from tests.factories import RoleAssignmentFactory, ServicePointFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(username="quantri", is_staff=True, is_superuser=True))
    return client


def test_editing_a_units_agency_code_is_recorded_and_seen_at_once(admin_client) -> None:
    ward = UnitFactory(code="00070", name="UBND Phường Hoàn Kiếm")
    assert unit_active_by_code(code="00070").agency_code == ""  # cached now
    url = reverse("admin:organisation_unit_change", args=[ward.pk])
    data = form_data(admin_client.get(url).content.decode(), "unit_form")
    data["agency_code"] = " H26.70 "

    response = admin_client.post(url, data)

    assert response.status_code == 302
    ward.refresh_from_db()
    assert ward.agency_code == "H26.70"
    assert unit_active_by_code(code="00070").agency_code == "H26.70"
    event = AuditEvent.objects.get(action="unit.update")
    assert (event.object_id, event.before, event.after, event.actor.username) == (
        "00070",
        {"agency_code": ""},
        {"agency_code": "H26.70"},
        "quantri",
    )


def test_a_unit_in_use_cannot_be_deleted_and_an_unused_one_is_recorded(admin_client) -> None:
    used = UnitFactory()
    ServicePointFactory(unit=used)
    url = reverse("admin:organisation_unit_delete", args=[used.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Unit.objects.filter(pk=used.pk).exists()

    unused = UnitFactory(code="99999")
    url = reverse("admin:organisation_unit_delete", args=[unused.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Unit.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.get(action="unit.delete").object_id == "99999"


def test_service_points_are_added_and_deleted_through_the_services(admin_client) -> None:
    ward = UnitFactory()
    add = reverse("admin:organisation_servicepoint_add")
    response = admin_client.post(
        add, {"unit": ward.pk, "code": "X.MC", "name": "Một cửa X", "is_active": "on"}
    )
    assert response.status_code == 302
    point = ServicePoint.objects.get(code="X.MC")
    assert AuditEvent.objects.get(action="service_point.create").after["name"] == "Một cửa X"

    RoleAssignmentFactory(unit=ward, service_point=point)
    delete = reverse("admin:organisation_servicepoint_delete", args=[point.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ServicePoint.objects.filter(pk=point.pk).exists()
    assert not AuditEvent.objects.filter(action="service_point.delete").exists()


def test_reloading_the_unit_tree_keeps_the_agency_codes() -> None:
    unit_tree_load(province_code="01", branches=0)
    Unit.objects.filter(code="00070").update(agency_code="H26.70")
    unit_tree_load(province_code="01", branches=0)
    assert Unit.objects.get(code="00070").agency_code == "H26.70"


def test_a_unit_cannot_be_put_under_its_own_subunit(admin_client) -> None:
    province = UnitFactory(code="01", kind=Unit.Kind.PROVINCE, level=Unit.Level.PROVINCE)
    ward = UnitFactory(parent=province)
    url = reverse("admin:organisation_unit_change", args=[province.pk])
    data = form_data(admin_client.get(url).content.decode(), "unit_form")
    data["parent"] = str(ward.pk)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "không thể là chính đơn vị này" in response.content.decode()
    province.refresh_from_db()
    assert province.parent_id is None
    assert not AuditEvent.objects.filter(action="unit.update").exists()
