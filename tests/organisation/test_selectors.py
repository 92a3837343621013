from __future__ import annotations

import pytest

from motcua.core.errors import ValidationError
from motcua.organisation.models import Role, RoleAssignment
from motcua.organisation.selectors import user_roles_in_unit, user_unit_ids
from motcua.organisation.services import role_assign
from tests.factories import CitizenFactory, ProvinceUnitFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_direct_assignment_covers_only_its_unit() -> None:
    province = ProvinceUnitFactory()
    ward_a = UnitFactory(parent=province)
    ward_b = UnitFactory(parent=province)
    officer = StaffFactory()
    role_assign(user=officer, unit=ward_a, role=Role.OFFICER)
    assert user_unit_ids(user=officer) == {ward_a.pk}
    assert user_roles_in_unit(user=officer, unit=ward_a) == {Role.OFFICER}
    assert user_roles_in_unit(user=officer, unit=ward_b) == set()


def test_supervisor_covering_subunits_reaches_the_whole_tree() -> None:
    province = ProvinceUnitFactory()
    ward = UnitFactory(parent=province)
    supervisor = StaffFactory()
    role_assign(user=supervisor, unit=province, role=Role.SUPERVISOR, covers_subunits=True)
    assert user_unit_ids(user=supervisor, roles=[Role.SUPERVISOR]) == {province.pk, ward.pk}
    assert user_unit_ids(user=supervisor, roles=[Role.OFFICER]) == set()
    assert user_roles_in_unit(user=supervisor, unit=ward) == {Role.SUPERVISOR}


def test_inactive_user_has_no_units() -> None:
    ward = UnitFactory()
    officer = StaffFactory(is_active=False)
    role_assign(user=officer, unit=ward, role=Role.OFFICER)
    assert user_unit_ids(user=officer) == set()


def test_citizen_cannot_be_given_a_staff_role_and_nothing_changes() -> None:
    ward = UnitFactory()
    citizen = CitizenFactory()
    with pytest.raises(ValidationError) as error:
        role_assign(user=citizen, unit=ward, role=Role.OFFICER)
    assert error.value.code == "citizen_not_staff"
    assert RoleAssignment.objects.count() == 0


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        role_assign(user=StaffFactory(), unit=UnitFactory(), role="janitor")
    assert error.value.code == "unknown_role"
