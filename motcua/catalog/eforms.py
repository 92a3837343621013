"""E-forms (tờ khai điện tử): the typed field vocabulary, the check of an e-form *definition*
(catalog import and publication) and `eform_clean`, the server's check of what an applicant
submits (domain.md §3: "e-forms validate what they collect").

An e-form is `{"fields": [field, ...]}`; a field is
`{"name", "label", "type", "required", "prefill", "help", ...options}`:

| type | value submitted | stored as | options |
|---|---|---|---|
| text, textarea | text | text, trimmed (text: inner spaces collapsed) | max_length (200 / 2000) |
| number | number or numeric text ("1,5" too) | int or float | min, max, integer |
| date | `YYYY-MM-DD` or `DD/MM/YYYY` | `YYYY-MM-DD` | min, max (a date or "today") |
| choice (alias: select) | one of the values | the value | choices: strings or {value, label} |
| checkbox | true / false | bool (required: must be true) | |
| personal_id | 12 digits | 12 digits | date_of_birth_field (a date field of the form) |
| phone | Vietnamese mobile or landline | digits, leading 0 | |
| email | address | trimmed, domain lower-cased | |
| tax_code | 10 digits or NNNNNNNNNN-NNN | that | |
| address | {province, ward, street} | + `text`, written out | max_length (street, 200) |

`prefill` names where the server takes a value the applicant left empty (`profile.*`,
`organisation.*`, see `PREFILL_SOURCES`). Values of a *verified* identity (a person's name,
identification number and date of birth; an organisation's name and tax code) are locked:
the server fills them and refuses a different value (`identity_locked`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from motcua.core.errors import ValidationError
from motcua.core.identifiers import MESSAGES as IDENTIFIER_MESSAGES
from motcua.core.identifiers import (
    InvalidIdentifier,
    personal_id_parse,
    phone_clean,
    tax_code_clean,
)

from .text import asks_certified_copy

if TYPE_CHECKING:
    from motcua.accounts.models import User

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "choice",
    "checkbox",
    "personal_id",
    "phone",
    "email",
    "tax_code",
    "address",
)
TYPE_ALIASES = {"select": "choice"}
ACCEPTED_TYPES = FIELD_TYPES + tuple(TYPE_ALIASES)
# Each prefill source and the field types it can fill.
PREFILL_TYPES: dict[str, tuple[str, ...]] = {
    "profile.full_name": ("text",),
    "profile.personal_id": ("personal_id", "text"),
    "profile.date_of_birth": ("date",),
    "profile.gender": ("choice",),
    "profile.address": ("text", "textarea"),
    "profile.phone": ("phone", "text"),
    "profile.email": ("email", "text"),
    "organisation.name": ("text",),
    "organisation.tax_code": ("tax_code", "text"),
    "organisation.address": ("text", "textarea"),
}
PREFILL_SOURCES = tuple(PREFILL_TYPES)
PERSON_IDENTITY = ("profile.full_name", "profile.personal_id", "profile.date_of_birth")
ORGANISATION_IDENTITY = ("organisation.name", "organisation.tax_code")
COMMON_KEYS = ("name", "label", "type", "required", "prefill", "help")
OPTIONS: dict[str, tuple[str, ...]] = {
    "text": ("max_length",),
    "textarea": ("max_length",),
    "number": ("min", "max", "integer"),
    "date": ("min", "max"),
    "choice": ("choices",),
    "address": ("max_length",),
    "personal_id": ("date_of_birth_field",),
}
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000, "address": 200}
MAX_LENGTH_LIMIT = 10000
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_VN_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"^[0-9]{1,5}$")
MALE_CHOICES = {"male", "nam", "m"}
FEMALE_CHOICES = {"female", "nữ", "nu", "f"}


def _interpolate(template: Any, params: Mapping[str, Any]) -> str:
    text = str(template)
    return text % dict(params) if params else text


# A message rendered in the language active when it is shown (the API renders errors late).
lazy_message = lazy(_interpolate, str)


def field_type(spec: Mapping[str, Any]) -> str:
    """The field's type, aliases resolved (`select` is `choice`); `text` when not given."""
    kind = str(spec.get("type") or "text")
    return TYPE_ALIASES.get(kind, kind)


def choice_values(spec: Mapping[str, Any]) -> list[str]:
    values = []
    for choice in spec.get("choices") or []:
        values.append(str(choice.get("value")) if isinstance(choice, Mapping) else str(choice))
    return values


