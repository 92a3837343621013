"""One-row catalog writes: a published version refuses every edit, drafts record each one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.models import Component, Fee, Procedure, ProcedureVersion, ProcessStep
from motcua.catalog.selectors import version_in_force
from motcua.catalog.services import (
    catalog_import,
    field_delete,
    procedure_version_create_draft,
    procedure_version_delete,
    procedure_version_publish,
    procedure_version_save,
    version_part_delete,
    version_part_save,
)
from motcua.core.errors import Conflict, IllegalTransition, ValidationError
from motcua.core.models import AuditEvent
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(now) -> ProcedureVersion:
    catalog_import(document=document(procedure_doc()), now=now)
    return ProcedureVersion.objects.get()


def _edits(version: ProcedureVersion):
    """Every edit a published version must refuse."""
    component = version.components.get(code="TP01")
    component.name = "Tờ khai đã sửa"
    fee = version.fees.get()
    fee.amount_vnd = 1
    step = version.steps.get(order=3)
    step.allotment_hours = Decimal(1)
    version.legal_basis = ["Đã sửa"]
    return {
        "version_save": lambda **kw: procedure_version_save(version=version, **kw),
        "version_delete": lambda **kw: procedure_version_delete(version=version, **kw),
        "component_save": lambda **kw: version_part_save(part=component, **kw),
        "component_new": lambda **kw: version_part_save(
            part=Component(
                version=version, order=9, code="TP09", name="Mới", accepted_forms=["copy"]
            ),
            **kw,
        ),
        "fee_save": lambda **kw: version_part_save(part=fee, **kw),
        "fee_delete": lambda **kw: version_part_delete(part=Fee.objects.get(pk=fee.pk), **kw),
        "step_save": lambda **kw: version_part_save(part=step, **kw),
        "step_delete": lambda **kw: version_part_delete(
            part=ProcessStep.objects.get(pk=step.pk), **kw
        ),
    }


@pytest.mark.parametrize(
    "edit",
    [
        "version_save",
        "version_delete",
        "component_save",
        "component_new",
        "fee_save",
        "fee_delete",
        "step_save",
        "step_delete",
    ],
)
@pytest.mark.parametrize("status", ["published", "retired"])
def test_a_published_or_retired_version_refuses_every_edit(published, now, edit, status):
    ProcedureVersion.objects.filter(pk=published.pk).update(status=status)
    version = ProcedureVersion.objects.get(pk=published.pk)
    served = version_in_force(code="1.001022", on=dt.date(2026, 3, 2))

    with pytest.raises(IllegalTransition) as caught:
        _edits(version)[edit](actor=None, now=now)

    assert caught.value.code == "version_published"
    assert "1.001022 v1" in caught.value.render()
    fresh = ProcedureVersion.objects.get(pk=published.pk)
    assert fresh.legal_basis == ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"]
    assert fresh.components.get(code="TP01").name == "Tờ khai theo mẫu"
    assert list(fresh.components.values_list("code", flat=True)) == ["TP01", "TP02", "TP03"]
    assert fresh.fees.get().amount_vnd == 15000
    assert fresh.steps.get(order=3).allotment_hours == Decimal(12)
    assert not AuditEvent.objects.exclude(action="catalog.import").exists()
    if status == "published":
        assert served is not None
        assert served.legal_basis == fresh.legal_basis


def test_a_draft_from_a_chosen_version_then_published_with_its_dates(published, now):
    draft = procedure_version_create_draft(
        procedure=published.procedure, source=published, actor=None, now=now
    )
    draft.legal_basis = ["Luật Hộ tịch 2014", "Nghị định 120/2025/NĐ-CP"]
    procedure_version_save(version=draft, actor=None, now=now)

    procedure_version_publish(version=draft, actor=None, now=now)

    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.valid_to, draft.valid_from) == (dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert published.legal_basis == ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"]
    assert version_in_force(code="1.001022", on=dt.date(2026, 3, 1)).number == 1
    assert version_in_force(code="1.001022", on=dt.date(2026, 3, 2)).number == 2
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "catalog.import",
        "procedure_version.create_draft",
        "procedure_version.update",
        "procedure_version.publish",
    ]


def test_a_source_of_another_procedure_is_refused(published, now):
    other = Procedure.objects.create(
        code="1.001023", name="Khác", field=published.procedure.field, level="commune"
    )
    with pytest.raises(ValidationError) as caught:
        procedure_version_create_draft(procedure=other, source=published, actor=None, now=now)
    assert caught.value.code == "version_not_of_procedure"
    assert other.versions.count() == 0


def test_draft_rows_are_recorded_one_by_one(published, now):
    draft = procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    step = draft.steps.get(order=3)
    step.allotment_hours = Decimal(8)

    version_part_save(part=step, actor=None, now=now)
    version_part_save(part=step, actor=None, now=now)  # unchanged: no event
    version_part_delete(part=draft.components.get(code="TP03"), actor=None, now=now)

    events = list(
        AuditEvent.objects.filter(action__in=["process_step.update", "component.delete"])
        .order_by("id")
        .values_list("action", "object_id", "before", "after")
    )
    assert events == [
        (
            "process_step.update",
            "1.001022 v2 process_step 3",
            {"allotment_hours": "12.00"},
            {"allotment_hours": "8"},
        ),
        (
            "component.delete",
            "1.001022 v2 component TP03",
            events[1][2],
            {},
        ),
    ]
    assert events[1][2]["name"] == "Giấy tờ tùy thân"


def test_a_field_in_use_is_not_deleted(published, now):
    with pytest.raises(Conflict) as caught:
        field_delete(field=published.procedure.field, actor=None, now=now)
    assert caught.value.code == "field_in_use"
    assert published.procedure.field.pk is not None
    assert not AuditEvent.objects.filter(action="field.delete").exists()
