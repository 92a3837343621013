"""procedure_version_publish / procedure_version_create_draft / procedure_version_validate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.problems import CatalogInvalid
from motcua.catalog.services import (
    catalog_import,
    procedure_version_create_draft,
    procedure_version_publish,
    procedure_version_validate,
)
from motcua.core.errors import Conflict, IllegalTransition
from motcua.core.models import OutboxMessage
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(now) -> ProcedureVersion:
    catalog_import(document=document(procedure_doc()), now=now)
    return ProcedureVersion.objects.get()


def test_create_draft_copies_the_current_version(published, now):
    draft = procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    assert (draft.number, draft.status, draft.valid_from) == (2, "draft", dt.date(2026, 3, 2))
    assert draft.counter_time == published.counter_time
    assert [c.code for c in draft.components.all()] == ["TP01", "TP02", "TP03"]
    assert draft.fees.get().amount_vnd == 15000
    assert [s.allotment_hours for s in draft.steps.all()] == [0, 4, 12, 8, 0]
    assert published.components.count() == 3  # copied, not moved
    with pytest.raises(Conflict) as caught:
        procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    assert caught.value.code == "draft_exists"


def test_publish_closes_the_previous_version_the_day_before(published, now):
    draft = procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    OutboxMessage.objects.all().delete()
    result = procedure_version_publish(version=draft, actor=None, now=now)
    assert (result.status, result.published_at) == ("published", now)
    published.refresh_from_db()
    assert published.valid_to == dt.date(2026, 3, 1)
    assert list(OutboxMessage.objects.values_list("topic", flat=True)) == [
        "catalog.version_published"
    ]


def test_publish_refuses_steps_longer_than_the_legal_time(published, now):
    draft = procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    draft.steps.filter(order=3).update(allotment_hours=Decimal("12.5"))
    with pytest.raises(CatalogInvalid) as caught:
        procedure_version_publish(version=draft, actor=None, now=now)
    assert caught.value.code == "steps_exceed_legal_time"
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [
        ("version.steps", "steps_exceed_legal_time"),
        ("version.steps[3].allotment_hours", "step_exceeds_legal_time"),
        ("version.steps[4].allotment_hours", "step_exceeds_legal_time"),
    ]
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.valid_to) == ("draft", None)


def test_publish_refuses_an_incomplete_version(published, now):
    draft = procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    draft.components.all().delete()
    ProcedureVersion.objects.filter(pk=draft.pk).update(applicant="", method="")
    with pytest.raises(CatalogInvalid) as caught:
        procedure_version_publish(version=draft, actor=None, now=now)
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [
        ("version.method", "incomplete_for_publish"),
        ("version.components", "components_required"),
        ("version.applicant", "incomplete_for_publish"),
    ]
    assert "cách thức thực hiện" in caught.value.problems[0]["message"]


def test_publish_only_drafts(published, now):
    with pytest.raises(IllegalTransition):
        procedure_version_publish(version=published, actor=None, now=now)


def test_publish_refuses_a_version_starting_before_the_current_one(published, now):
    draft = procedure_version_create_draft(procedure=published.procedure, actor=None, now=now)
    ProcedureVersion.objects.filter(pk=draft.pk).update(valid_from=dt.date(2025, 7, 1))
    with pytest.raises(CatalogInvalid) as caught:
        procedure_version_publish(version=draft, actor=None, now=now)
    assert [p["code"] for p in caught.value.problems] == ["valid_from_not_after_current"]


def test_validate_a_stored_version(published):
    assert procedure_version_validate(published) == []
    published.steps.filter(order=2).update(role="auditor")
    published.components.filter(code="TP02").update(accepted_forms=["fax"])
    problems = procedure_version_validate(published)
    assert [(p["field"], p["code"]) for p in problems] == [
        ("version.components[1].accepted_forms", "bad_choice"),
        ("version.steps[1].role", "role_not_for_steps"),
    ]
    assert (problems[0]["sheet"], problems[0]["line"]) == ("", None)
