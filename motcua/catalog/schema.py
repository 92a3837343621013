"""The catalog document: reading and checking one procedure (from JSON or a spreadsheet row)
into a *clean* dict of Python values, with every problem reported at once. Writing a clean
version back (JSON, "unchanged" comparison, a stored version read back) is `document.py`.

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
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.core.errors import DomainError
from motcua.documents.kinds import DocumentKind
from motcua.organisation.models import Role, Unit

from .eforms import eform_definition_check
from .fees import fee_exemptions_clean
from .models import (
    COMPONENT_FILE_TYPES,
    COMPONENT_MAX_BYTES_DEFAULT,
    COMPONENT_MAX_BYTES_LIMIT,
    AcceptedForm,
    Fee,
    FeeApplicantKind,
    FeeCounting,
    Level,
    NationalDatabase,
    OnlineLevel,
    ProcedureVersion,
    ProcessStep,
    ResultKind,
    TimeUnit,
    certified_copy_conflicts,
)
from .problems import Problem, problem
from .text import fold
from .timefit import time_fit

FORMAT = "motcua.catalog/1"
NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
STEP_ROLES = (Role.OFFICER.value, Role.SPECIALIST.value, Role.LEADER.value)
COMMUNE_KINDS = tuple(str(k) for k in Unit.COMMUNE_KINDS)
UNIT_KINDS = tuple(Unit.Kind.values)
# Beyond these a time is a typing error, not a law (Decree 61/2018 times are days to months).
TIME_MAXIMUM = {
    TimeUnit.WORKING_DAYS: Decimal(365),
    TimeUnit.WORKING_HOURS: Decimal(2920),
    TimeUnit.CALENDAR_DAYS: Decimal(730),
    TimeUnit.IMMEDIATE: Decimal(0),
}
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
    "life_events",
    "version",
)
# The one list of a version's own fields (not its number, components, fees or steps): what the
# format carries, import saves, "unchanged" compares, a new draft copies and the admin edits.
VERSION_FIELDS = (
    "valid_from",
    "valid_to",
    "status",
    "online_level",
    "time_unit",
    "counter_time",
    "online_time",
    "cutoff_time",
    "supplement_wait_days",
    "supplement_restarts_clock",
    "settled_in_session",
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
)
VERSION_KEYS = ("number", *VERSION_FIELDS, "components", "fees", "steps")
COMPONENT_KEYS = (
    "order",
    "code",
    "name",
    "accepted_forms",
    "copies",
    "required",
    "national_database",
    "document_kind",
    "template_name",
    "note",
    "allowed_types",
    "max_bytes",
)
FEE_KEYS = (
    "order",
    "name",
    "kind",
    "amount_vnd",
    "timing",
    "basis",
    "counting",
    "applicant_kind",
    "tier_from",
    "tier_amount_vnd",
    "cap_vnd",
)
#: Only in the JSON format: a list of {category, percent | amount_vnd, basis, label}.
FEE_JSON_KEYS = (*FEE_KEYS, "exemptions")
STEP_KEYS = ("order", "name", "role", "unit_scope", "unit", "allotment_hours")
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
    """What a catalog is checked against: existing units and the known fields.

    A field is named by its code or its name (folded: case, spaces and diacritics ignored),
    `field_aliases` mapping a file's code or a folded name to the field code to use; a unit
    by its code or its folded name (`unit_names`, None when two units share the name)."""

    unit_ids: Mapping[str, int]
    field_codes: set[str] = field(default_factory=set)
    field_aliases: Mapping[str, str] = field(default_factory=dict)
    unit_names: Mapping[str, str | None] = field(default_factory=dict)
    # Known life event codes; None: not checked.
    life_event_codes: set[str] | None = None

    def field_code(self, value: str) -> str | None:
        if value in self.field_aliases:
            return self.field_aliases[value]
        if value in self.field_codes:
            return value
        return self.field_aliases.get(fold(value))

    def unit_code(self, value: str) -> tuple[str | None, bool]:
        """(the unit code, whether the name was ambiguous)."""
        if value in self.unit_ids:
            return value, False
        key = fold(value)
        if key in self.unit_names:
            code = self.unit_names[key]
            return code, code is None
        return None, False


def unit_names(units: Iterable[tuple[str, str]]) -> dict[str, str | None]:
    """Folded unit name -> code, None where two units share a name."""
    out: dict[str, str | None] = {}
    for code, name in units:
        key = fold(name)
        out[key] = code if key not in out or out[key] == code else None
    return out


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


def _unit(r: _Reader, key: str, context: Context) -> str | None:
    """A unit named by code or by name; the clean value is its code."""
    given = r.text(key, max_length=200) or None
    if given is None:
        return None
    code, ambiguous = context.unit_code(given)
    if code is None:
        r.report("ambiguous_unit" if ambiguous else "unknown_unit", key, value=given)
        return given
    return code


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
    field_given = r.text("field", required=True, max_length=200)
    field_code = context.field_code(field_given) if field_given else ""
    if field_given and field_code is None:
        r.report("unknown_field", "field", value=field_given)
    clean["field"] = field_code or field_given
    level = clean["level"] = r.choice("level", Level.values, default=None)
    kinds = clean["competent_unit_kinds"] = r.strings("competent_unit_kinds")
    for kind in kinds:
        if kind not in UNIT_KINDS:
            r.report("bad_choice", "competent_unit_kinds", value=kind, choices=UNIT_KINDS)
    if level == Level.COMMUNE and any(k not in COMMUNE_KINDS for k in kinds):
        r.report("commune_unit_kinds", "competent_unit_kinds", value=kinds)
    unit = clean["competent_unit"] = _unit(r, "competent_unit", context)
    if level == Level.PROVINCE and not unit:
        r.report("competent_unit_required", "competent_unit")
    events = clean["life_events"] = sorted(set(r.strings("life_events")))
    for event in events:
        if context.life_event_codes is not None and event not in context.life_event_codes:
            r.report("unknown_life_event", "life_events", value=event)
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
        elif time_unit == TimeUnit.CALENDAR_DAYS and value != value.to_integral_value():
            r.report("calendar_days_whole", key, value=plain_number(value))
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
    v["supplement_restarts_clock"] = r.boolean("supplement_restarts_clock", default=False)
    v["settled_in_session"] = r.boolean("settled_in_session", default=False)
    v["result_kind"] = r.choice("result_kind", ResultKind.values, default=ResultKind.BOTH)
    v["result_name"] = r.text("result_name", max_length=500)
    for key in ("applicant", "agency", "method", "sequence", "requirements", "note"):
        v[key] = r.text(key)
    v["legal_basis"] = r.strings("legal_basis", separator="\n")
    v["eform"] = _check_eform(r)
    v["components"] = _check_components(r, r.objects("components"))
    v["fees"] = _check_fees(r, r.objects("fees"))
    steps, step_readers = _check_steps(r, r.objects("steps"), context=context)
    v["steps"] = steps
    if v["counter_time"] is None:
        v["counter_time"] = Decimal("0.00")
    if time_unit and steps:
        _check_time_fit(r, v, step_readers)
    if require_complete is None:
        require_complete = v["status"] == ProcedureVersion.Status.PUBLISHED
    if require_complete:
        _check_complete(r, v, procedure_name=procedure_name)
    return v


def _check_time_fit(r: _Reader, v: dict[str, Any], step_readers: Mapping[int, _Reader]) -> None:
    """The steps, added up on the working clock, within the legal time (timefit): one row for
    the total, one for each step ending after the limit."""
    fit = time_fit(
        time_unit=v["time_unit"],
        counter_time=v["counter_time"],
        online_time=v["online_time"],
        steps=[(s["order"], s["name"], s["allotment_hours"]) for s in v["steps"]],
    )
    if fit.fits:
        return
    limit = plain_number(fit.limit_hours)
    r.report("steps_exceed_legal_time", "steps", total=plain_number(fit.total_hours), limit=limit)
    for step in fit.steps:
        if not step.fits:
            step_readers[step.order].report(
                "step_exceeds_legal_time",
                "allotment_hours",
                order=step.order,
                end=plain_number(step.ends_at),
                limit=limit,
            )


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
    clean, issues = eform_definition_check(raw)
    for path, code, params in issues:
        r.report(code, f"eform.{path}" if path else "eform", **params)
    return clean


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
        kind = cr.text("document_kind")
        if kind and kind not in DocumentKind.values:
            cr.report("bad_choice", "document_kind", value=kind, choices=DocumentKind.values)
        for conflict in certified_copy_conflicts(forms=forms, national_database=database):
            cr.report(conflict, "accepted_forms")
        out.append(
            {
                "order": order,
                "code": code,
                "name": cr.text("name", required=True, max_length=500),
                "accepted_forms": forms,
                "copies": cr.integer("copies", default=1, minimum=1, maximum=20) or 1,
                "required": cr.boolean("required", default=True),
                "national_database": database,
                "document_kind": kind,
                "template_name": cr.text("template_name", max_length=200),
                "note": cr.text("note"),
                "allowed_types": _file_types(cr),
                "max_bytes": cr.integer(
                    "max_bytes",
                    default=COMPONENT_MAX_BYTES_DEFAULT,
                    minimum=1,
                    maximum=COMPONENT_MAX_BYTES_LIMIT,
                )
                or COMPONENT_MAX_BYTES_DEFAULT,
            }
        )
    return sorted(out, key=lambda c: c["order"])


def _file_types(cr: Any) -> list[str]:
    """A component's accepted file types: a subset of COMPONENT_FILE_TYPES, all when absent."""
    types = cr.strings("allowed_types")
    for value in types:
        if value not in COMPONENT_FILE_TYPES:
            cr.report("bad_choice", "allowed_types", value=value, choices=COMPONENT_FILE_TYPES)
    return [t for t in COMPONENT_FILE_TYPES if t in types] if types else list(COMPONENT_FILE_TYPES)


