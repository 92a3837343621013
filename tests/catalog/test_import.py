"""catalog_import / catalog_import_file / catalog_export: formats, all-or-nothing, reports."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from motcua.catalog.generator import generate_catalog
from motcua.catalog.io import write_document
from motcua.catalog.models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep
from motcua.catalog.problems import CatalogInvalid
from motcua.catalog.services import (
    DEMO_CATALOG,
    catalog_export,
    catalog_import,
    catalog_import_file,
    catalog_load_demo,
)
from motcua.catalog.timefit import legal_time_working_hours, time_fit
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


def _two() -> dict:
    second = procedure_doc(
        "HN.DEMO.001",
        local_code=True,
        name="Thủ tục chứng thực chữ ký",
        field="CHUNG_THUC",
        time_unit="immediate",
        counter_time=0,
        cutoff_time="15:00",
    )
    second["version"]["steps"] = [
        {
            "order": 1,
            "name": "Tiếp nhận",
            "role": "officer",
            "unit_scope": "receiving",
            "allotment_hours": 0,
        },
        {"order": 2, "name": "Chứng thực", "role": "leader", "allotment_hours": 2},
    ]
    return document(procedure_doc(), second)


def _assert_two_saved() -> None:
    assert Procedure.objects.count() == 2
    assert Field.objects.count() == 2
    assert ProcedureVersion.objects.count() == 2
    assert Component.objects.count() == 6
    assert Fee.objects.count() == 2
    assert ProcessStep.objects.count() == 7
    p = Procedure.objects.get(code="1.001022")
    assert p.field.code == "HO_TICH"
    assert p.is_local_code is False
    assert p.search_text.startswith("1.001022 thu tuc dang ky nhan cha, me, con")
    v = p.versions.get()
    assert (v.number, v.status, v.counter_time, v.time_unit) == (
        1,
        "published",
        Decimal("3.00"),
        "working_days",
    )
    assert v.legal_basis == ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"]
    assert v.eform["fields"][0]["prefill"] == "profile.full_name"
    identity = v.components.get(code="TP03")
    assert identity.accepted_forms == ["national_data", "original_to_compare"]
    assert identity.national_database == "population"
    assert v.fees.get().amount_vnd == 15000
    assert [s.allotment_hours for s in v.steps.all()] == [0, 4, 12, 8, 0]
    assert Procedure.objects.get(code="HN.DEMO.001").is_local_code is True
    immediate = Procedure.objects.get(code="HN.DEMO.001").versions.get()
    assert immediate.cutoff_time.strftime("%H:%M") == "15:00"
    assert immediate.steps.get(order=2).unit_scope == "competent"


def test_json_import_saves_everything(now):
    summary = catalog_import(document=_two(), now=now)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    assert summary.fields_created == 2
    _assert_two_saved()


@pytest.mark.parametrize("name", ["catalog.json", "catalog.xlsx", "catalog.zip", "csvdir"])
def test_every_file_format_imports_the_same(tmp_path: Path, now, name):
    path = tmp_path / name
    write_document(_two(), path, "csv" if name == "csvdir" else None)
    summary = catalog_import_file(path=path, now=now)
    assert summary.created == 2
    _assert_two_saved()


@pytest.mark.parametrize("name", ["out.json", "out.xlsx", "out.zip"])
def test_export_then_import_is_unchanged(tmp_path: Path, now, departments, name):
    catalog_import(document=generate_catalog(count=40, seed=5), now=now)
    catalog_import(document=_two(), now=now)
    write_document(catalog_export(), tmp_path / name)
    summary = catalog_import_file(path=tmp_path / name, now=now)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 42)
    assert ProcedureVersion.objects.count() == 42


def test_dry_run_saves_nothing(now):
    summary = catalog_import(document=_two(), now=now, dry_run=True)
    assert summary.created == 2
    assert Procedure.objects.count() == 0
    assert Field.objects.count() == 0


def test_one_bad_row_saves_nothing_and_keeps_what_existed(now):
    catalog_import(document=document(procedure_doc()), now=now)
    before = list(ProcedureVersion.objects.values())
    changed = procedure_doc(result_name="Kết quả mới")
    bad = procedure_doc("HN.DEMO.009", local_code=True, online_level="everything")
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(
            document=document(changed, procedure_doc("HN.DEMO.008", local_code=True), bad), now=now
        )
    assert [(p["sheet"], p["line"], p["field"], p["code"]) for p in caught.value.problems] == [
        ("procedures", 3, "version.online_level", "bad_choice")
    ]
    assert list(ProcedureVersion.objects.values()) == before
    assert Procedure.objects.count() == 1


def test_report_lists_every_problem_with_line_field_and_both_languages(tmp_path, now):
    bad = procedure_doc("HN.DEMO.002", local_code=True, competent_unit="01.NOWHERE")
    bad["version"]["components"][1]["accepted_forms"] = ["photocopy"]
    bad["version"]["steps"][2]["role"] = "auditor"
    bad["version"]["steps"][3]["allotment_hours"] = -1
    path = tmp_path / "bad.zip"
    write_document(document(procedure_doc(), bad), path)
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import_file(path=path, now=now)
    found = [(p["sheet"], p["line"], p["field"], p["code"]) for p in caught.value.problems]
    assert found == [
        ("procedures", 3, "competent_unit", "unknown_unit"),
        ("components", 6, "accepted_forms", "bad_choice"),
        ("steps", 9, "role", "role_not_for_steps"),
        ("steps", 10, "allotment_hours", "negative"),
    ]
    first = caught.value.problems[0]
    assert first["message"] == "Không có đơn vị mã 01.NOWHERE."
    assert first["message_en"] == "There is no unit with code 01.NOWHERE."
    assert caught.value.errors[0]["code"] == "unknown_unit"
    assert Procedure.objects.count() == 0


def test_steps_longer_than_the_legal_time_are_refused(now):
    doc = procedure_doc()
    doc["version"]["steps"][2]["allotment_hours"] = 12.5  # 24.5 h > 3 days x 8 h
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    total, step4, _step5 = caught.value.problems
    assert (total["field"], total["code"]) == ("version.steps", "steps_exceed_legal_time")
    assert total["message"] == (
        "Tổng thời gian các bước (24.5 giờ làm việc) vượt thời hạn giải quyết (24 giờ làm việc)."
    )
    assert step4["message"] == (
        "Bước 4 kết thúc ở giờ làm việc thứ 24.5, quá thời hạn giải quyết (24 giờ làm việc)."
    )


def test_each_step_ending_after_the_legal_time_gets_a_row(now):
    doc = procedure_doc()
    doc["version"]["steps"][2]["allotment_hours"] = 12.5
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [
        ("version.steps", "steps_exceed_legal_time"),
        ("version.steps[3].allotment_hours", "step_exceeds_legal_time"),
        ("version.steps[4].allotment_hours", "step_exceeds_legal_time"),
    ]
    assert Procedure.objects.count() == 0


def test_the_online_time_is_checked_too(now):
    doc = procedure_doc(online_time=2)  # 16 h online, the steps take 24
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    assert caught.value.problems[0]["code"] == "steps_exceed_legal_time"
    assert caught.value.problems[0]["message_en"].endswith("(16 working hours).")


@pytest.mark.parametrize(
    ("time_unit", "value", "hours"),
    [
        ("working_days", "3", 24),
        ("working_days", "0.5", 4),
        ("working_hours", "6", 6),
        # A reception at 17:00 on the least favourable weekday: 10 days from a Friday end
        # on the Monday after next (48 h: next week + that Monday), not 10 x 5/7 days.
        ("calendar_days", "10", 48),
        ("calendar_days", "15", 88),
        ("calendar_days", "20", 112),
        ("calendar_days", "3", 8),  # Friday evening -> Monday 17:00
        ("calendar_days", "1", 8),
        ("immediate", "0", 8),  # one whole working day, as end_of_working_day counts it
    ],
)
def test_legal_times_on_the_working_clock(time_unit, value, hours):
    assert legal_time_working_hours(time_unit=time_unit, value=Decimal(value)) == hours


def test_a_fit_takes_the_shorter_channel_and_reports_each_step():
    fit = time_fit(
        time_unit="working_days",
        counter_time=Decimal(3),
        online_time=Decimal(2),
        steps=[(2, "b", Decimal(12)), (1, "a", Decimal(4)), (3, "c", Decimal(4))],
    )
    assert (fit.limit.channel, fit.limit_hours, fit.total_hours, fit.fits) == (
        "online",
        16,
        20,
        False,
    )
    assert [(s.order, s.starts_at, s.ends_at, s.fits) for s in fit.steps] == [
        (1, 0, 4, True),
        (2, 4, 16, True),
        (3, 16, 20, False),
    ]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"level": "district"}, "level", "bad_choice"),
        ({"time_unit": "weeks"}, "version.time_unit", "bad_choice"),
        ({"counter_time": -2}, "version.counter_time", "negative"),
        ({"counter_time": 900}, "version.counter_time", "absurd_time"),
        ({"counter_time": "ba"}, "version.counter_time", "bad_number"),
        ({"valid_from": "01/07/2025"}, "version.valid_from", "bad_date"),
        ({"cutoff_time": "19:00"}, "version.cutoff_time", "cutoff_outside_office_hours"),
        (
            {"time_unit": "calendar_days", "counter_time": 7.5},
            "version.counter_time",
            "calendar_days_whole",
        ),
        ({"code": "HN.DEMO.1"}, "code", "national_code_format"),
        ({"field": "DAT_DAI"}, "field", "unknown_field"),
        ({"competent_unit_kinds": ["department"]}, "competent_unit_kinds", "commune_unit_kinds"),
        ({"sequence": ""}, "version.sequence", "incomplete_for_publish"),
        ({"components": []}, "version.components", "components_required"),
        ({"colour": "blue"}, "colour", "unknown_key"),
    ],
)
def test_bad_values_are_reported(now, change, field, code):
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(procedure_doc(**change)), now=now)
    assert (field, code) in [(p["field"], p["code"]) for p in caught.value.problems]
    assert Procedure.objects.count() == 0


def test_component_rules(now):
    doc = procedure_doc()
    components = doc["version"]["components"]
    components[1]["code"] = "TP01"
    components[2]["national_database"] = ""
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [
        ("version.components[1].code", "duplicate_component_code"),
        ("version.components[2].national_database", "national_database_required"),
    ]


def test_unknown_unit_in_a_step(now, departments):
    doc = procedure_doc()
    doc["version"]["steps"][2].update(unit_scope="named", unit="01.SXX")
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    [p] = caught.value.problems
    assert (p["field"], p["code"]) == ("version.steps[2].unit", "unknown_unit")
    doc["version"]["steps"][2]["unit"] = "01.STP"
    catalog_import(document=document(doc), now=now)
    assert ProcessStep.objects.get(order=3).unit == departments["01.STP"]


def test_malformed_json_is_a_clear_error(tmp_path, now):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "motcua.catalog/1",\n "procedures": [}', encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import_file(path=path, now=now)
    [p] = caught.value.problems
    assert (p["code"], p["line"]) == ("malformed_file", 2)


def test_wrong_format_marker(tmp_path, now):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"procedures": []}), encoding="utf-8")
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import_file(path=path, now=now)
    assert caught.value.problems[0]["code"] == "wrong_format"


def test_wrong_sheet_names_are_a_clear_error(tmp_path, now):
    write_document(_two(), tmp_path / "ok.zip")
    with (
        zipfile.ZipFile(tmp_path / "ok.zip") as src,
        zipfile.ZipFile(tmp_path / "bad.zip", "w") as dst,
    ):
        for name in src.namelist():
            dst.writestr("buoc.csv" if name == "steps.csv" else name, src.read(name))
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import_file(path=tmp_path / "bad.zip", now=now)
    assert [(p["sheet"], p["code"]) for p in caught.value.problems] == [
        ("buoc", "unknown_sheet"),
        ("steps", "missing_sheet"),
    ]


def test_unknown_and_missing_columns(tmp_path, now):
    write_document(_two(), tmp_path / "csv", "csv")
    fees = tmp_path / "csv" / "fees.csv"
    fees.write_text(
        fees.read_text(encoding="utf-8-sig").replace(",amount_vnd,", ",amount,"), encoding="utf-8"
    )
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import_file(path=tmp_path / "csv", now=now)
    assert [(p["sheet"], p["line"], p["field"], p["code"]) for p in caught.value.problems] == [
        ("fees", 1, "amount", "unknown_column")
    ]


def test_reimport_creates_a_version_only_when_content_changed(now):
    catalog_import(document=document(procedure_doc()), now=now)
    again = catalog_import(document=document(procedure_doc()), now=now)
    assert (again.unchanged, again.versions_created) == (1, 0)

    changed = procedure_doc(valid_from="2026-01-01", counter_time=2)
    changed["version"]["steps"][2]["allotment_hours"] = 4
    summary = catalog_import(document=document(changed), now=now)
    assert (summary.updated, summary.versions_created) == (1, 1)
    old, new = ProcedureVersion.objects.order_by("number")
    assert (old.number, old.valid_to.isoformat()) == (1, "2025-12-31")
    assert (new.number, new.status, new.counter_time) == (2, "published", 2)
    assert old.steps.get(order=3).allotment_hours == 12  # the old version is untouched


def test_reimport_updates_a_draft_in_place(now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    changed = procedure_doc(status="draft", result_name="Trích lục (sửa)")
    changed["version"]["components"].pop()
    summary = catalog_import(document=document(changed), now=now)
    assert (summary.updated, summary.versions_created) == (1, 0)
    version = ProcedureVersion.objects.get()
    assert (version.number, version.result_name) == (1, "Trích lục (sửa)")
    assert version.components.count() == 2


def test_new_published_version_must_start_after_the_current_one(now):
    catalog_import(document=document(procedure_doc()), now=now)
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(procedure_doc(result_name="khác")), now=now)
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [
        ("version.valid_from", "valid_from_not_after_current")
    ]


def test_renaming_a_procedure_counts_as_updated(now):
    catalog_import(document=document(procedure_doc()), now=now)
    summary = catalog_import(
        document=document(procedure_doc(name="Đăng ký nhận cha mẹ con")), now=now
    )
    assert (summary.updated, summary.versions_created) == (1, 0)
    assert Procedure.objects.get().search_text.startswith("1.001022 dang ky nhan cha me con")


def test_demo_catalog_imports_cleanly(departments, now):
    summary = catalog_load_demo(now=now)
    assert summary.created >= 30
    assert summary.created == Procedure.objects.count()
    levels = set(Procedure.objects.values_list("level", flat=True))
    assert levels == {"commune", "province"}
    for version in ProcedureVersion.objects.prefetch_related("steps"):
        fit = time_fit(
            time_unit=version.time_unit,
            counter_time=version.counter_time,
            online_time=version.online_time,
            steps=[(s.order, s.name, s.allotment_hours) for s in version.steps.all()],
        )
        assert version.steps.all()
        assert fit.fits, version
        assert version.status == "published"
    assert catalog_load_demo(now=now).unchanged == summary.created


def test_the_demo_has_a_procedure_settled_in_the_session(departments, now):
    # "No appointment day" (domain.md section 9): certifying a copy from the original is
    # given back within the session it was asked in.
    catalog_load_demo(now=now)
    settled = ProcedureVersion.objects.filter(settled_in_session=True)
    assert list(settled.values_list("procedure__code", flat=True)) == ["HN.DEMO.012"]
    again = catalog_load_demo(now=now)
    assert (again.created, again.updated, again.versions_created) == (0, 0, 0)


def test_demo_catalog_codes_and_components():
    data = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    for proc in data["procedures"]:
        assert proc["local_code"] == proc["code"].startswith("HN.DEMO.")
        if proc["level"] == "commune":
            assert proc["competent_unit"] is None
        for component in proc["version"]["components"]:
            if component["accepted_forms"] == ["certified_copy"]:
                pytest.fail(f"{proc['code']} demands a certified copy only")
            if "tùy thân" in component["name"].lower():
                assert component["national_database"] == "population", proc["code"]


def test_generator_output_imports(departments, now, tmp_path):
    doc = generate_catalog(count=120, seed=7)
    assert doc["procedures"][122 - 120]["code"] == "SYN.000003"
    summary = catalog_import(document=doc, now=now)
    assert summary.created == 120
    assert generate_catalog(count=3, seed=7) == generate_catalog(count=3, seed=7)


def test_a_components_file_types_and_size_are_imported_and_exported(now):
    doc = procedure_doc()
    doc["version"]["components"][0].update(allowed_types=["application/pdf"], max_bytes=2_000_000)
    catalog_import(document=document(doc), now=now)

    first, second = Component.objects.order_by("order")[:2]
    assert (first.allowed_types, first.max_bytes) == (["application/pdf"], 2_000_000)
    assert (second.allowed_types, second.max_bytes) == (
        ["application/pdf", "image/jpeg", "image/png"],
        10 * 1024 * 1024,
    )
    exported = catalog_export()["procedures"][0]["version"]["components"]
    assert (exported[0]["allowed_types"], exported[0]["max_bytes"]) == (
        ["application/pdf"],
        2_000_000,
    )
    assert catalog_import(document=catalog_export(), now=now).unchanged == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"allowed_types": ["text/html"]}, "allowed_types"),
        ({"max_bytes": 0}, "max_bytes"),
        ({"max_bytes": 10**9}, "max_bytes"),
    ],
)
def test_bad_component_file_limits_are_reported(now, change, field):
    doc = procedure_doc()
    doc["version"]["components"][0].update(change)
    with pytest.raises(CatalogInvalid) as caught:
        catalog_import(document=document(doc), now=now)
    assert field in [p["field"].rsplit(".", 1)[-1] for p in caught.value.problems]
    assert Procedure.objects.count() == 0