# --- the definition (catalog) ----------------------------------------------------------------

# (path inside the e-form, problem code of catalog.problems, its parameters)
Issue = tuple[str, str, dict[str, Any]]


def eform_definition_check(raw: Any) -> tuple[dict[str, Any], list[Issue]]:
    """Check an e-form definition. Returns the clean definition (`{}` when it has no field)
    and every problem found; problem codes are those of `catalog.problems`."""
    issues: list[Issue] = []
    if raw is None or raw == {}:
        return {}, issues
    if not isinstance(raw, Mapping):
        return {}, [("", "not_an_object", {})]
    for key in raw:
        if key != "fields":
            issues.append((key, "unknown_key", {"name": key}))
    items = raw.get("fields")
    if items is None:
        return {}, issues
    if not isinstance(items, list):
        return {}, [*issues, ("fields", "not_a_list", {})]
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"fields[{index}]"
        if not isinstance(item, Mapping):
            issues.append((where, "not_an_object", {}))
            continue
        entry = _definition_field(item, where=where, seen=seen, issues=issues)
        fields.append(entry)
    dates = {f["name"] for f in fields if field_type(f) == "date"}
    for index, entry in enumerate(fields):
        linked = entry.get("date_of_birth_field")
        if linked and linked not in dates:
            issues.append(
                (
                    f"fields[{index}].date_of_birth_field",
                    "eform_unknown_date_field",
                    {"value": linked},
                )
            )
    return ({"fields": fields} if fields else {}), issues


def _definition_field(
    item: Mapping[str, Any], *, where: str, seen: set[str], issues: list[Issue]
) -> dict[str, Any]:
    def report(key: str, code: str, **params: Any) -> None:
        issues.append((f"{where}.{key}", code, params))

    def text(key: str, *, required: bool = False, max_length: int = 200) -> str:
        value = item.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if required:
                report(key, "required")
            return ""
        if not isinstance(value, str):
            report(key, "bad_text")
            return ""
        if len(value) > max_length:
            report(key, "too_long", max=max_length)
        return value

    raw_type = text("type") or "text"
    if raw_type not in ACCEPTED_TYPES:
        report("type", "bad_choice", value=raw_type, choices=FIELD_TYPES)
        raw_type = "text"
    kind = TYPE_ALIASES.get(raw_type, raw_type)
    allowed = set(COMMON_KEYS) | set(OPTIONS.get(kind, ()))
    for key in item:
        if key == "_loc":
            continue
        if key not in allowed:
            known = any(key in options for options in OPTIONS.values())
            if known:
                report(key, "eform_option_not_for_type", name=key, type=raw_type)
            else:
                report(key, "unknown_key", name=key)
    name = text("name", required=True, max_length=60)
    if name and (not _NAME.match(name) or name in seen):
        report("name", "eform_field_name", value=name)
    seen.add(name)
    entry: dict[str, Any] = {
        "name": name,
        "label": text("label", required=True),
        "type": raw_type,
        "required": _definition_bool(item.get("required"), report=report),
    }
    prefill = text("prefill")
    if prefill and prefill not in PREFILL_TYPES:
        report("prefill", "unknown_prefill", value=prefill, choices=PREFILL_SOURCES)
    elif prefill and kind not in PREFILL_TYPES[prefill]:
        report("prefill", "eform_prefill_type", value=prefill, type=raw_type)
    if prefill:
        entry["prefill"] = prefill
    if kind == "choice":
        entry["choices"] = _definition_choices(item.get("choices"), report=report)
    help_text = text("help", max_length=1000)
    if help_text:
        entry["help"] = help_text
    for key in ("label", "help"):  # an e-form never asks for a certified copy (Decree 23/2015)
        if asks_certified_copy(str(entry.get(key) or "")):
            report(key, "eform_certified_copy")
    if "max_length" in allowed and item.get("max_length") is not None:
        value = item.get("max_length")
        if isinstance(value, bool) or not isinstance(value, int):
            report("max_length", "bad_integer", value=value)
        elif not 1 <= value <= MAX_LENGTH_LIMIT:
            report("max_length", "out_of_range", value=value, min=1, max=MAX_LENGTH_LIMIT)
        else:
            entry["max_length"] = value
    if kind == "number":
        _definition_number_range(item, entry, report=report)
    if kind == "date":
        _definition_date_range(item, entry, report=report)
    if kind == "personal_id" and item.get("date_of_birth_field"):
        entry["date_of_birth_field"] = text("date_of_birth_field", max_length=60)
    return entry


