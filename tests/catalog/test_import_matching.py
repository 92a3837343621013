"""The import names fields and units by code or by folded name and never duplicates a field;
it never changes a published version (a new version is added instead)."""

from __future__ import annotations

import copy

import pytest
from django.core.management import call_command

from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.catalog.problems import CatalogInvalid
from motcua.catalog.services import (
    catalog_export,
    catalog_import,
    field_merge_duplicates,
)
from motcua.core.models import AuditEvent
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


def test_a_field_named_like_a_stored_one_is_that_field(now):
    Field.objects.create(code="HO_TICH", name="Hộ tịch", name_en="Civil status")
    doc = document(procedure_doc(field="SYN.LV01"))
    doc["fields"] = [{"code": "SYN.LV01", "name": "  hộ  TỊCH ", "name_en": "Civil status"}]

    summary = catalog_import(document=doc, now=now)

    assert list(Field.objects.values_list("code", "name")) == [("HO_TICH", "Hộ tịch")]
    assert Procedure.objects.get().field.code == "HO_TICH"
    assert (summary.fields_created, summary.fields_matched) == (0, 1)
    # The same file again changes nothing.
    again = catalog_import(document=doc, now=now)
    assert (again.unchanged, again.fields_created) == (1, 0)
    assert Field.objects.count() == 1


def test_a_procedure_may_name_its_field_by_name(now):
    Field.objects.create(code="HO_TICH", name="Hộ tịch")
    doc = document(procedure_doc(field="Ho tich"))
    doc["fields"] = []
    catalog_import(document=doc, now=now)
    assert Procedure.objects.get().field.code == "HO_TICH"


def test_two_codes_with_one_name_in_a_file_make_one_field(now):
    doc = document(procedure_doc(field="A"), procedure_doc(code="1.001023", field="B"))
    doc["fields"] = [{"code": "A", "name": "Hộ tịch"}, {"code": "B", "name": "HỘ TỊCH"}]
    catalog_import(document=doc, now=now)
    assert list(Field.objects.values_list("code", flat=True)) == ["A"]
    assert set(Procedure.objects.values_list("field__code", flat=True)) == {"A"}


def test_renaming_a_field_to_another_fields_name_is_refused(now):
    catalog_import(document=document(procedure_doc()), now=now)
    doc = document(procedure_doc())
    doc["fields"][0]["name"] = "Chứng thực"  # HO_TICH renamed to CHUNG_THUC's name

    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=doc, now=now)

    [p] = caught.value.problems
    assert (p["sheet"], p["field"], p["code"]) == ("fields", "name", "field_name_taken")
    assert p["message"] == "Tên lĩnh vực của HO_TICH đã là tên của lĩnh vực CHUNG_THUC."
    assert Field.objects.get(code="HO_TICH").name == "Hộ tịch"


def test_units_are_named_by_code_or_by_name(departments, now):
    doc = procedure_doc(
        level="province",
        competent_unit="sở 01.stp",  # the fixture names the unit "Sở 01.STP"
        competent_unit_kinds=["department"],
    )
    catalog_import(document=document(doc), now=now)
    procedure = Procedure.objects.get()
    assert procedure.competent_unit.code == "01.STP"
    assert catalog_export()["procedures"][0]["competent_unit"] == "01.STP"


def test_an_ambiguous_unit_name_is_a_problem(departments, now):
    departments["01.STC"].name = departments["01.STP"].name
    departments["01.STC"].save()
    doc = procedure_doc(
        level="province", competent_unit="Sở 01.STP", competent_unit_kinds=["department"]
    )
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    assert [p["code"] for p in caught.value.problems] == ["ambiguous_unit"]
    assert not Procedure.objects.exists()


def test_an_import_never_changes_a_published_version(now):
    catalog_import(document=document(procedure_doc()), now=now)
    published = ProcedureVersion.objects.get()
    before = (
        published.legal_basis,
        list(published.steps.values_list("order", "allotment_hours")),
        list(published.components.values_list("code", "name")),
    )
    changed = procedure_doc(status="draft", legal_basis=["Luật Hộ tịch 2014 (sửa đổi)"])
    changed["version"]["components"][0]["name"] = "Tờ khai mới"

    summary = catalog_import(document=document(changed), now=now)

    assert (summary.updated, summary.versions_created) == (1, 1)
    published.refresh_from_db()
    assert (
        published.legal_basis,
        list(published.steps.values_list("order", "allotment_hours")),
        list(published.components.values_list("code", "name")),
    ) == before
    assert (published.status, published.valid_to) == ("published", None)
    draft = ProcedureVersion.objects.get(status="draft")
    assert (draft.number, draft.legal_basis) == (2, ["Luật Hộ tịch 2014 (sửa đổi)"])
    assert draft.components.get(code="TP01").name == "Tờ khai mới"


def test_an_import_publishing_a_change_closes_the_old_version(now):
    catalog_import(document=document(procedure_doc()), now=now)
    changed = procedure_doc(valid_from="2026-04-01", legal_basis=["Luật mới"])

    catalog_import(document=document(changed), now=now)

    old, new = ProcedureVersion.objects.order_by("number")
    assert (old.status, str(old.valid_to), old.legal_basis) == (
        "published",
        "2026-03-31",
        ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"],
    )
    assert (new.number, new.status, str(new.valid_from)) == (2, "published", "2026-04-01")


def test_supplement_restarts_clock_travels_through_the_format(now):
    doc = procedure_doc(supplement_restarts_clock=True)
    catalog_import(document=document(doc), now=now)
    assert ProcedureVersion.objects.get().supplement_restarts_clock is True
    exported = catalog_export()
    assert exported["procedures"][0]["version"]["supplement_restarts_clock"] is True
    assert catalog_import(document=copy.deepcopy(exported), now=now).unchanged == 1


def test_existing_duplicate_fields_are_merged(now):
    catalog_import(document=document(procedure_doc()), now=now)
    duplicate = Field.objects.create(code="SYN.LV01", name="Hộ  tịch")
    other = procedure_doc(code="1.001023", field="SYN.LV01")
    Procedure.objects.create(
        code=other["code"], name=other["name"], field=duplicate, level="commune"
    )

    assert field_merge_duplicates(actor=None, now=now, dry_run=True) == [("HO_TICH", ["SYN.LV01"])]
    assert Field.objects.filter(code="SYN.LV01").exists()
    call_command("merge_duplicate_fields")

    assert not Field.objects.filter(code="SYN.LV01").exists()
    assert set(Procedure.objects.values_list("field__code", flat=True)) == {"HO_TICH"}
    event = AuditEvent.objects.get(action="field.merge")
    assert (event.object_id, event.before["merged"], event.after) == (
        "HO_TICH",
        "SYN.LV01",
        {"procedures_moved": 1},
    )
