"""procedure_list / procedure_get / version_current."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.selectors import procedure_get, procedure_list, version_current
from motcua.catalog.services import catalog_import, catalog_load_demo
from motcua.core.errors import NotFound
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(departments, now) -> None:
    catalog_load_demo(now=now)


@pytest.mark.parametrize(
    "q", ["đăng ký khai sinh", "dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky"]
)
def test_search_ignores_diacritics_and_case(demo, q):
    names = [p.name for p in procedure_list(q=q)]
    assert "Thủ tục đăng ký khai sinh" in names
    assert len(names) >= 5


def test_search_by_words_and_code(demo):
    assert [p.code for p in procedure_list(q="dang ky ket hon")] == ["HN.DEMO.002"]
    assert [p.code for p in procedure_list(q="1.001022")] == ["1.001022"]
    assert [p.code for p in procedure_list(q="birth registration combined")] != []


def test_filters(demo):
    civil = procedure_list(field="HO_TICH", level="commune")
    assert civil.count() >= 10
    assert all(p.field.code == "HO_TICH" for p in civil)
    full = procedure_list(online_level="full")
    assert full.count() > 0
    assert all(p.published_versions[0].online_level == "full" for p in full)
    assert procedure_list(level="province").count() == 20


def test_list_has_no_n_plus_one(demo):
    with CaptureQueriesContext(connection) as ctx:
        rows = [
            (p.code, p.field.name, p.competent_unit, p.published_versions[0].number)
            for p in procedure_list()
        ]
    assert len(rows) >= 30
    assert len(ctx.captured_queries) == 2


def test_get_and_current_version(now):
    catalog_import(document=document(procedure_doc()), now=now)
    changed = procedure_doc(valid_from="2026-01-01", result_name="Mới")
    catalog_import(document=document(changed), now=now)
    procedure = procedure_get(code="1.001022")
    assert [v.number for v in procedure.versions.all()] == [2, 1]
    assert version_current(procedure=procedure, on=dt.date(2025, 12, 31)).number == 1
    current = version_current(procedure=procedure, on=dt.date(2026, 1, 1))
    assert (current.number, current.result_name) == (2, "Mới")
    assert version_current(procedure=procedure, on=dt.date(2025, 6, 30)) is None
    with pytest.raises(NotFound):
        procedure_get(code="9.999999")
