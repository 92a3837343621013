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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

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
        "life_events",
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
_LIST_COLUMNS = {
    "competent_unit_kinds": ",",
    "life_events": ",",
    "accepted_forms": ",",
    "allowed_types": ",",
    "legal_basis": "\n",
}
DOCUMENT_KEYS = ("format", "fields", "procedures", "meta")


class ReadError(Exception):
    """The file could not be read into a document at all; `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p["message_en"] for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Limits:
    """What a catalog file may weigh (settings `MOTCUA_IMPORT_*`, docs/catalog-format.md).

    `max_bytes` bounds the file, or everything an archive or directory unpacks to; an archive
    (a .zip of CSV files, and an XLSX workbook, which is one) may hold `max_members` entries,
    none packed more than `max_ratio` times (above 1 MiB unpacked: zip bombs); one cell, or one
    JSON string, holds at most `max_cell_chars` characters (Excel's own limit by default)."""

    max_bytes: int
    max_members: int
    max_ratio: int
    max_cell_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.MOTCUA_IMPORT_MAX_BYTES,
            max_members=settings.MOTCUA_IMPORT_MAX_MEMBERS,
            max_ratio=settings.MOTCUA_IMPORT_MAX_RATIO,
            max_cell_chars=settings.MOTCUA_IMPORT_MAX_CELL_CHARS,
        )


_RATIO_FROM_BYTES = 1 << 20  # small members compress as they like
#: Columns read from a worksheet row: the widest sheet has fewer; more are not the format.
XLSX_MAX_COLUMNS = 100


