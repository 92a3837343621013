"""Dossier tests: the 2025–2027 calendar, a ward with its staff, a Service Center branch,
citizens, and the standard procedure version (5 working days, 5 steps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.core.clock import VN_TZ, local
from motcua.core.models import OutboxMessage
from motcua.deadlines.clock import clock_cache_clear
from motcua.deadlines.services import calendar_seed
from motcua.dossiers.models import Dossier, DossierEvent, StepRun, Suspension
from motcua.dossiers.services import (
    dossier_forward,
    dossier_receive,
    dossier_receive_at_counter,
    dossier_submit,
)
from motcua.organisation.models import Role, Unit
from motcua.payments.models import ReceiptSeries
from motcua.payments.receipts import receipt_series_configure
from tests.factories import (
    CitizenFactory,
    ProvinceUnitFactory,
    RoleAssignmentFactory,
    StaffFactory,
    UnitFactory,
    UserFactory,
)

from .factories import standard_version


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware instant in Vietnamese local time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# Monday 2 March 2026, 09:00: an ordinary working morning.
MON = vn(2026, 3, 2, 9, 0)
FORM = {"ho_ten": "Nguyễn Văn An", "ngay_sinh": "1990-01-01"}


@dataclass
class World:
    province: Unit
    ward: Unit
    other_ward: Unit
    branch: Unit
    version: ProcedureVersion
    officer: User  # one-stop officer of the ward
    specialist: User  # of the ward
    leader: User  # of the ward
    branch_officer: User  # one-stop officer of the Service Center branch
    other_officer: User  # officer of another ward
    other_leader: User
    supervisor: User  # city-wide supervisor (reads, never acts)
    auditor: User
    integrator: User
    citizen: User
    other_citizen: User
    stranger: User  # staff account without any role


@pytest.fixture(autouse=True)
def _fresh_clock_cache() -> Iterator[None]:
    clock_cache_clear()
    yield
    clock_cache_clear()


@pytest.fixture
def calendar(db: None) -> None:
    calendar_seed(years=(2025, 2026, 2027), now=vn(2025, 12, 1, 9))
    clock_cache_clear()


def _as_unit(factory_class: Any, **kw: Any) -> Unit:
    return cast(Unit, factory_class(**kw))


def _as_user(factory_class: Any, **kw: Any) -> User:
    return cast(User, factory_class(**kw))


def current(dossier: Dossier) -> StepRun:
    """The dossier's open step (fails the test when there is none)."""
    assert dossier.current_step is not None
    return dossier.current_step


def _staff(unit: Unit, role: str, username: str, **kw: Any) -> User:
    user = _as_user(StaffFactory, username=username)
    RoleAssignmentFactory(user=user, unit=unit, role=role, **kw)
    return user


@pytest.fixture
def world(calendar: None) -> World:
    province = _as_unit(ProvinceUnitFactory)
    ward = _as_unit(UnitFactory, code="00070", name="Phường Hoàn Kiếm", parent=province)
    other_ward = _as_unit(UnitFactory, code="00004", name="Phường Ba Đình", parent=province)
    center = _as_unit(
        UnitFactory,
        code="01.TTHCC",
        name="Trung tâm Phục vụ hành chính công",
        kind=Unit.Kind.SERVICE_CENTER,
        level=Unit.Level.PROVINCE,
        parent=province,
    )
    branch = _as_unit(
        UnitFactory,
        code="01.TTHCC.CN05",
        name="Chi nhánh số 5",
        kind=Unit.Kind.BRANCH,
        level=Unit.Level.PROVINCE,
        parent=center,
    )
    return World(
        province=province,
        ward=ward,
        other_ward=other_ward,
        branch=branch,
        version=standard_version(),
        officer=_staff(ward, Role.OFFICER, "officer"),
        specialist=_staff(ward, Role.SPECIALIST, "specialist"),
        leader=_staff(ward, Role.LEADER, "leader"),
        branch_officer=_staff(branch, Role.OFFICER, "branch_officer"),
        other_officer=_staff(other_ward, Role.OFFICER, "other_officer"),
        other_leader=_staff(other_ward, Role.LEADER, "other_leader"),
        supervisor=_staff(province, Role.SUPERVISOR, "supervisor", covers_subunits=True),
        auditor=_staff(province, Role.AUDITOR, "auditor", covers_subunits=True),
        integrator=_integrator(ward),
        citizen=_as_user(CitizenFactory, username="citizen", full_name="Nguyễn Văn An"),
        other_citizen=_as_user(CitizenFactory, username="other_citizen", full_name="Trần Thị Bình"),
        stranger=_as_user(StaffFactory, username="stranger"),
    )