def _check_fees(r: _Reader, items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    orders: set[int] = set()
    for i, fr in enumerate(_orders(r, items, "fees")):
        fr.unknown_keys(FEE_JSON_KEYS)
        order = fr.integer("order", default=i + 1, minimum=1, maximum=999) or i + 1
        if order in orders:
            fr.report("duplicate_order", "order", value=order)
        orders.add(order)
        amount = fr.integer("amount_vnd", default=None, minimum=0, maximum=10**12)
        timing = fr.choice("timing", Fee.Timing.values, default=Fee.Timing.BEFORE)
        if timing == Fee.Timing.EXEMPT and amount:
            fr.report("exempt_with_amount", "amount_vnd")
        exemptions: list[dict[str, Any]] = []
        try:
            exemptions = fee_exemptions_clean(fr.data.get("exemptions"))
        except DomainError as error:
            fr.report("invalid_exemption", "exemptions", value=error.params.get("field", ""))
        out.append(
            {
                "order": order,
                "name": fr.text("name", required=True, max_length=300),
                "kind": fr.choice("kind", Fee.Kind.values, default=Fee.Kind.CHARGE),
                "amount_vnd": amount,
                "timing": timing,
                "basis": fr.text("basis"),
                "counting": fr.choice("counting", FeeCounting.values, default=FeeCounting.FIXED),
                "applicant_kind": fr.choice(
                    "applicant_kind", FeeApplicantKind.values, default=FeeApplicantKind.ANY
                ),
                "tier_from": fr.integer("tier_from", default=None, minimum=2, maximum=10**6),
                "tier_amount_vnd": fr.integer(
                    "tier_amount_vnd", default=None, minimum=0, maximum=10**12
                ),
                "cap_vnd": fr.integer("cap_vnd", default=None, minimum=1, maximum=10**12),
                "exemptions": exemptions,
            }
        )
    return sorted(out, key=lambda f: f["order"])


def _check_steps(
    r: _Reader, items: list[Mapping[str, Any]], *, context: Context
) -> tuple[list[dict[str, Any]], dict[int, _Reader]]:
    """The clean steps in order, and the reader of each (by order) to report on it later."""
    out: list[dict[str, Any]] = []
    readers: dict[int, _Reader] = {}
    orders: set[int] = set()
    for i, sr in enumerate(_orders(r, items, "steps")):
        sr.unknown_keys(STEP_KEYS)
        order = sr.integer("order", default=i + 1, minimum=1, maximum=999) or i + 1
        if order in orders:
            sr.report("duplicate_order", "order", value=order)
        orders.add(order)
        readers.setdefault(order, sr)
        role = sr.text("role", required=True)
        if role and role not in Role.values:
            sr.report("bad_choice", "role", value=role, choices=STEP_ROLES)
        elif role and role not in STEP_ROLES:
            sr.report("role_not_for_steps", "role", value=role)
        scope = sr.choice(
            "unit_scope", ProcessStep.UnitScope.values, default=ProcessStep.UnitScope.COMPETENT
        )
        unit = _unit(sr, "unit", context)
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
    return sorted(out, key=lambda s: s["order"]), readers


def plain_number(value: Decimal) -> int | float:
    """3.00 -> 3, 0.50 -> 0.5 (JSON numbers, as people write them)."""
    return int(value) if value == value.to_integral_value() else float(value)