def _definition_bool(value: Any, *, report: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in {"true", "1", "yes", "x", "có", "co"}:
            return True
        if folded in {"false", "0", "no", "không", "khong"}:
            return False
    report("required", "bad_bool", value=value)
    return False


def _definition_choices(raw: Any, *, report: Any) -> list[Any]:
    if isinstance(raw, str):  # a spreadsheet cell: "Nam, Nữ"
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not raw:
        report("choices", "eform_choices_required")
        return []
    if not isinstance(raw, list):
        report("choices", "not_a_list")
        return []
    out: list[Any] = []
    values: set[str] = set()
    for index, choice in enumerate(raw):
        if isinstance(choice, Mapping):
            unknown = set(choice) - {"value", "label"}
            value = str(choice.get("value") or "").strip()
            label = str(choice.get("label") or "").strip()
            if unknown or not value or not label:
                report(f"choices[{index}]", "eform_bad_choice_item")
                continue
            item: Any = {"value": value, "label": label}
        elif isinstance(choice, str) and choice.strip():
            value = item = choice.strip()
        else:
            report(f"choices[{index}]", "eform_bad_choice_item")
            continue
        if value in values:
            report(f"choices[{index}]", "eform_duplicate_choice", value=value)
        values.add(value)
        out.append(item)
    return out


def _definition_number_range(
    item: Mapping[str, Any], entry: dict[str, Any], *, report: Any
) -> None:
    bounds: dict[str, Decimal] = {}
    for key in ("min", "max"):
        value = item.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            report(key, "bad_number", value=value)
            continue
        bounds[key] = Decimal(str(value))
        entry[key] = value
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        report("max", "eform_range_reversed")
    if item.get("integer") is not None:
        if not isinstance(item.get("integer"), bool):
            report("integer", "bad_bool", value=item.get("integer"))
        else:
            entry["integer"] = item["integer"]


def _definition_date_range(item: Mapping[str, Any], entry: dict[str, Any], *, report: Any) -> None:
    bounds: dict[str, dt.date] = {}
    for key in ("min", "max"):
        value = item.get(key)
        if value is None:
            continue
        if value == "today":
            entry[key] = value
            continue
        try:
            if not isinstance(value, str) or not _ISO_DATE.match(value):
                raise ValueError(value)
            bounds[key] = dt.date.fromisoformat(value)
        except ValueError:
            report(key, "bad_date", value=value)
            continue
        entry[key] = value
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        report("max", "eform_range_reversed")


# --- the applicant's identity (prefill and locks) ----------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What the server knows of the applicant: the prefill sources, and which of them are
    locked (a verified identity: the form may not change them)."""

    full_name: str = ""
    personal_id: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    organisation_name: str = ""
    tax_code: str = ""
    organisation_address: str = ""
    locked: frozenset[str] = field(default_factory=frozenset)

    def value(self, source: str) -> Any:
        """The value a prefill source holds, or None."""
        if source == "profile.gender":
            return self._gender()
        attribute = {
            "organisation.name": "organisation_name",
            "organisation.tax_code": "tax_code",
            "organisation.address": "organisation_address",
        }.get(source, source.removeprefix("profile."))
        value = getattr(self, attribute, None)
        return value if value not in ("", None) else None

    def _gender(self) -> str | None:
        try:
            return personal_id_parse(self.personal_id).sex
        except InvalidIdentifier:
            return None

    @classmethod
    def of_user(cls, user: User, *, lock: bool = True) -> Identity:
        """The identity of an account. A person's name, number and date of birth are locked
        once the account's identity was verified (`identity_verified_at`); an organisation
        account's name and tax code likewise. `lock=False`: prefill only (at the counter)."""
        organisation = user.kind == "organisation"
        locked: set[str] = set()
        if lock and user.identity_verified_at is not None:
            locked.update(ORGANISATION_IDENTITY if organisation else PERSON_IDENTITY)
        identity = cls(
            full_name=user.full_name,
            personal_id=user.personal_id,
            date_of_birth=user.date_of_birth,
            phone=user.phone,
            email=user.email,
            address=user.address,
            organisation_name=user.full_name if organisation else "",
            tax_code=user.organisation_id_number if organisation else "",
            organisation_address=user.address if organisation else "",
        )
        return identity.with_locks(locked)

    def with_locks(self, sources: set[str] | frozenset[str]) -> Identity:
        """The same identity, locking those of `sources` it holds a value for."""
        held = frozenset(s for s in sources if self.value(s) is not None)
        return dataclasses.replace(self, locked=held)


# --- the submission ------------------------------------------------------------------------------

FIELD_MESSAGES: dict[str, Promise] = {
    "required": _("Trường này là bắt buộc."),
    "not_an_object": _("Dữ liệu tờ khai phải là một đối tượng JSON."),
    "unknown_field": _("Tờ khai của thủ tục không có trường này."),
    "identity_locked": _(
        "Thông tin này lấy từ danh tính đã xác thực của tài khoản, không sửa được trên tờ khai."
    ),
    "not_text": _("Phải là chuỗi ký tự."),
    "too_long": _("Dài quá %(max)s ký tự."),
    "not_a_number": _("Phải là một số."),
    "not_an_integer": _("Phải là số nguyên."),
    "below_min": _("Không được nhỏ hơn %(min)s."),
    "above_max": _("Không được lớn hơn %(max)s."),
    "invalid_date": _("Ngày không có thật hoặc sai dạng (YYYY-MM-DD hoặc DD/MM/YYYY)."),
    "date_before_min": _("Ngày không được trước %(min)s."),
    "date_after_max": _("Ngày không được sau %(max)s."),
    "invalid_choice": _("Giá trị không thuộc danh sách: %(choices)s."),
    "not_a_boolean": _("Phải là có hoặc không (true/false)."),
    "must_be_checked": _("Cần đánh dấu xác nhận."),
    "invalid_email": _("Địa chỉ thư điện tử không hợp lệ."),
    "invalid_address": _(
        "Địa chỉ gồm mã tỉnh, thành phố (province), mã xã, phường, đặc khu (ward) và số nhà, "
        "đường phố (street)."
    ),
    "unknown_province": _("Không có tỉnh, thành phố mã %(province)s."),
    "unknown_ward": _("Không có xã, phường, đặc khu mã %(ward)s."),
    "ward_not_in_province": _("%(ward)s không thuộc %(province)s."),
}


class FieldInvalid(Exception):
    """One field's problem: a stable code and its message parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def field_error(name: str, code: str, **params: Any) -> dict[str, Any]:
    """An entry of `ValidationError.errors`: field, code, message (lazy), location."""
    template = FIELD_MESSAGES.get(code) or IDENTIFIER_MESSAGES[code]
    return {
        "field": name,
        "code": code,
        "message": lazy_message(template, params),
        "location": "form_data",
    }


def eform_clean(
    *,
    eform: Mapping[str, Any] | None,
    data: Any,
    identity: Identity | None,
    today: dt.date,
) -> dict[str, Any]:
    """Check and normalise submitted e-form data on the server.

    Unknown keys are refused (`unknown_field`), empty fields with a prefill source are filled
    from `identity`, locked sources must keep the identity's value (`identity_locked`),
    required fields must be there, every value must fit its type. All problems are reported
    at once: `ValidationError(code="form_invalid", errors=[{field, code, message}...])`.
    Returns the clean data: only the form's fields, in the form's order, empty ones left out.
    """
    fields = [f for f in (eform or {}).get("fields") or [] if isinstance(f, Mapping) and _name(f)]
    labels = {_name(f): str(f.get("label") or _name(f)) for f in fields}
    errors: list[dict[str, Any]] = []
    if not isinstance(data, Mapping):
        errors.append(field_error("", "not_an_object"))
        data = {}
    for key in data:
        if key not in labels:
            errors.append(field_error(str(key), "unknown_field"))
    clean: dict[str, Any] = {}
    later: list[tuple[Mapping[str, Any], Any]] = []
    for spec in fields:
        name = _name(spec)
        value = _prefilled(spec, data.get(name), identity=identity, errors=errors)
        if value is _REFUSED:
            continue
        if _empty(value):
            if spec.get("required"):
                errors.append(field_error(name, "required"))
            continue
        if field_type(spec) == "personal_id":
            later.append((spec, value))  # after the dates it may be checked against
            continue
        try:
            clean[name] = _clean_value(spec, value, today=today)
        except FieldInvalid as exc:
            errors.append(field_error(name, exc.code, **exc.params))
    for spec, value in later:
        name = _name(spec)
        try:
            clean[name] = _clean_personal_id(
                spec, value, clean=clean, identity=identity, today=today
            )
        except FieldInvalid as exc:
            errors.append(field_error(name, exc.code, **exc.params))
    if errors:
        errors.sort(key=lambda e: _position(e["field"], labels))
        names = [e["field"] for e in errors]
        raise ValidationError(
            _("Tờ khai chưa hợp lệ: %(fields)s."),
            code="form_invalid",
            errors=errors,
            fields=", ".join(dict.fromkeys(labels.get(n) or n or "form_data" for n in names)),
        )
    return {_name(f): clean[_name(f)] for f in fields if _name(f) in clean}


_REFUSED = object()


def _name(spec: Mapping[str, Any]) -> str:
    """The field's name (`key` or `code` in e-forms typed into the admin before the format)."""
    return str(spec.get("name") or spec.get("key") or spec.get("code") or "")


def _position(name: str, labels: Mapping[str, str]) -> tuple[int, str]:
    order = list(labels)
    return (order.index(name), "") if name in labels else (len(order), name)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def _prefilled(
    spec: Mapping[str, Any], value: Any, *, identity: Identity | None, errors: list[dict[str, Any]]
) -> Any:
    """The value to check: the submitted one, the identity's when left empty; a locked value
    submitted differently is refused (`_REFUSED`)."""
    source = str(spec.get("prefill") or "")
    if identity is None or not source:
        return value
    held = identity.value(source)
    if held is None:
        return value
    if isinstance(held, dt.date):
        held = held.isoformat()
    if source == "profile.gender":
        held = _gender_choice(spec, held)
        if held is None:
            return value
    if _empty(value):
        return held
    if source in identity.locked and _comparable(value) != _comparable(held):
        errors.append(field_error(_name(spec), "identity_locked"))
        return _REFUSED
    return held if source in identity.locked else value


def _comparable(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value))
    text = _SPACES.sub(" ", text).strip().casefold()
    match = _VN_DATE.match(text)
    if match:  # 12/05/1990 is 1990-05-12
        text = f"{int(match[3]):04d}-{int(match[2]):02d}-{int(match[1]):02d}"
    return text.replace(" ", "") if text.replace(" ", "").isdigit() else text


