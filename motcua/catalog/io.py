"""Reading and writing catalog files: JSON, an XLSX workbook, or four CSV files (a directory
or a .zip). Every reader returns the same document shape as the JSON format, with each
spreadsheet row tagged with its sheet and line so problems point at the cell to fix.

See docs/catalog-format.md for the format.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .problems import Problem, problem
from .schema import COMPONENT_KEYS, FEE_KEYS, FORMAT, LOCATION_KEY, STEP_KEYS, VERSION_KEYS

FORMATS = ("json", "xlsx", "csv")
SHEETS = ("procedures", "components", "fees", "steps")
_VERSION_COLUMNS = tuple(k for k in VERSION_KEYS if k not in ("components", "fees", "steps"))
COLUMNS: dict[str, tuple[str, ...]] = {
    "procedures": (
        "code",
        "local_code",
        "name",
        "name_en",
        "field",
        "field_name",
        "field_name_en",
        "level",
        "competent_unit_kinds",
        "competent_unit",
        *_VERSION_COLUMNS,
    ),
    "components": ("procedure_code", *COMPONENT_KEYS),
    "fees": ("procedure_code", *FEE_KEYS),
    "steps": ("procedure_code", *STEP_KEYS),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "procedures": ("code", "name", "field", "level", "valid_from", "time_unit"),
    "components": ("procedure_code", "code", "name", "accepted_forms"),
    "fees": ("procedure_code", "name"),
    "steps": ("procedure_code", "name", "role", "allotment_hours"),
}
_LIST_COLUMNS = {"competent_unit_kinds": ",", "accepted_forms": ",", "legal_basis": "\n"}
DOCUMENT_KEYS = ("format", "fields", "procedures", "meta")


class ReadError(Exception):
    """The file could not be read into a document at all; `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p["message_en"] for p in problems))
        self.problems = problems


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ReadError([problem("unknown_format_option", value=fmt)])
        return fmt
    if path.is_dir() or path.suffix.lower() in (".zip", ".csv"):
        return "csv"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"
    return "json"


def read_document(path: Path, fmt: str | None = None) -> dict[str, Any]:
    """Read a catalog file into the JSON document shape; raises ReadError."""
    fmt = detect_format(path, fmt)
    try:
        if fmt == "json":
            return parse_json(path.read_bytes())
        if fmt == "xlsx":
            return _read_xlsx(path)
        return _read_csv(path)
    except OSError as exc:
        raise ReadError([problem("malformed_file", detail=str(exc))]) from exc


# --- JSON ------------------------------------------------------------------------------------


def parse_json(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReadError(
            [
                problem(
                    "malformed_file",
                    line=exc.lineno,
                    field=f"column {exc.colno}",
                    detail=f"{exc.msg} (line {exc.lineno}, column {exc.colno})",
                )
            ]
        ) from exc
    except UnicodeDecodeError as exc:
        raise ReadError([problem("malformed_file", detail=str(exc))]) from exc
    if not isinstance(data, dict):
        raise ReadError([problem("wrong_format", expected=FORMAT, found=type(data).__name__)])
    if data.get("format") != FORMAT:
        raise ReadError(
            [problem("wrong_format", field="format", expected=FORMAT, found=data.get("format"))]
        )
    problems = [problem("unknown_key", field=k, name=k) for k in data if k not in DOCUMENT_KEYS]
    for key in ("fields", "procedures"):
        if not isinstance(data.get(key, []), list):
            problems.append(problem("not_a_list", field=key))
    if problems:
        raise ReadError(problems)
    return data


def write_json(document: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- tabular (XLSX / CSV) --------------------------------------------------------------------

Rows = dict[str, Iterator[tuple[int, list[Any]]]]


def _document_from_tables(tables: Mapping[str, Iterable[list[Any]]]) -> dict[str, Any]:
    """Build the document from the four tables (each an iterable of rows, header first)."""
    problems: list[Problem] = []
    expected = ", ".join(SHEETS)
    for name in tables:
        if name not in SHEETS:
            problems.append(problem("unknown_sheet", sheet=name, name=name, expected=expected))
    for name in SHEETS:
        if name not in tables:
            problems.append(problem("missing_sheet", sheet=name, name=name, expected=expected))
    if problems:
        raise ReadError(problems)
    records: dict[str, list[dict[str, Any]]] = {}
    for name in SHEETS:
        records[name] = _records(name, tables[name], problems)
    if problems:
        raise ReadError(problems)

    fields: dict[str, dict[str, str]] = {}
    procedures: dict[str, dict[str, Any]] = {}
    for row in records["procedures"]:
        proc: dict[str, Any] = {LOCATION_KEY: row[LOCATION_KEY]}
        version: dict[str, Any] = {LOCATION_KEY: row[LOCATION_KEY]}
        for key, value in row.items():
            if key in ("field_name", "field_name_en", LOCATION_KEY):
                continue
            (version if key in _VERSION_COLUMNS else proc)[key] = value
        field_code = _text(row.get("field"))
        field_name = _text(row.get("field_name"))
        if field_code and field_name:
            entry = {
                "code": field_code,
                "name": field_name,
                "name_en": _text(row.get("field_name_en")),
            }
            known = fields.setdefault(field_code, entry)
            if known != entry:
                sheet, line = row[LOCATION_KEY]
                problems.append(
                    problem(
                        "field_name_conflict",
                        sheet=sheet,
                        line=line,
                        field="field_name",
                        value=field_code,
                    )
                )
        version.update(components=[], fees=[], steps=[])
        proc["version"] = version
        code = _text(row.get("code"))
        if code in procedures:
            sheet, line = row[LOCATION_KEY]
            problems.append(
                problem("duplicate_code", sheet=sheet, line=line, field="code", value=code)
            )
        procedures.setdefault(code, proc)
    for name in ("components", "fees", "steps"):
        for row in records[name]:
            code = _text(row.pop("procedure_code", None))
            if code not in procedures:
                sheet, line = row[LOCATION_KEY]
                problems.append(
                    problem(
                        "unknown_procedure",
                        sheet=sheet,
                        line=line,
                        field="procedure_code",
                        value=code,
                    )
                )
                continue
            procedures[code]["version"][name].append(row)
    if problems:
        raise ReadError(problems)
    return {
        "format": FORMAT,
        "fields": list(fields.values()),
        "procedures": list(procedures.values()),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _records(
    sheet: str, rows: Iterable[list[Any]], problems: list[Problem]
) -> list[dict[str, Any]]:
    iterator = iter(rows)
    header = [_text(h) for h in next(iterator, [])]
    while header and not header[-1]:
        header.pop()
    known = COLUMNS[sheet]
    bad = False
    for column in header:
        if column not in known:
            problems.append(
                problem("unknown_column", sheet=sheet, line=1, field=column, column=column)
            )
            bad = True
    for column in REQUIRED_COLUMNS[sheet]:
        if column not in header:
            problems.append(
                problem("missing_column", sheet=sheet, line=1, field=column, column=column)
            )
            bad = True
    if bad:
        return []
    out = []
    for line, row in enumerate(iterator, start=2):
        cells = list(row)[: len(header)]
        if all(c is None or _text(c) == "" for c in cells):
            continue
        record: dict[str, Any] = {LOCATION_KEY: (sheet, line)}
        for column, value in zip(header, cells, strict=False):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            record[column] = value
        out.append(record)
    return out


def tables_from_document(document: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """The four tables (header first) of a document in the JSON shape."""
    fields = {f["code"]: f for f in document.get("fields", [])}
    tables: dict[str, list[list[Any]]] = {name: [list(COLUMNS[name])] for name in SHEETS}
    for proc in document["procedures"]:
        version = proc["version"]
        field = fields.get(proc["field"], {})
        merged = {
            **proc,
            **version,
            "field_name": field.get("name", ""),
            "field_name_en": field.get("name_en", ""),
        }
        tables["procedures"].append([_cell(c, merged.get(c)) for c in COLUMNS["procedures"]])
        for name in ("components", "fees", "steps"):
            for item in version.get(name, []):
                row = {"procedure_code": proc["code"], **item}
                tables[name].append([_cell(c, row.get(c)) for c in COLUMNS[name]])
    return tables


def _cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column in _LIST_COLUMNS and isinstance(value, list):
        return _LIST_COLUMNS[column].join(value)
    if column == "eform":
        return json.dumps(value, ensure_ascii=False) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _read_xlsx(path: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ReadError([problem("malformed_file", detail=f"{type(exc).__name__}: {exc}")]) from exc
    try:
        tables = {
            ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
            for ws in workbook.worksheets
        }
    finally:
        workbook.close()
    return _document_from_tables(tables)


def write_xlsx(document: Mapping[str, Any], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, rows in tables_from_document(document).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def _read_csv(path: Path) -> dict[str, Any]:
    texts: dict[str, str] = {}
    if path.is_dir():
        for file in sorted(path.iterdir()):
            if file.suffix.lower() == ".csv":
                texts[file.stem] = file.read_text(encoding="utf-8-sig")
    elif path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    name = Path(info.filename)
                    if not info.is_dir() and name.suffix.lower() == ".csv":
                        texts[name.stem] = archive.read(info).decode("utf-8-sig")
        except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise ReadError([problem("malformed_file", detail=str(exc))]) from exc
    else:
        raise ReadError(
            [
                problem(
                    "missing_sheet",
                    sheet=path.name,
                    name=path.name,
                    expected=", ".join(f"{s}.csv" for s in SHEETS),
                )
            ]
        )
    return _document_from_tables(
        {name: list(csv.reader(io.StringIO(text))) for name, text in texts.items()}
    )


def write_csv(document: Mapping[str, Any], path: Path) -> None:
    """Four CSV files (UTF-8 with BOM, for Excel) in a directory, or in a .zip."""
    files = {}
    for name, rows in tables_from_document(document).items():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        files[f"{name}.csv"] = "\ufeff" + buffer.getvalue()
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for filename, text in files.items():
                archive.writestr(filename, text.encode("utf-8"))
        return
    path.mkdir(parents=True, exist_ok=True)
    for filename, text in files.items():
        (path / filename).write_text(text, encoding="utf-8")


def write_document(document: Mapping[str, Any], path: Path, fmt: str | None = None) -> str:
    fmt = detect_format(path, fmt)
    {"json": write_json, "xlsx": write_xlsx, "csv": write_csv}[fmt](document, path)
    return fmt
