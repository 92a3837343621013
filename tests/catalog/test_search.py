"""procedure_search: as people type it (accents, case, a typo), ranked by relevance then use,
filtered by field, life event and unit; the SQLite index follows the services' writes."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.catalog.models import Field, LifeEvent, Procedure
from motcua.catalog.problems import CatalogInvalid
from motcua.catalog.search import FTS_TABLE
from motcua.catalog.selectors import life_event_list, procedure_search
from motcua.catalog.services import (
    catalog_export,
    catalog_import,
    catalog_load_demo,
    life_events_ensure,
    procedure_delete,
    procedure_save,
    procedure_use_counts_set,
)
from tests.catalog.factories import document, procedure_doc
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

BIRTH = "HN.DEMO.001"  # Thủ tục đăng ký khai sinh
BIRTH_EVENT = {"HN.DEMO.001", "HN.DEMO.005", "HN.DEMO.006", "HN.DEMO.008", "1.004772", "1.001022"}


@pytest.fixture
def demo(departments, now) -> None:
    catalog_load_demo(now=now)


def codes(**kw) -> list[str]:
    kw.setdefault("limit", 100)
    return [p.code for p in procedure_search(**kw).items]


@pytest.mark.parametrize(
    "q",
    [
        "khai sinh",
        "dang ky khai sinh",
        "khai sjnh",  # a typo
        "đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "Dang Ky Khai Sinh",
        "dang ky khai si",  # still typing
        "dang ky khai sjnh",
    ],
)
def test_the_example_queries_find_birth_registration_first(demo, q):
    page = procedure_search(q=q, limit=5)

    assert page.items[0].code == BIRTH
    assert page.items[0].name == "Thủ tục đăng ký khai sinh"
    assert page.total >= 1


def test_every_birth_procedure_is_found_and_the_others_are_not(demo):
    found = set(codes(q="khai sinh"))

    assert {"HN.DEMO.001", "HN.DEMO.005", "HN.DEMO.006", "HN.DEMO.008", "1.004772"} <= found
    assert "HN.DEMO.002" not in found  # kết hôn
    assert "HN.DEMO.019" not in found  # thành lập công ty


def test_nonsense_finds_nothing(demo):
    for q in ("xyzzy qwfp", "zzzzzz", "qqq www eee"):
        page = procedure_search(q=q, limit=20)
        assert (page.items, page.total) == ([], 0), q


def test_a_near_miss_comes_with_suggestions(demo):
    page = procedure_search(q="lai xe qqqqqqqq wwwwwwww", limit=20)

    assert page.total == 0
    assert any("lái xe" in name for name in page.suggestions)


def test_a_code_finds_its_procedure_first(demo):
    assert codes(q="1.001022")[0] == "1.001022"
    assert codes(q="hn.demo.019")[0] == "HN.DEMO.019"


def test_use_breaks_ties_between_equally_relevant_procedures(departments, now):
    catalog_import(
        document=document(
            procedure_doc("1.000101", name="Cấp giấy phép khai thác A"),
            procedure_doc("1.000102", name="Cấp giấy phép khai thác B"),
        ),
        now=now,
    )
    a, b = (Procedure.objects.get(code=c).pk for c in ("1.000101", "1.000102"))

    assert codes(q="giay phep khai thac") == ["1.000101", "1.000102"]  # equal: by code

    procedure_use_counts_set(counts={b: 40}, now=now)
    assert codes(q="giay phep khai thac") == ["1.000102", "1.000101"]

    procedure_use_counts_set(counts={a: 41, b: 40}, now=now)
    assert codes(q="giay phep khai thac") == ["1.000101", "1.000102"]
    assert Procedure.objects.get(pk=b).use_count == 40


def test_use_lifts_a_procedure_among_close_matches_but_not_over_a_better_name(demo, now):
    mobile = Procedure.objects.get(code="HN.DEMO.006")  # đăng ký khai sinh lưu động
    procedure_use_counts_set(counts={mobile.pk: 30}, now=now)

    ranked = codes(q="khai sinh")
    assert ranked[0] == BIRTH  # the closer name still first
    assert ranked.index("HN.DEMO.006") < ranked.index("HN.DEMO.005")


def test_filters_by_field_life_event_level_and_unit(demo):
    assert set(codes(q=None, life_event="birth")) == BIRTH_EVENT
    assert codes(q="khai sinh", life_event="death") == []
    assert set(codes(q=None, life_event="death")) == {"HN.DEMO.003", "HN.DEMO.004"}
    assert set(codes(q="dang ky", field="DOANH_NGHIEP")) == {"HN.DEMO.019", "HN.DEMO.020"}
    assert codes(q=None, field="LU_HANH") == ["1.004623", "HN.DEMO.030"]  # no query: by code
    assert len(codes(q=None, level="province")) == 20
    # The finance department settles its own procedures (named as competent unit).
    assert set(codes(q=None, unit="01.STC")) == {
        "HN.DEMO.019",
        "HN.DEMO.020",
        "HN.DEMO.028",
        "HN.DEMO.034",
    }
    # A ward settles the commune-level ones (by its kind).
    ward = UnitFactory(code="00070", name="Phường Hoàn Kiếm")
    assert len(codes(q=None, unit=ward.code)) == 19
    assert codes(q="khai sinh", unit="01.STC") == []
    assert codes(q=None, unit="no-such-unit") == []
    assert len(codes(q=None, unit_kind="special_zone")) == 19


def test_paging_and_total(demo):
    first = procedure_search(q="dang ky", limit=3, offset=0)
    second = procedure_search(q="dang ky", limit=3, offset=3)
    everything = codes(q="dang ky")

    assert first.total == second.total == len(everything) > 6
    assert [p.code for p in first.items + second.items] == everything[:6]
    assert first.items[0].field.code  # select_related, as procedure_list
    assert hasattr(first.items[0], "published_versions")


def test_life_events_are_listed_with_their_procedure_counts(demo):
    listed = {e.code: e.procedure_count for e in life_event_list()}

    assert listed == {"birth": 6, "marriage": 2, "house": 4, "business": 3, "death": 2}
    assert next(e.code for e in life_event_list()) == "birth"


def test_life_events_are_imported_and_exported_with_the_catalog(departments, now):
    life_events_ensure()
    catalog_import(document=document(procedure_doc(life_events=["birth", "marriage"])), now=now)
    procedure = Procedure.objects.get(code="1.001022")

    assert sorted(procedure.life_events.values_list("code", flat=True)) == ["birth", "marriage"]
    assert catalog_export()["procedures"][0]["life_events"] == ["birth", "marriage"]

    summary = catalog_import(document=document(procedure_doc(life_events=["death"])), now=now)
    assert summary.updated == 1
    assert list(procedure.life_events.values_list("code", flat=True)) == ["death"]

    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(procedure_doc(life_events=["wedding"])), now=now)
    assert [p["code"] for p in caught.value.errors] == ["unknown_life_event"]


def _indexed(pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT search_text FROM {FTS_TABLE} WHERE rowid = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def test_the_index_follows_create_update_retire_and_delete_through_the_services(db, now):
    field = Field.objects.create(code="HT", name="Hộ tịch")
    procedure = procedure_save(
        procedure=Procedure(
            code="HN.T.001", name="Đăng ký nuôi con nuôi", field=field, level="commune"
        ),
        actor=None,
        now=now,
    )
    assert codes(q="nuoi con nuoi") == ["HN.T.001"]

    procedure.name = "Đăng ký giám hộ"
    procedure_save(procedure=procedure, actor=None, now=now)
    assert codes(q="nuoi con nuoi") == []
    assert codes(q="giam ho") == ["HN.T.001"]

    procedure.is_active = False  # retired
    procedure_save(procedure=procedure, actor=None, now=now)
    assert codes(q="giam ho") == []

    procedure.is_active = True
    procedure_save(procedure=procedure, actor=None, now=now)
    assert codes(q="giam ho") == ["HN.T.001"]
    pk = procedure.pk
    if connection.vendor == "sqlite":
        assert _indexed(pk) == "hn.t.001 dang ky giam ho"

    procedure_delete(procedure=procedure, actor=None, now=now)
    assert codes(q="giam ho") == []
    if connection.vendor == "sqlite":
        assert _indexed(pk) is None


def test_the_index_follows_a_catalog_import(departments, now):
    catalog_import(document=document(procedure_doc(name="Thủ tục đăng ký giám hộ")), now=now)
    assert codes(q="giam ho") == ["1.001022"]

    catalog_import(document=document(procedure_doc(name="Thủ tục chấm dứt giám hộ")), now=now)
    assert codes(q="cham dut giam ho") == ["1.001022"]
    assert codes(q="dang ky giam ho") == []
    if connection.vendor == "sqlite":
        pk = Procedure.objects.get(code="1.001022").pk
        assert _indexed(pk) == "1.001022 thu tuc cham dut giam ho " + (
            "registration of recognition of father mother or child"
        ).replace("father mother", "father, mother")


def test_life_events_ensure_is_idempotent(db):
    assert life_events_ensure() == 5
    assert life_events_ensure() == 0
    assert LifeEvent.objects.count() == 5
