"""import_procedures / export_procedures / generate_catalog commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.io import write_document
from motcua.catalog.models import Procedure
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


def test_generate_import_export_round_trip(tmp_path, departments):
    out = StringIO()
    call_command(
        "generate_catalog",
        "--count",
        "25",
        "--out",
        str(tmp_path / "g.json"),
        "--seed",
        "3",
        stdout=out,
    )
    call_command("import_procedures", str(tmp_path / "g.json"), stdout=out)
    assert "tạo mới / created 25" in out.getvalue()
    call_command("export_procedures", str(tmp_path / "e.xlsx"), stdout=out)
    out = StringIO()
    call_command("import_procedures", str(tmp_path / "e.xlsx"), stdout=out)
    assert "không đổi / unchanged 25" in out.getvalue()


def test_dry_run_reports_without_saving(tmp_path):
    write_document(document(procedure_doc()), tmp_path / "c.json")
    out = StringIO()
    call_command("import_procedures", str(tmp_path / "c.json"), "--dry-run", stdout=out)
    assert "[thử / dry run] 1 thủ tục" in out.getvalue()
    assert Procedure.objects.count() == 0


def test_errors_exit_non_zero_with_the_report(tmp_path):
    bad = procedure_doc(counter_time="x")
    (tmp_path / "c.json").write_text(json.dumps(document(bad)), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_procedures", str(tmp_path / "c.json"), stderr=err)
    assert 'procedures:1 version.counter_time — "x" không phải là số.' in err.getvalue()
    assert "is not a number" in err.getvalue()
