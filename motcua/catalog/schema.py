"""The catalog document: reading one procedure (from JSON, a spreadsheet row or the database)
into a *clean* dict of Python values, with every problem reported at once.

Every source goes through `check_procedure`: JSON values are typed, CSV values are strings, XLSX
values are either; the readers below accept all three. The clean dict is what the importer
saves and what `canonical_version` compares, so "unchanged" means the same thing whichever way
a catalog arrives. The format itself is documented in docs/catalog-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from motcua.organisation.models import Role, Unit

from .models import (
    HOURS_PER_WORKING_DAY,
    AcceptedForm,
    Component,
    Fee,
    Level,
    NationalDatabase,
    OnlineLevel,
    ProcedureVersion,
    ProcessStep,
    ResultKind,
    TimeUnit,
)
from .problems import Problem, problem

FORMAT = "motcua.catalog/1"
NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
STEP_ROLES = (Role.OFFICER.value, Role.SPECIALIST.value, Role.LEADER.value)
COMMUNE_KINDS = tuple(str(k) for k in Unit.COMMUNE_KINDS)
UNIT_KINDS = tuple(Unit.Kind.values)
EFORM_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "select",
    "checkbox",
    "email",
    "phone",
    "personal_id",
)
PREFILL_SOURCES = (
    "profile.full_name",
    "profile.personal_id",
    "profile.date_of_birth",
    "profile.gender",
    "profile.address",
    "profile.phone",
    "profile.email",
    "organisation.name",
    "organisation.tax_code",
    "organisation.address",
)
# Beyond these a time is a typing error, not a law (Decree 61/2018 times are days to months).
TIME_MAXIMUM = {
    TimeUnit.WORKING_DAYS: Decimal(365),
    TimeUnit.WORKING_HOURS: Decimal(2920),
    TimeUnit.CALENDAR_DAYS: Decimal(730),
    TimeUnit.IMMEDIATE: Decimal(0),
}
# A same-day procedure's internal process must fit in one working day.
IMMEDIATE_LIMIT_HOURS = HOURS_PER_WORKING_DAY
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TWO_PLACES = Decimal("0.01")

PROCEDURE_KEYS = (
    "code",
    "local_code",
    "name",
    "name_en",
    "field",
    "level",
    "competent_unit_kinds",
    "competent_unit",
    "version",
)
VERSION_KEYS = (
    "number",
    "valid_from",
    "valid_to",
    "status",
    "online_level",
    "time_unit",
    "counter_time",
    "online_time",
    "cutoff_time",
    "supplement_wait_days",
    "result_kind",
    "result_name",
    "applicant",
    "agency",
    "method",
    "sequence",
    "requirements",
    "legal_basis",
    "eform",
    "note",
    "components",
    "fees",
    "steps",
)
COMPONENT_KEYS = (
    "order",
    "code",
    "name",
    "accepted_forms",
    "copies",
    "required",
    "national_database",
    "template_name",
    "note",
)
FEE_KEYS = ("order", "name", "kind", "amount_vnd", "timing", "basis")
STEP_KEYS = ("order", "name", "role", "unit_scope", "unit", "allotment_hours")
EFORM_FIELD_KEYS = ("name", "label", "type", "required", "prefill", "choices", "help")
# Keys every source may carry besides the format's own: where a row came from.
LOCATION_KEY = "_loc"

# The seven parts a procedure must make public to be "published completely" (domain.md §2).
COMPLETENESS = (
    ("name", "tên thủ tục"),
    ("sequence", "trình tự thực hiện"),
    ("method", "cách thức thực hiện"),
    ("components", "thành phần hồ sơ"),
    ("time", "thời hạn giải quyết"),
    ("applicant", "đối tượng thực hiện"),
    ("agency", "cơ quan thực hiện"),
)


@dataclass
class Context:
    """What a catalog is checked against: existing units and the known fields."""

    unit_ids: Mapping[str, int]
    field_codes: set[str] = field(default_factory=set)


def process_limit_hours(
    *, time_unit: str, counter_time: Decimal, online_time: Decimal | None
) -> Decimal:
    """The working hours an internal process may take: the shorter of the counter and online
    legal times. Calendar days count conservatively as 5 working days a week (holidays aside);
    a same-day procedure has one working day."""
    legal = counter_time if online_time is None else min(counter_time, online_time)
    if time_unit == TimeUnit.WORKING_DAYS:
        return legal * HOURS_PER_WORKING_DAY
    if time_unit == TimeUnit.WORKING_HOURS:
        return legal
    if time_unit == TimeUnit.CALENDAR_DAYS:
        working_days = (legal * 5 / 7).to_integral_value(rounding=ROUND_FLOOR)
        return working_days * HOURS_PER_WORKING_DAY
    return IMMEDIATE_LIMIT_HOURS


class _Reader:
    """Reads typed values out of one object, reporting problems with their location."""

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        sheet: str,
        line: int | None,
        prefix: str,
        problems: list[Problem],
    ) -> None:
        loc = data.get(LOCATION_KEY)
        if loc:
            sheet, line, prefix = loc[0], loc[1], ""
        self.data, self.sheet, self.line, self.prefix = data, sheet, line, prefix
        self.problems = problems

    def report(self, code: str, key: str, **params: Any) -> None:
        self.problems.append(
            problem(code, sheet=self.sheet, line=self.line, field=self.prefix + key, **params)
        )

    def child(self, data: Mapping[str, Any], prefix: str) -> _Reader:
        return _Reader(
            data,
            sheet=self.sheet,
            line=self.line,
            prefix=self.prefix + prefix,
            problems=self.problems,
        )

    def unknown_keys(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed) | {LOCATION_KEY}
        for key in self.data:
            if key not in allowed:
                self.report("unknown_key", key, name=key)

    def _raw(self, key: str) -> Any:
        value = self.data.get(key)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self._raw(key)
        if value is None:
            if required:
                self.report("required", key)
            return ""
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.report("bad_text", key)
            return ""
        if max_length is not None and len(value) > max_length:
            self.report("too_long", key, max=max_length)
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            folded = value.lower()
            if folded in {"true", "1", "yes", "x", "có", "co"}:
                return True
            if folded in {"false", "0", "no", "không", "khong"}:
                return False
        self.report("bad_bool", key, value=value)
        return default

    def decimal(self, key: str, *, required: bool = False) -> Decimal | None:
        value = self._raw(key)
        if value is None:
            if required:
                self.report("required", key)
            return None
        if isinstance(value, bool):
            self.report("bad_number", key, value=value)
            return None
        try:
            number = (
                Decimal(str(value).replace(",", ".")) if not isinstance(value, Decimal) else value
            )
        except (InvalidOperation, ValueError):
            self.report("bad_number", key, value=value)
            return None
        if number.is_finite() and number.copy_abs() >= 10000:  # before quantize: no overflow
            self.report("out_of_range", key, value=value, min=0, max="9999.99")
            return None
        if not number.is_finite() or number != number.quantize(_TWO_PLACES):
            self.report("bad_number", key, value=value)
            return None
        if number < 0:
            self.report("negative", key)
            return None
        return number.quantize(_TWO_PLACES)

    def integer(
        self,
        key: str,
        *,
        default: int | None,
        minimum: int = 0,
        maximum: int | None = None,
    ) -> int | None:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool):
            self.report("bad_integer", key, value=value)
            return default
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.report("bad_integer", key, value=value)
            return default
        if not number.is_finite() or number != number.to_integral_value():
            self.report("bad_integer", key, value=value)
            return default
        if number.adjusted() > 18:  # before int(): 1e999999999 would take the memory
            self.report("out_of_range", key, value=value, min=minimum, max=maximum or "∞")
            return default
        result = int(number)
        if result < minimum or (maximum is not None and result > maximum):
            if result < 0 and minimum == 0:
                self.report("negative", key)
            else:
                self.report(
                    "out_of_range",
                    key,
                    value=result,
                    min=minimum,
                    max=maximum if maximum is not None else "∞",
                )
            return default
        return result

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self._raw(key)
        if value is None:
            if required:
                self.report("required", key)
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.report("bad_date", key, value=value)
            return None

    def time(self, key: str) -> dt.time | None:
        value = self._raw(key)
        if value is None:
            return None
        if isinstance(value, dt.time):
            return value.replace(second=0, microsecond=0)
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", str(value))
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.report("bad_time", key, value=value)
            return None
        return dt.time(int(match[1]), int(match[2]))

    def choice(self, key: str, choices: Iterable[str], *, default: str | None) -> str:
        choices = tuple(str(c) for c in choices)
        value = self._raw(key)
        if value is None:
            if default is None:
                self.report("required", key)
                return ""
            return default
        if str(value) not in choices:
            self.report("bad_choice", key, value=value, choices=choices)
            return default or ""
        return str(value)

    def strings(self, key: str, *, separator: str = ",") -> list[str]:
        """A list of strings: a JSON list, or text split on `separator`."""
        value = self._raw(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(separator) if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value if v.strip()]
        self.report("not_a_list", key)
        return []

    def objects(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.report("not_a_list", key)
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                good.append(item)
            else:
                self.report("not_an_object", f"{key}[{index}]")
        return good


def check_procedure(
    data: Any,
    *,
    index: int,
    context: Context,
    require_complete: bool | None = None,
    problems: list[Problem],
) -> dict[str, Any] | None:
    """Read one procedure of the document. Returns the clean dict (also when problems were
    found, for more checks) or None when it is not even an object.

    `require_complete`: check the seven published parts; by default when status is published.
    """
    if not isinstance(data, Mapping):
        problems.append(problem("not_an_object", sheet="procedures", line=index + 1, field=""))
        return None
    r = _Reader(data, sheet="procedures", line=index + 1, prefix="", problems=problems)
    r.unknown_keys(PROCEDURE_KEYS)
    clean: dict[str, Any] = {}
    code = clean["code"] = r.text("code", required=True, max_length=40)
    local = clean["local_code"] = r.boolean("local_code", default=False)
    if code and not local and not NATIONAL_CODE.match(code):
        r.report("national_code_format", "code", value=code)
    if code and local and NATIONAL_CODE.match(code):
        r.report("local_code_looks_national", "code", value=code)
    clean["name"] = r.text("name", required=True, max_length=500)
    clean["name_en"] = r.text("name_en", max_length=500)
    field_code = clean["field"] = r.text("field", required=True, max_length=40)
    if field_code and field_code not in context.field_codes:
        r.report("unknown_field", "field", value=field_code)
    level = clean["level"] = r.choice("level", Level.values, default=None)
    kinds = clean["competent_unit_kinds"] = r.strings("competent_unit_kinds")
    for kind in kinds:
        if kind not in UNIT_KINDS:
            r.report("bad_choice", "competent_unit_kinds", value=kind, choices=UNIT_KINDS)
    if level == Level.COMMUNE and any(k not in COMMUNE_KINDS for k in kinds):
        r.report("commune_unit_kinds", "competent_unit_kinds", value=kinds)
    unit = clean["competent_unit"] = r.text("competent_unit") or None
    if unit and unit not in context.unit_ids:
        r.report("unknown_unit", "competent_unit", value=unit)
    if level == Level.PROVINCE and not unit:
        r.report("competent_unit_required", "competent_unit")
    version = data.get("version")
    if not isinstance(version, Mapping):
        r.report("required" if version is None else "not_an_object", "version")
        return clean
    clean["version"] = check_version(
        r.child(version, "version."),
        context=context,
        procedure_name=clean["name"],
        require_complete=require_complete,
    )
    return clean


def check_version(
    r: _Reader,
    *,
    context: Context,
    procedure_name: str,
    require_complete: bool | None,
) -> dict[str, Any]:
    r.unknown_keys(VERSION_KEYS)
    v: dict[str, Any] = {}
    v["number"] = r.integer("number", default=None, minimum=1)
    v["valid_from"] = r.date("valid_from", required=True)
    v["valid_to"] = r.date("valid_to")
    if v["valid_from"] and v["valid_to"] and v["valid_to"] < v["valid_from"]:
        r.report("validity_reversed", "valid_to")
    v["status"] = r.choice(
        "status", ProcedureVersion.Status.values, default=ProcedureVersion.Status.DRAFT
    )
    v["online_level"] = r.choice("online_level", OnlineLevel.values, default=OnlineLevel.PARTIAL)
    time_unit = v["time_unit"] = r.choice("time_unit", TimeUnit.values, default=None)
    immediate = time_unit == TimeUnit.IMMEDIATE
    for key in ("counter_time", "online_time"):
        value = r.decimal(key, required=key == "counter_time" and not immediate)
        v[key] = value
        if value is None or not time_unit:
            continue
        if immediate and value != 0:
            r.report("immediate_time_not_zero", key)
        elif not immediate and value == 0:
            r.report("time_zero", key)
        elif value > TIME_MAXIMUM[TimeUnit(time_unit)]:
            r.report(
                "absurd_time",
                key,
                value=value,
                unit=TimeUnit(time_unit).label,
                max=TIME_MAXIMUM[TimeUnit(time_unit)],
            )
    cutoff = v["cutoff_time"] = r.time("cutoff_time")
    if cutoff and not dt.time(7) <= cutoff <= dt.time(17):
        r.report("cutoff_outside_office_hours", "cutoff_time", value=cutoff.strftime("%H:%M"))
    v["supplement_wait_days"] = r.integer("supplement_wait_days", default=15, minimum=1, maximum=90)
    v["result_kind"] = r.choice("result_kind", ResultKind.values, default=ResultKind.BOTH)
    v["result_name"] = r.text("result_name", max_length=500)
    for key in ("applicant", "agency", "method", "sequence", "requirements", "note"):
        v[key] = r.text(key)
    v["legal_basis"] = r.strings("legal_basis", separator="\n")
    v["eform"] = _check_eform(r)
    v["components"] = _check_components(r, r.objects("components"))
    v["fees"] = _check_fees(r, r.objects("fees"))
    v["steps"] = _check_steps(r, r.objects("steps"), context=context)
    if v["counter_time"] is None:
        v["counter_time"] = Decimal("0.00")
    if time_unit and v["steps"]:
        limit = process_limit_hours(
            time_unit=time_unit, counter_time=v["counter_time"], online_time=v["online_time"]
        )
        total = sum((s["allotment_hours"] for s in v["steps"]), Decimal(0))
        if total > limit:
            r.report("steps_exceed_legal_time", "steps", total=_plain(total), limit=_plain(limit))
    if require_complete is None:
        require_complete = v["status"] == ProcedureVersion.Status.PUBLISHED
    if require_complete:
        _check_complete(r, v, procedure_name=procedure_name)
    return v


def _check_complete(r: _Reader, v: dict[str, Any], *, procedure_name: str) -> None:
    present = {
        "name": bool(procedure_name),
        "sequence": bool(v["sequence"]),
        "method": bool(v["method"]),
        "components": bool(v["components"]),
        "time": bool(v["time_unit"]),
        "applicant": bool(v["applicant"]),
        "agency": bool(v["agency"]),
    }
    for key, label in COMPLETENESS:
        if present[key]:
            continue
        if key == "components":
            r.report("components_required", "components")
        else:
            r.report("incomplete_for_publish", "time_unit" if key == "time" else key, value=label)
    if not v["steps"]:
        r.report("steps_required", "steps")


def _check_eform(r: _Reader) -> dict[str, Any]:
    raw = r.data.get("eform")
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw:
            return {}
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            r.report("bad_json", "eform", detail=exc.msg)
            return {}
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        r.report("not_an_object", "eform")
        return {}
    er = r.child(raw, "eform.")
    er.unknown_keys(("fields",))
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(er.objects("fields")):
        fr = er.child(item, f"fields[{i}].")
        fr.unknown_keys(EFORM_FIELD_KEYS)
        name = fr.text("name", required=True, max_length=60)
        if name and (not _NAME.match(name) or name in seen):
            fr.report("eform_field_name", "name", value=name)
        seen.add(name)
        entry: dict[str, Any] = {
            "name": name,
            "label": fr.text("label", required=True, max_length=200),
            "type": fr.choice("type", EFORM_TYPES, default="text"),
            "required": fr.boolean("required", default=False),
        }
        prefill = fr.text("prefill")
        if prefill and prefill not in PREFILL_SOURCES:
            fr.report("unknown_prefill", "prefill", value=prefill, choices=PREFILL_SOURCES)
        if prefill:
            entry["prefill"] = prefill
        if "choices" in item:
            entry["choices"] = fr.strings("choices")
        if fr.text("help"):
            entry["help"] = fr.text("help")
        fields.append(entry)
    return {"fields": fields} if fields else {}


def _orders(r: _Reader, items: list[Mapping[str, Any]], key: str) -> list[_Reader]:
    return [r.child(item, f"{key}[{i}].") for i, item in enumerate(items)]


def _check_components(r: _Reader, items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    codes: set[str] = set()
    orders: set[int] = set()
    for i, cr in enumerate(_orders(r, items, "components")):
        cr.unknown_keys(COMPONENT_KEYS)
        order = cr.integer("order", default=i + 1, minimum=1, maximum=999) or i + 1
        if order in orders:
            cr.report("duplicate_order", "order", value=order)
        orders.add(order)
        code = cr.text("code", required=True, max_length=40)
        if code in codes:
            cr.report("duplicate_component_code", "code", value=code)
        codes.add(code)
        forms = cr.strings("accepted_forms")
        if not forms:
            cr.report("required", "accepted_forms")
        for form in forms:
            if form not in AcceptedForm.values:
                cr.report("bad_choice", "accepted_forms", value=form, choices=AcceptedForm.values)
        database = cr.text("national_database")
        if database and database not in NationalDatabase.values:
            cr.report(
                "bad_choice", "national_database", value=database, choices=NationalDatabase.values
            )
        if AcceptedForm.NATIONAL_DATA in forms and not database:
            cr.report("national_database_required", "national_database")
        if database and AcceptedForm.NATIONAL_DATA not in forms:
            cr.report("national_data_form_required", "accepted_forms")
        out.append(
            {
                "order": order,
                "code": code,
                "name": cr.text("name", required=True, max_length=500),
                "accepted_forms": forms,
                "copies": cr.integer("copies", default=1, minimum=1, maximum=20) or 1,
                "required": cr.boolean("required", default=True),
                "national_database": database,
                "template_name": cr.text("template_name", max_length=200),
                "note": cr.text("note"),
            }
        )
    return sorted(out, key=lambda c: c["order"])


def _check_fees(r: _Reader, items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    orders: set[int] = set()
    for i, fr in enumerate(_orders(r, items, "fees")):
        fr.unknown_keys(FEE_KEYS)
        order = fr.integer("order", default=i + 1, minimum=1, maximum=999) or i + 1
        if order in orders:
            fr.report("duplicate_order", "order", value=order)
        orders.add(order)
        amount = fr.integer("amount_vnd", default=None, minimum=0, maximum=10**12)
        timing = fr.choice("timing", Fee.Timing.values, default=Fee.Timing.BEFORE)
        if timing == Fee.Timing.EXEMPT and amount:
            fr.report("exempt_with_amount", "amount_vnd")
        out.append(
            {
                "order": order,
                "name": fr.text("name", required=True, max_length=300),
                "kind": fr.choice("kind", Fee.Kind.values, default=Fee.Kind.CHARGE),
                "amount_vnd": amount,
                "timing": timing,
                "basis": fr.text("basis"),
            }
        )
    return sorted(out, key=lambda f: f["order"])


def _check_steps(
    r: _Reader, items: list[Mapping[str, Any]], *, context: Context
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    orders: set[int] = set()
    for i, sr in enumerate(_orders(r, items, "steps")):
        sr.unknown_keys(STEP_KEYS)
        order = sr.integer("order", default=i + 1, minimum=1, maximum=999) or i + 1
        if order in orders:
            sr.report("duplicate_order", "order", value=order)
        orders.add(order)
        role = sr.text("role", required=True)
        if role and role not in Role.values:
            sr.report("bad_choice", "role", value=role, choices=STEP_ROLES)
        elif role and role not in STEP_ROLES:
            sr.report("role_not_for_steps", "role", value=role)
        scope = sr.choice(
            "unit_scope", ProcessStep.UnitScope.values, default=ProcessStep.UnitScope.COMPETENT
        )
        unit = sr.text("unit") or None
        if unit and unit not in context.unit_ids:
            sr.report("unknown_unit", "unit", value=unit)
        if scope == ProcessStep.UnitScope.NAMED and not unit:
            sr.report("unit_required_for_named", "unit")
        if scope != ProcessStep.UnitScope.NAMED and unit:
            sr.report("unit_only_for_named", "unit")
        hours = sr.decimal("allotment_hours", required=True)
        out.append(
            {
                "order": order,
                "name": sr.text("name", required=True, max_length=300),
                "role": role,
                "unit_scope": scope,
                "unit": unit,
                "allotment_hours": hours if hours is not None else Decimal("0.00"),
            }
        )
    return sorted(out, key=lambda s: s["order"])


# --- the canonical (JSON) form ---------------------------------------------------------------


def _plain(value: Decimal) -> int | float:
    """3.00 -> 3, 0.50 -> 0.5 (JSON numbers, as people write them)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def version_json(clean: Mapping[str, Any]) -> dict[str, Any]:
    """A clean version as it is written in a catalog document."""
    out: dict[str, Any] = {}
    for key in VERSION_KEYS:
        value = clean.get(key)
        if key in ("components", "fees", "steps"):
            out[key] = [{k: _json_value(v) for k, v in item.items()} for item in value or []]
        else:
            out[key] = _json_value(value)
    return out


