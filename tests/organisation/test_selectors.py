from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationError
from motcua.organisation.models import Role, RoleAssignment
from motcua.organisation.selectors import user_roles_in_unit, user_unit_ids
from motcua.organisation.services import role_assign
from tests.factories import CitizenFactory, ProvinceUnitFactory, StaffFactory, UnitFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


def test_direct_assignment_covers_only_its_unit() -> None:
    province = ProvinceUnitFactory()
    ward_a = UnitFactory(parent=province)
    ward_b = UnitFactory(parent=province)
    officer = StaffFactory()
    role_assign(now=NOW, user=officer, unit=ward_a, role=Role.OFFICER)
    assert user_unit_ids(user=officer) == {ward_a.pk}
    assert user_roles_in_unit(user=officer, unit=ward_a) == {Role.OFFICER}
    assert user_roles_in_unit(user=officer, unit=ward_b) == set()


def test_supervisor_covering_subunits_reaches_the_whole_tree() -> None:
    province = ProvinceUnitFactory()
    ward = UnitFactory(parent=province)
    supervisor = StaffFactory()
    role_assign(now=NOW, user=supervisor, unit=province, role=Role.SUPERVISOR, covers_subunits=True)
    assert user_unit_ids(user=supervisor, roles=[Role.SUPERVISOR]) == {province.pk, ward.pk}
    assert user_unit_ids(user=supervisor, roles=[Role.OFFICER]) == set()
    assert user_roles_in_unit(user=supervisor, unit=ward) == {Role.SUPERVISOR}


def test_inactive_user_has_no_units() -> None:
    ward = UnitFactory()
    officer = StaffFactory(is_active=False)
    role_assign(now=NOW, user=officer, unit=ward, role=Role.OFFICER)
    assert user_unit_ids(user=officer) == set()


def test_citizen_cannot_be_given_a_staff_role_and_nothing_changes() -> None:
    ward = UnitFactory()
    citizen = CitizenFactory()
    with pytest.raises(ValidationError) as error:
        role_assign(now=NOW, user=citizen, unit=ward, role=Role.OFFICER)
    assert error.value.code == "citizen_not_staff"
    assert RoleAssignment.objects.count() == 0


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        role_assign(now=NOW, user=StaffFactory(), unit=UnitFactory(), role="janitor")
    assert error.value.code == "unknown_role"


def test_assigning_and_revoking_leave_audit_events() -> None:
    from motcua.core.models import AuditEvent
    from motcua.organisation.services import role_revoke

    ward = UnitFactory()
    officer = StaffFactory(username="canbo")
    admin = StaffFactory(username="quantri")
    assignment = role_assign(now=NOW, user=officer, unit=ward, role=Role.OFFICER, actor=admin)
    role_assign(now=NOW, user=officer, unit=ward, role=Role.OFFICER, actor=admin)  # no change
    role_revoke(assignment=assignment, now=NOW, actor=admin)

    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username", "at"))
    assert events == [("role.assign", "quantri", NOW), ("role.revoke", "quantri", NOW)]
    assert AuditEvent.objects.get(action="role.revoke").before == {
        "user": "canbo",
        "unit": ward.code,
        "role": "officer",
    }
    assert not RoleAssignment.objects.exists()