def _check_size(size: int, *, name: str, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise ReadError(
            [problem("file_too_large", sheet=name, size=_mib(size), max=_mib(limits.max_bytes))]
        )


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def _check_archive(archive: zipfile.ZipFile, *, name: str, limits: Limits) -> None:
    """Refuse a zip bomb before unpacking anything (the sizes are the declared ones; zipfile
    stops at them and checks the CRC while reading)."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ReadError(
            [problem("too_many_members", sheet=name, count=len(members), max=limits.max_members)]
        )
    _check_size(sum(m.file_size for m in members), name=name, limits=limits)
    for member in members:
        if member.file_size > _RATIO_FROM_BYTES and (
            member.file_size > limits.max_ratio * max(member.compress_size, 1)
        ):
            raise ReadError(
                [
                    problem(
                        "compression_ratio",
                        sheet=name,
                        name=member.filename,
                        ratio=member.file_size // max(member.compress_size, 1),
                        max=limits.max_ratio,
                    )
                ]
            )


def _decode(raw: bytes, *, sheet: str) -> str:
    """UTF-8 text (a byte-order mark is allowed); another encoding is reported with the line
    of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ReadError(
            [problem("not_utf8", sheet=sheet, line=line, byte=f"0x{raw[exc.start]:02x}")]
        ) from exc


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


def read_document(
    path: Path, fmt: str | None = None, *, limits: Limits | None = None
) -> dict[str, Any]:
    """Read a catalog file into the JSON document shape; raises ReadError, never anything
    else for a bad file (wrong encoding, huge numbers, oversized cells, zip bombs)."""
    fmt = detect_format(path, fmt)
    limits = limits or Limits.from_settings()
    try:
        if fmt == "json":
            _check_size(path.stat().st_size, name=path.name, limits=limits)
            return parse_json(path.read_bytes(), limits=limits)
        if fmt == "xlsx":
            return _read_xlsx(path, limits)
        return _read_csv(path, limits)
    except OSError as exc:
        raise ReadError([problem("malformed_file", detail=str(exc))]) from exc


# --- JSON ------------------------------------------------------------------------------------


def _json_int(text: str) -> int | Decimal:
    """Integers beyond any plausible value stay Decimal: Python refuses to convert very long
    digit strings to int, and the checks report them as out of range."""
    return int(text) if len(text) <= 30 else Decimal(text)


def parse_json(raw: bytes | str, *, limits: Limits | None = None) -> dict[str, Any]:
    limits = limits or Limits.from_settings()
    text = _decode(raw, sheet="") if isinstance(raw, bytes) else raw
    try:
        data = json.loads(text, parse_int=_json_int)
    except RecursionError as exc:
        raise ReadError([problem("malformed_file", detail="nested too deeply")]) from exc
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
    problems += _long_strings(data, limits.max_cell_chars)
    if problems:
        raise ReadError(problems)
    return data


def _long_strings(data: Any, max_chars: int) -> list[Problem]:
    """A problem for each string (or key) longer than `max_chars`, named by its path."""
    found: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(found) < 100:
        where, value = stack.pop()
        if isinstance(value, str):
            if len(value) > max_chars:
                found.append(problem("cell_too_large", field=where, size=len(value), max=max_chars))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and len(key) > max_chars:
                    found.append(
                        problem("cell_too_large", field=where, size=len(key), max=max_chars)
                    )
                    continue
                stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return sorted(found, key=lambda p: p["field"])


def write_json(document: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# --- tabular (XLSX / CSV) --------------------------------------------------------------------

Rows = dict[str, Iterator[tuple[int, list[Any]]]]


def _document_from_tables(
    tables: Mapping[str, Iterable[list[Any]]], limits: Limits | None = None
) -> dict[str, Any]:
    """Build the document from the four tables (each an iterable of rows, header first)."""
    limits = limits or Limits.from_settings()
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
        records[name] = _records(name, tables[name], problems, limits.max_cell_chars)
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
    sheet: str, rows: Iterable[list[Any]], problems: list[Problem], max_chars: int
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
            if isinstance(value, str) and len(value) > max_chars:
                problems.append(
                    problem(
                        "cell_too_large",
                        sheet=sheet,
                        line=line,
                        field=column,
                        size=len(value),
                        max=max_chars,
                    )
                )
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


def _read_xlsx(path: Path, limits: Limits) -> dict[str, Any]:
    from openpyxl import load_workbook

    _check_size(path.stat().st_size, name=path.name, limits=limits)
    try:
        with zipfile.ZipFile(path) as archive:  # a workbook is a zip: no bombs either
            _check_archive(archive, name=path.name, limits=limits)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except ReadError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise ReadError([problem("malformed_file", detail=f"{type(exc).__name__}: {exc}")]) from exc
    try:
        tables = {}
        for ws in workbook.worksheets:
            ws.reset_dimensions()  # do not trust the declared size: no padding to it
            tables[ws.title] = [
                list(r) for r in ws.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS)
            ]
    except Exception as exc:  # a broken sheet inside a readable workbook
        raise ReadError([problem("malformed_file", detail=f"{type(exc).__name__}: {exc}")]) from exc
    finally:
        workbook.close()
    return _document_from_tables(tables, limits)


def write_xlsx(document: Mapping[str, Any], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, rows in tables_from_document(document).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def _read_csv(path: Path, limits: Limits) -> dict[str, Any]:
    texts: dict[str, str] = {}
    if path.is_dir():
        files = [f for f in sorted(path.iterdir()) if f.suffix.lower() == ".csv"]
        _check_size(sum(f.stat().st_size for f in files), name=path.name, limits=limits)
        for file in files:
            texts[file.stem] = _decode(file.read_bytes(), sheet=file.stem)
    elif path.suffix.lower() == ".zip":
        _check_size(path.stat().st_size, name=path.name, limits=limits)
        try:
            with zipfile.ZipFile(path) as archive:
                _check_archive(archive, name=path.name, limits=limits)
                for info in archive.infolist():
                    name = Path(info.filename)
                    if not info.is_dir() and name.suffix.lower() == ".csv":
                        texts[name.stem] = _decode(archive.read(info), sheet=name.stem)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
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
        {name: _csv_rows(name, text, limits) for name, text in texts.items()}, limits
    )


def _csv_rows(sheet: str, text: str, limits: Limits) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # a cell over csv's own limit (128 KiB), a NUL byte, ...
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            found = problem(
                "cell_too_large",
                sheet=sheet,
                line=line,
                size=f"> {csv.field_size_limit()}",
                max=limits.max_cell_chars,
            )
        else:
            found = problem("malformed_file", sheet=sheet, line=line, detail=str(exc))
        raise ReadError([found]) from exc


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