def _gender_choice(spec: Mapping[str, Any], sex: str) -> str | None:
    wanted = MALE_CHOICES if sex == "male" else FEMALE_CHOICES
    for value in choice_values(spec):
        if value.casefold() in wanted:
            return value
    return None


def _clean_value(spec: Mapping[str, Any], value: Any, *, today: dt.date) -> Any:
    kind = field_type(spec)
    if kind in ("text", "textarea"):
        return _clean_text(spec, value, kind=kind)
    if kind == "number":
        return _clean_number(spec, value)
    if kind == "date":
        return _clean_date(spec, value, today=today).isoformat()
    if kind == "choice":
        values = choice_values(spec)
        if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) not in values:
            raise FieldInvalid("invalid_choice", choices=", ".join(values))
        return str(value)
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise FieldInvalid("not_a_boolean")
        if spec.get("required") and not value:
            raise FieldInvalid("must_be_checked")
        return value
    if kind == "phone":
        return _identifier(phone_clean, value)
    if kind == "tax_code":
        return _identifier(tax_code_clean, value)
    if kind == "email":
        return _clean_email(value)
    if kind == "address":
        return _clean_address(spec, value)
    raise FieldInvalid("not_text")  # a type the definition check would have refused


def _identifier(clean: Any, value: Any) -> str:
    try:
        result: str = clean(value)
    except InvalidIdentifier as exc:
        raise FieldInvalid(exc.code, **exc.params) from exc
    return result


