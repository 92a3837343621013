"""Where a certified copy may be asked for: the import and the admin refuse a component whose
accepted forms contradict the law (certified_copy_conflicts)."""

from __future__ import annotations

import pytest

from motcua.catalog.admin import ComponentForm
from motcua.catalog.models import Component, Procedure, certified_copy_conflicts
from motcua.catalog.problems import CatalogInvalid
from motcua.catalog.services import catalog_import
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db

ALLOWED = ["certified_copy", "electronic_copy", "copy", "original_to_compare"]


@pytest.mark.parametrize(
    ("forms", "database", "conflicts"),
    [
        (ALLOWED, "", []),
        (["copy", "original_to_compare"], "", []),
        (["certified_copy", "copy"], "", ["certified_copy_without_electronic"]),
        (["national_data", *ALLOWED], "population", ["certified_copy_national_data"]),
        (
            ["certified_copy", "declaration_form"],
            "",
            ["certified_copy_without_electronic", "certified_copy_declaration"],
        ),
    ],
)
def test_conflicts(forms, database, conflicts):
    assert certified_copy_conflicts(forms=forms, national_database=database) == conflicts


def test_the_import_refuses_a_certified_copy_of_national_data(now):
    doc = procedure_doc()
    part = doc["version"]["components"][2]  # the identity paper, from the population database
    part["accepted_forms"] = ["national_data", "certified_copy", "electronic_copy"]
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [
        ("version.components[2].accepted_forms", "certified_copy_national_data")
    ]
    assert Procedure.objects.count() == 0


def test_the_import_keeps_an_allowed_certified_copy(now):
    doc = procedure_doc()
    doc["version"]["components"][1]["accepted_forms"] = ALLOWED
    catalog_import(document=document(doc), now=now)
    allowed = {c.code: c.certified_copy_allowed for c in Component.objects.all()}
    assert list(allowed.values()).count(True) == 1
    assert allowed[doc["version"]["components"][1]["code"]] is True


def test_the_admin_form_refuses_a_contradiction():
    form = ComponentForm(
        data={
            "order": 1,
            "code": "TP1",
            "name": "Giấy tờ",
            "accepted_forms": ["certified_copy", "copy"],
            "copies": 1,
            "required": True,
            "national_database": "",
            "template_name": "",
            "note": "",
            "allowed_types": ["application/pdf"],
            "max_bytes": 1000,
        }
    )
    assert not form.is_valid()
    assert form.errors["accepted_forms"] == [
        "Thành phần nhận bản sao chứng thực thì cũng phải nhận bản sao điện tử chứng thực từ "
        "bản chính (electronic_copy)."
    ]


def test_the_demo_catalog_allows_certified_copies_only_where_its_sources_say_so(departments, now):
    from motcua.catalog.services import catalog_load_demo

    catalog_load_demo(now=now)
    allowed = sorted(
        (c.version.procedure.code, c.code)
        for c in Component.objects.select_related("version__procedure")
        if c.certified_copy_allowed
    )
    # the facts (shared/data/catalog) name a certified copy for these, none of them data of
    # a national database (those were taken out: Resolution 66.7/2025, Decree 280/2025)
    assert allowed == [
        ("1.004623", "TP03"),
        ("HN.DEMO.016", "TP03"),
        ("HN.DEMO.023", "TP04"),
        ("HN.DEMO.023", "TP06"),
        ("HN.DEMO.025", "TP03"),
        ("HN.DEMO.025", "TP04"),
        ("HN.DEMO.026", "TP02"),
        ("HN.DEMO.027", "TP02"),
        ("HN.DEMO.027", "TP03"),
        ("HN.DEMO.030", "TP05"),
    ]


def test_an_eform_never_asks_for_a_certified_copy():
    from motcua.catalog.eforms import eform_definition_check

    _clean, issues = eform_definition_check(
        {
            "fields": [
                {"name": "ho_ten", "label": "Họ tên", "type": "text"},
                {"name": "bang", "label": "Số văn bằng", "help": "Kèm bản sao công chứng"},
            ]
        }
    )
    assert issues == [("fields[1].help", "eform_certified_copy", {})]
