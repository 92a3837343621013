"""catalog.process: who administers the catalog, the ordered list of steps cleaned, saved in
one go with one audit event, and checked against the legal time (timefit)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.process import (
    StepInput,
    catalog_admin_may,
    steps_time_fit,
    version_steps_clean,
    version_steps_save,
)
from motcua.catalog.services import catalog_import, procedure_version_create_draft
from motcua.core.errors import ValidationError
from motcua.core.models import AuditEvent
from motcua.organisation.models import Role
from tests.catalog.factories import document, procedure_doc
from tests.factories import ProvinceUnitFactory, RoleAssignmentFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    user = StaffFactory(username="quantri")
    RoleAssignmentFactory(user=user, unit=ProvinceUnitFactory(), role=Role.PROCEDURE_ADMIN)
    return user


@pytest.fixture
def draft(now) -> ProcedureVersion:
    catalog_import(document=document(procedure_doc()), now=now)
    published = ProcedureVersion.objects.get()
    return procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)


def test_who_administers_the_catalog(admin_user) -> None:
    assert catalog_admin_may(actor=admin_user)
    officer = StaffFactory(username="canbo")
    RoleAssignmentFactory(user=officer, role=Role.OFFICER)
    assert not catalog_admin_may(actor=officer)
    assert catalog_admin_may(actor=StaffFactory(username="root", is_superuser=True))


def test_every_problem_of_every_step_is_reported_with_its_field() -> None:
    with pytest.raises(ValidationError) as caught:
        version_steps_clean(
            [
                StepInput(name="", role="officer", allotment_hours="1"),
                StepInput(name="A", role="nobody", allotment_hours="-1"),
                StepInput(name="B", role="leader", unit_scope="named"),
                StepInput(name="C", role="leader", unit_code="01", allotment_hours="0,125"),
            ]
        )
    assert [(e["field"], e["code"]) for e in caught.value.errors] == [
        ("steps-0-name", "required"),
        ("steps-1-role", "invalid_choice"),
        ("steps-1-allotment_hours", "negative"),
        ("steps-2-unit_code", "required"),
        ("steps-3-unit_code", "unit_only_for_named"),
        ("steps-3-allotment_hours", "bad_hours"),
    ]
    assert caught.value.code == "steps_invalid"


def test_save_replaces_the_list_in_order_with_one_audit_event(admin_user, draft, now) -> None:
    steps = [
        StepInput(name="Tiếp nhận", role="officer", unit_scope="receiving", allotment_hours="0"),
        StepInput(name="Thẩm định", role="specialist", allotment_hours="20,5"),
        StepInput(name="Ký", role="leader", allotment_hours="4"),
    ]
    version_steps_save(version=draft, steps=steps, actor=admin_user, now=now)
    stored = list(draft.steps.order_by("order").values_list("order", "name", "allotment_hours"))
    assert stored == [(1, "Tiếp nhận", 0), (2, "Thẩm định", Decimal("20.5")), (3, "Ký", 4)]
    event = AuditEvent.objects.get(action="process_steps.replace")
    assert len(event.before["steps"]) == 5
    assert event.after["total_hours"] == "24.5"
    assert event.after["fits"] is False  # 24.5 h against 3 working days: saved, not publishable
    version_steps_save(version=draft, steps=steps, actor=admin_user, now=now)  # no change
    assert AuditEvent.objects.filter(action="process_steps.replace").count() == 1


def test_the_fit_of_typed_steps(draft) -> None:
    fit = steps_time_fit(version=draft, steps=[("a", Decimal(16)), ("b", Decimal(8))])
    assert (fit.total_hours, fit.limit_hours, fit.fits) == (Decimal(24), Decimal(24), True)
    over = steps_time_fit(version=draft, steps=[("a", Decimal(16)), ("b", Decimal(9))])
    assert not over.fits
    assert [s.fits for s in over.steps] == [True, False]