def _clean_text(spec: Mapping[str, Any], value: Any, *, kind: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FieldInvalid("not_text")
    text = unicodedata.normalize("NFC", str(value)).strip()
    if kind == "text":
        text = _SPACES.sub(" ", text)
    limit = int(spec.get("max_length") or DEFAULT_MAX_LENGTH[kind])
    if len(text) > limit:
        raise FieldInvalid("too_long", max=limit)
    return text


def _clean_number(spec: Mapping[str, Any], value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FieldInvalid("not_a_number")
    text = str(value).strip().replace(" ", "")
    if isinstance(value, str) and "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise FieldInvalid("not_a_number") from exc
    if not number.is_finite():
        raise FieldInvalid("not_a_number")
    integral = number == number.to_integral_value()
    if spec.get("integer") and not integral:
        raise FieldInvalid("not_an_integer")
    if spec.get("min") is not None and number < Decimal(str(spec["min"])):
        raise FieldInvalid("below_min", min=spec["min"])
    if spec.get("max") is not None and number > Decimal(str(spec["max"])):
        raise FieldInvalid("above_max", max=spec["max"])
    return int(number) if integral else float(number)


def parse_date(value: Any) -> dt.date:
    """`YYYY-MM-DD` or `DD/MM/YYYY`, a real date; FieldInvalid("invalid_date") otherwise."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATE.match(text):
                return dt.date.fromisoformat(text)
            match = _VN_DATE.match(text)
            if match:
                return dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            pass
    raise FieldInvalid("invalid_date")


def _bound(value: Any, *, today: dt.date) -> dt.date | None:
    if value is None:
        return None
    return today if value == "today" else dt.date.fromisoformat(str(value))


def _clean_date(spec: Mapping[str, Any], value: Any, *, today: dt.date) -> dt.date:
    day = parse_date(value)
    low, high = _bound(spec.get("min"), today=today), _bound(spec.get("max"), today=today)
    if low is not None and day < low:
        raise FieldInvalid("date_before_min", min=low.strftime("%d/%m/%Y"))
    if high is not None and day > high:
        raise FieldInvalid("date_after_max", max=high.strftime("%d/%m/%Y"))
    return day


def _clean_email(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) > 254:
        raise FieldInvalid("invalid_email")
    text = value.strip()
    try:
        validate_email(text)
    except DjangoValidationError as exc:
        raise FieldInvalid("invalid_email") from exc
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _clean_address(spec: Mapping[str, Any], value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or set(value) - {"province", "ward", "street", "text"}:
        raise FieldInvalid("invalid_address")
    raw_province, raw_ward = value.get("province"), value.get("ward")
    if not all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in (raw_province, raw_ward)
    ):
        raise FieldInvalid("invalid_address")
    province_code, ward_code = str(raw_province).strip(), str(raw_ward).strip()
    if not _CODE.match(province_code) or not _CODE.match(ward_code):
        raise FieldInvalid("invalid_address")
    try:
        province = Province.from_code(ProvinceCode(int(province_code)))
    except (ValueError, KeyError) as exc:
        raise FieldInvalid("unknown_province", province=province_code) from exc
    try:
        ward = Ward.from_code(WardCode(int(ward_code)))
    except (ValueError, KeyError) as exc:
        raise FieldInvalid("unknown_ward", ward=ward_code) from exc
    if ward.province_code != province.code:
        raise FieldInvalid("ward_not_in_province", ward=ward.name, province=province.name)
    street = value.get("street") or ""
    if not isinstance(street, str):
        raise FieldInvalid("invalid_address")
    street = _SPACES.sub(" ", unicodedata.normalize("NFC", street)).strip()
    limit = int(spec.get("max_length") or DEFAULT_MAX_LENGTH["address"])
    if len(street) > limit:
        raise FieldInvalid("too_long", max=limit)
    return {
        "province": f"{int(province.code):02d}",
        "ward": f"{int(ward.code):05d}",
        "street": street,
        "text": ", ".join(part for part in (street, ward.name, province.name) if part),
    }


def _clean_personal_id(
    spec: Mapping[str, Any],
    value: Any,
    *,
    clean: Mapping[str, Any],
    identity: Identity | None,
    today: dt.date,
) -> str:
    """12 digits, a province code, a birth year not in the future and, where the form or the
    profile knows the person's date of birth, that year."""
    birth: dt.date | None = None
    linked = spec.get("date_of_birth_field")
    if linked and clean.get(str(linked)):
        birth = dt.date.fromisoformat(str(clean[str(linked)]))
    elif (
        spec.get("prefill") == "profile.personal_id"
        and identity is not None
        and identity.personal_id
        and _comparable(value) == _comparable(identity.personal_id)
    ):
        birth = identity.date_of_birth
    try:
        return personal_id_parse(value, date_of_birth=birth, today=today).number
    except InvalidIdentifier as exc:
        raise FieldInvalid(exc.code, **exc.params) from exc