def _integrator(unit: Unit) -> User:
    user = _as_user(UserFactory, username="integrator", kind=User.Kind.INTEGRATOR)
    RoleAssignmentFactory(user=user, unit=unit, role=Role.INTEGRATOR)
    return user


# --- builders -----------------------------------------------------------------------------


def submitted(world: World, *, now: dt.datetime = MON, **kw: Any) -> Dossier:
    kw.setdefault("applicant", world.citizen)
    kw.setdefault("procedure_version", world.version)
    kw.setdefault("receiving_unit", world.ward)
    kw.setdefault("form_data", dict(FORM))
    return dossier_submit(now=now, **kw)


def received(world: World, *, now: dt.datetime = MON, **kw: Any) -> Dossier:
    """A counter dossier received by the ward's officer (status 2)."""
    kw.setdefault("actor", world.officer)
    kw.setdefault("procedure_version", world.version)
    kw.setdefault("receiving_unit", world.ward)
    kw.setdefault("applicant_name", "Nguyễn Văn An")
    kw.setdefault("applicant", world.citizen)
    kw.setdefault("form_data", dict(FORM))
    return dossier_receive_at_counter(now=now, **kw)


def received_online(world: World, *, now: dt.datetime = MON) -> Dossier:
    dossier = submitted(world, now=now)
    return dossier_receive(dossier=dossier, actor=world.officer, now=now)


def processing(world: World, *, now: dt.datetime = MON) -> Dossier:
    """Received at MON 09:00 and assigned by the leader to the specialist at 10:00 (status 4,
    current step: review, due Wed 4 Mar 10:00)."""
    dossier = received(world, now=now)
    return dossier_forward(
        dossier=dossier,
        actor=world.leader,
        to_user=world.specialist,
        now=now + dt.timedelta(hours=1),
    )


def at_leader_step(world: World) -> Dossier:
    dossier = processing(world)
    return dossier_forward(
        dossier=dossier, actor=world.specialist, to_user=world.leader, now=vn(2026, 3, 3, 15, 0)
    )


def hk_receipt_series(*, unit: Unit, now: dt.datetime) -> ReceiptSeries:
    """The unit's receipt series "HK" (form 01BLP, collected by UBND Phường Hoàn Kiếm, tax code
    0101234567) for the year `now` falls in, as the fee and receipt tests use it."""
    return receipt_series_configure(
        unit=unit,
        year=local(now).year,
        form_symbol="01BLP",
        letters="HK",
        collector_name="UBND Phường Hoàn Kiếm",
        collector_tax_code="0101234567",
        actor=None,
        now=now,
    )


# --- "nothing changed" ------------------------------------------------------------------------


def state(dossier: Dossier) -> dict[str, Any]:
    """Everything a refused call must leave as it was."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return {
        "status": fresh.status,
        "version": fresh.version,
        "updated_at": fresh.updated_at,
        "appointment_at": fresh.appointment_at,
        "new_appointment_at": fresh.new_appointment_at,
        "handling_unit": fresh.handling_unit_id,
        "current_step": fresh.current_step_id,
        "supplement_count": fresh.supplement_count,
        "closed_at": fresh.closed_at,
        "events": DossierEvent.objects.filter(dossier=dossier).count(),
        "steps": list(
            StepRun.objects.filter(dossier=dossier).values_list(
                "order", "finished_at", "due_at", "unit_id"
            )
        ),
        "suspensions": list(
            Suspension.objects.filter(dossier=dossier).values_list("kind", "ended_at")
        ),
        "outbox": OutboxMessage.objects.count(),
    }
