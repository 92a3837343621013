"""Hostile catalog files: `import_procedures` reports what is wrong, never crashes, and
saves nothing. Each bad file is built here."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog.io import write_document
from motcua.catalog.models import Procedure
from tests.catalog.factories import document, procedure_doc

pytestmark = pytest.mark.django_db


def _import(path: Path) -> list[str]:
    """Run the command on a bad file: it exits with an error, saves nothing, and the report
    lines (without the header) come back."""
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"lỗi / errors"):
        call_command("import_procedures", str(path), stderr=err, stdout=io.StringIO())
    assert Procedure.objects.count() == 0
    return [line.strip() for line in err.getvalue().splitlines()[1:]]


def _codes(lines: list[str]) -> list[str]:
    return [line.rsplit("[", 1)[1].rstrip("]") for line in lines]


def _json_file(tmp_path: Path, old: str, new: str) -> Path:
    text = json.dumps(document(procedure_doc()), ensure_ascii=False)
    assert old in text
    path = tmp_path / "c.json"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _csv_dir(tmp_path: Path, column: str, value: str) -> Path:
    folder = tmp_path / "csv"
    write_document(document(procedure_doc()), folder, "csv")
    procedures = folder / "procedures.csv"
    rows = list(csv.reader(io.StringIO(procedures.read_text(encoding="utf-8-sig"))))
    rows[1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    procedures.write_text(buffer.getvalue(), encoding="utf-8")
    return folder


def _first_non_ascii_line(raw: bytes) -> int:
    """Where a reader of UTF-8 stumbles (the code page's bytes above 0x7f)."""
    return next(n for n, line in enumerate(raw.splitlines(), 1) if not line.isascii())


# -- huge numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1e999", 'version.counter_time — "inf" không phải là số.'),
        ("-1e999", 'version.counter_time — "-inf" không phải là số.'),
        ("NaN", 'version.counter_time — "nan" không phải là số.'),
        (
            str(10**30),
            f"version.counter_time — Giá trị {10**30} ngoài khoảng cho phép (0–9999.99).",
        ),
        ("9" * 5000, "version.counter_time — Giá trị " + "9" * 59 + "… ngoài khoảng cho phép"),
    ],
)
def test_huge_numbers_in_a_json_time(tmp_path, raw, expected):
    lines = _import(_json_file(tmp_path, '"counter_time": 3', f'"counter_time": {raw}'))
    assert any(line.startswith(f"procedures:1 {expected}") for line in lines), lines


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1e999", "bad_integer"), (str(10**30), "out_of_range"), ("9" * 5000, "out_of_range")],
)
def test_huge_numbers_in_a_json_fee(tmp_path, raw, code):
    lines = _import(_json_file(tmp_path, '"amount_vnd": 15000', f'"amount_vnd": {raw}'))
    assert _codes(lines) == [code]
    assert lines[0].startswith("procedures:1 version.fees[0].amount_vnd — ")


@pytest.mark.parametrize("raw", ["1e999", "1e999999999", str(10**30), "9" * 5000])
@pytest.mark.parametrize("column", ["counter_time", "supplement_wait_days"])
def test_huge_numbers_in_a_csv_cell(tmp_path, raw, column):
    lines = _import(_csv_dir(tmp_path, column, raw))
    assert f"procedures:2 {column} — Giá trị {raw[:59]}" in lines[0]
    assert "out_of_range" in _codes(lines)


# -- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_a_json_file_not_in_utf8(tmp_path, encoding):
    doc = document(procedure_doc(name="Thủ tục đăng ký" if encoding == "cp1258" else "Procédure"))
    raw = json.dumps(doc, ensure_ascii=False, indent=1).encode(encoding, "replace")
    path = tmp_path / "c.json"
    path.write_bytes(raw)

    lines = _import(path)

    assert _codes(lines) == ["not_utf8"]
    assert lines[0].startswith(f"-:{_first_non_ascii_line(raw)} — Tệp không phải UTF-8 (byte 0x")
    assert "save it again as UTF-8" in lines[0]