def canonical_version(clean: Mapping[str, Any]) -> dict[str, Any]:
    """What decides "changed": the version's content without its number and status."""
    out = version_json(clean)
    out.pop("number")
    out.pop("status")
    return out


def clean_from_db(version: ProcedureVersion) -> dict[str, Any]:
    """The clean dict of a stored version. Uses prefetched components/fees/steps (with their
    units) when present, so exporting a catalog costs a fixed number of queries."""
    v: dict[str, Any] = {
        key: getattr(version, key)
        for key in VERSION_KEYS
        if key not in ("components", "fees", "steps")
    }
    v["counter_time"] = Decimal(version.counter_time).quantize(_TWO_PLACES)
    if version.online_time is not None:
        v["online_time"] = Decimal(version.online_time).quantize(_TWO_PLACES)
    v["legal_basis"] = list(version.legal_basis or [])
    v["eform"] = dict(version.eform or {})
    v["components"] = [_component_clean(c) for c in version.components.all()]
    v["fees"] = [
        {
            "order": f.order,
            "name": f.name,
            "kind": f.kind,
            "amount_vnd": f.amount_vnd,
            "timing": f.timing,
            "basis": f.basis,
        }
        for f in version.fees.all()
    ]
    v["steps"] = [
        {
            "order": s.order,
            "name": s.name,
            "role": s.role,
            "unit_scope": s.unit_scope,
            "unit": s.unit.code if s.unit_id and s.unit else None,
            "allotment_hours": Decimal(s.allotment_hours).quantize(_TWO_PLACES),
        }
        for s in version.steps.all()
    ]
    for key in ("components", "fees", "steps"):
        v[key].sort(key=lambda item: item["order"])
    return v


def _component_clean(c: Component) -> dict[str, Any]:
    return {
        "order": c.order,
        "code": c.code,
        "name": c.name,
        "accepted_forms": list(c.accepted_forms or []),
        "copies": c.copies,
        "required": c.required,
        "national_database": c.national_database,
        "template_name": c.template_name,
        "note": c.note,
    }
