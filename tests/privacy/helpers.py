"""Privacy tests: a privacy officer beside the dossier tests' world."""

from __future__ import annotations

from typing import cast

from motcua.accounts.models import User
from motcua.organisation.models import Role
from tests.dossiers.helpers import World
from tests.factories import RoleAssignmentFactory, StaffFactory


def privacy_officer(world: World, username: str = "privacy") -> User:
    user = cast(User, StaffFactory(username=username, full_name="Lê Thị Bảo Vệ"))
    RoleAssignmentFactory(user=user, unit=world.province, role=Role.PRIVACY_OFFICER)
    return user