@pytest.mark.parametrize("packed", [False, True])
def test_csv_files_in_a_windows_code_page(tmp_path, packed):
    folder = tmp_path / "csv"
    write_document(document(procedure_doc()), folder, "csv")
    for file in folder.iterdir():
        file.write_bytes(file.read_text(encoding="utf-8-sig").encode("cp1258", "replace"))
    path = folder
    if packed:
        path = tmp_path / "c.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for file in sorted(folder.iterdir()):
                archive.write(file, file.name)

    lines = _import(path)

    assert _codes(lines) == ["not_utf8"]
    line = _first_non_ascii_line((folder / "components.csv").read_bytes())
    assert lines[0].startswith(f"components:{line} — Tệp không phải UTF-8")


# -- oversized cells ------------------------------------------------------------------------


def test_an_oversized_csv_cell(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_CELL_CHARS = 1000
    lines = _import(_csv_dir(tmp_path, "requirements", "x" * 1001))
    assert lines == [
        "procedures:2 requirements — Ô có 1001 ký tự (tối đa 1000). / The cell holds 1001 "
        "characters (at most 1000). [cell_too_large]"
    ]


def test_a_cell_beyond_the_csv_readers_own_limit(tmp_path):
    lines = _import(_csv_dir(tmp_path, "requirements", "x" * 200_000))
    assert _codes(lines) == ["cell_too_large"]
    assert lines[0].startswith("procedures:2 — Ô có > 131072 ký tự (tối đa 32767).")


def test_an_oversized_json_string(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_CELL_CHARS = 1000
    lines = _import(_json_file(tmp_path, '"requirements": ""', f'"requirements": "{"x" * 1001}"'))
    assert lines == [
        "- procedures[0].version.requirements — Ô có 1001 ký tự (tối đa 1000). / The cell holds "
        "1001 characters (at most 1000). [cell_too_large]"
    ]


def test_a_json_file_nested_too_deeply(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"procedures": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert _codes(_import(path)) == ["malformed_file"]


# -- sizes and zip bombs --------------------------------------------------------------------


def test_a_file_over_the_size_limit(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_BYTES = 1024
    write_document(document(procedure_doc()), tmp_path / "c.json")
    lines = _import(tmp_path / "c.json")
    assert _codes(lines) == ["file_too_large"]
    assert "(tối đa 0.0 MiB)" in lines[0]


def _zip_bomb(path: Path, *, extra: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["c.zip", "c.xlsx"])
def test_a_zip_bomb_is_not_unpacked(tmp_path, name):
    path = tmp_path / name
    write_document(document(procedure_doc()), path)
    _zip_bomb(path, extra={"bomb.csv": b"0" * (8 << 20)})  # 8 MiB of zeros, ~8 KiB packed

    lines = _import(path)

    assert _codes(lines) == ["compression_ratio"]
    assert lines[0].startswith(f"{name} — Mục bomb.csv trong tệp nén bị nén ")
    assert "(tối đa 200): từ chối giải nén." in lines[0]


def test_an_archive_unpacking_beyond_the_size_limit(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_BYTES = 4 << 20
    path = _zip_bomb(
        tmp_path / "c.zip", extra={f"{n}.bin": bytes(range(256)) * 8192 for n in range(3)}
    )
    lines = _import(path)
    assert lines == [
        "c.zip — Tệp quá lớn: 6.0 MiB (tối đa 4.0 MiB). / The file is too large: 6.0 MiB "
        "(at most 4.0 MiB). [file_too_large]"
    ]


def test_an_archive_with_too_many_entries(tmp_path, settings):
    settings.MOTCUA_IMPORT_MAX_MEMBERS = 5
    path = tmp_path / "c.zip"
    write_document(document(procedure_doc()), path)  # 4 CSV files
    _zip_bomb(path, extra={"a.txt": b"a", "b.txt": b"b"})
    lines = _import(path)
    assert lines == [
        "c.zip — Tệp nén có 6 mục (tối đa 5). / The archive holds 6 entries (at most 5). "
        "[too_many_members]"
    ]


def test_a_good_file_still_imports_within_the_limits(tmp_path):
    for name in ("c.json", "c.zip", "c.xlsx"):
        write_document(document(procedure_doc()), tmp_path / name)
        call_command("import_procedures", str(tmp_path / name), "--dry-run", stdout=io.StringIO())
