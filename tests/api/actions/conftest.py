"""Fixtures of the lifecycle-action tests: a demo-shaped procedure, its staff (officer,
specialist, leader of the ward), a stranger (officer of another ward), and each person as an
API client with their own token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import cast

import pytest
from django.test import Client
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcessStep
from motcua.organisation.models import Role, Unit
from tests.api.actions.helpers import People
from tests.factories import RoleAssignmentFactory, StaffFactory

START = dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC)  # Friday 13 Feb 2026, 09:00 in Hà Nội


@pytest.fixture
def frozen() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time(START) as frozen:
        yield frozen


@pytest.fixture
def demo_procedure(procedure: Procedure) -> Procedure:
    """The conftest procedure with the demo's shape: reception at the one-stop, appraisal by a
    specialist, approval by a leader, return of the result at the one-stop."""
    ProcessStep.objects.create(
        version=procedure.versions.get(number=2),
        order=4,
        name="Trả kết quả",
        role=Role.OFFICER,
        unit_scope="receiving",
        allotment_hours=Decimal(0),
    )
    return procedure


@pytest.fixture
def specialist(ward: Unit) -> User:
    user = cast(User, StaffFactory(username="specialist", full_name="Lê Chuyên Viên"))
    RoleAssignmentFactory(user=user, unit=ward, role=Role.SPECIALIST)
    return user


@pytest.fixture
def leader(ward: Unit) -> User:
    user = cast(User, StaffFactory(username="leader", full_name="Phạm Lãnh Đạo"))
    RoleAssignmentFactory(user=user, unit=ward, role=Role.LEADER)
    return user


@pytest.fixture
def people(
    client: Client,
    demo_procedure: Procedure,
    citizen: User,
    officer: User,
    specialist: User,
    leader: User,
    other_officer: User,
    frozen: FrozenDateTimeFactory,
) -> People:
    return People(
        client,
        citizen=citizen,
        officer=officer,
        specialist=specialist,
        leader=leader,
        stranger=other_officer,
    )
