"""Who may file, in whose name, and the e-form checked against that identity.

The rule (docs/api.md "Submission rules"; ADR 0006):
- a citizen (or any person's account) files **in their own name**: an applicant name or
  identification number given with the dossier must be the account's (`applicant_mismatch`);
- an organisation account files in the organisation's name and tax code, the same way;
- filing **for someone else** is recorded in `representative`: the *principal* (for whom:
  name, identification number or tax code, relationship or authorisation document). The
  dossier's applicant stays the account that filed;
- an integrated system (integrator) files on behalf of a named applicant (name and a valid
  identification number or tax code); its account is the submitter, never the applicant;
- accounts file **online only** (`channel_not_allowed`); counter and postal dossiers are
  registered by a one-stop officer (`dossier_receive_at_counter`), who types the applicant's
  details: the e-form is checked but no identity is locked.
Private to `motcua.dossiers.services`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.eforms import FieldInvalid, Identity, eform_clean, lazy_message, parse_date
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import ValidationError
from motcua.core.identifiers import (
    MESSAGES as IDENTIFIER_MESSAGES,
)
from motcua.core.identifiers import (
    InvalidIdentifier,
    personal_id_parse,
    phone_clean,
    tax_code_clean,
)

from ..models import Channel

PRINCIPAL_KINDS = ("person", "organisation")
BASIS_KEYS = ("relationship", "authorisation_document")
REPRESENTATIVE_KEYS = (
    "principal_kind",
    "principal_name",
    "principal_id_number",
    "principal_date_of_birth",
    "relationship",
    "authorisation_document",
)
MESSAGES = {
    "required": _("Trường này là bắt buộc."),
    "unknown_field": _("Không có trường này."),
    "not_text": _("Phải là chuỗi ký tự."),
    "too_long": _("Dài quá %(max)s ký tự."),
    "invalid_choice": _("Giá trị không thuộc danh sách: %(choices)s."),
    "invalid_date": _("Ngày không có thật hoặc sai dạng (YYYY-MM-DD hoặc DD/MM/YYYY)."),
    "invalid_email": _("Địa chỉ thư điện tử không hợp lệ."),
    "id_number_format": _(
        "Cần số định danh cá nhân (12 chữ số) hoặc mã số thuế (10 chữ số, hoặc NNNNNNNNNN-NNN)."
    ),
    "applicant_mismatch": _(
        "Tài khoản chỉ nộp hồ sơ đứng tên chính mình; nộp thay người khác thì ghi người đó "
        "vào mục người ủy quyền (representative)."
    ),
    "representative_basis_required": _("Cần ghi quan hệ với người ủy quyền hoặc văn bản ủy quyền."),
    "representative_is_applicant": _("Người ủy quyền không thể là chính người nộp hồ sơ."),
}


def _error(field: str, code: str, **params: Any) -> dict[str, Any]:
    template = MESSAGES.get(code) or IDENTIFIER_MESSAGES[code]
    return {"field": field, "code": code, "message": lazy_message(template, params)}


def same_name(a: str, b: str) -> bool:
    """Names compare without case, extra spaces or Unicode composition differences."""

    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split()).casefold()

    return fold(a) == fold(b)


def require_online(*, channel: int) -> None:
    """Accounts (citizens, organisations, integrated systems) file online only."""
    if int(channel) != Channel.ONLINE:
        raise ValidationError(
            _(
                "Tài khoản chỉ nộp hồ sơ trực tuyến; hồ sơ nộp trực tiếp hoặc qua bưu chính do "
                "cán bộ một cửa tiếp nhận."
            ),
            code="channel_not_allowed",
            errors=[_error("channel", "invalid_choice", choices="online")],
        )


def own_name(
    *,
    account: User,
    applicant_name: str | None,
    applicant_id_number: str | None,
    today: dt.date,
) -> tuple[str | None, str | None]:
    """A person or organisation account files in its own name: what it gives must be what the
    account holds (names compared loosely, numbers normalised). Returns the values to record
    (None: take the account's)."""
    organisation = account.kind == User.Kind.ORGANISATION
    held_number = account.organisation_id_number if organisation else account.personal_id
    errors = []
    name = (applicant_name or "").strip()
    if name and account.full_name and not same_name(name, account.full_name):
        errors.append(_error("applicant_name", "applicant_mismatch"))
    number = (applicant_id_number or "").strip()
    if number:
        try:
            number = id_number_clean(number, organisation=organisation, today=today)
        except FieldInvalid as exc:
            errors.append(_error("applicant_id_number", exc.code, **exc.params))
        else:
            if held_number and number != held_number.replace(" ", ""):
                errors.append(_error("applicant_id_number", "applicant_mismatch"))
    if errors:
        raise ValidationError(
            MESSAGES["applicant_mismatch"], code="applicant_mismatch", errors=errors
        )
    return (None if account.full_name or not name else name), (
        None if held_number or not number else number
    )


def id_number_clean(
    value: str, *, organisation: bool | None = None, today: dt.date | None = None
) -> str:
    """A personal identification number (12 digits) or a tax code. `organisation`: True only
    a tax code, False only a personal number, None either (12 digits: a personal number)."""
    text = "".join(value.split())
    personal = organisation is False or (
        organisation is None and len(text) == 12 and text.isascii() and text.isdigit()
    )
    if personal:
        try:
            return personal_id_parse(text, today=today).number
        except InvalidIdentifier as exc:
            raise FieldInvalid(exc.code, **exc.params) from exc
    try:
        return tax_code_clean(text)
    except InvalidIdentifier as exc:
        raise FieldInvalid("id_number_format" if organisation is None else exc.code) from exc


def contact_details_check(
    *, id_number: str | None, phone: str | None, email: str | None, today: dt.date
) -> dict[str, str | None]:
    """The applicant's identification number, phone and e-mail *as given* (None: not given),
    checked and normalised. Raises `applicant_invalid` with a field error each."""
    errors = []
    out: dict[str, str | None] = {"id_number": None, "phone": None, "email": None}
    if id_number is not None and id_number.strip():
        try:
            out["id_number"] = id_number_clean(id_number, today=today)
        except FieldInvalid as exc:
            errors.append(_error("applicant_id_number", exc.code, **exc.params))
    if phone is not None and phone.strip():
        try:
            out["phone"] = phone_clean(phone)
        except InvalidIdentifier as exc:
            errors.append(_error("applicant_phone", exc.code))
    if email is not None and email.strip():
        try:
            validate_email(email.strip())
            out["email"] = email.strip()
        except DjangoValidationError:
            errors.append(_error("applicant_email", "invalid_email"))
    if errors:
        raise ValidationError(
            _("Thông tin người nộp hồ sơ chưa hợp lệ."), code="applicant_invalid", errors=errors
        )
    return out


def representative_clean(
    raw: Mapping[str, Any] | None, *, applicant_id_number: str, today: dt.date
) -> dict[str, Any]:
    """The principal a representative files for, checked: kind (person | organisation), name,
    identification number (a person's 12 digits, consistent with the date of birth when
    given; an organisation's tax code), and the basis: a relationship (father, guardian,
    legal representative...) or an authorisation document. `{}` when nobody is represented."""
    if not raw:
        return {}
    errors: list[dict[str, Any]] = []

    def err(key: str, code: str, **params: Any) -> None:
        errors.append(_error(f"representative.{key}", code, **params))

    for key in raw:
        if key not in REPRESENTATIVE_KEYS:
            err(str(key), "unknown_field")

    def text(key: str, *, limit: int, required: bool = False) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                err(key, "required")
            return ""
        if not isinstance(value, str):
            err(key, "not_text")
            return ""
        value = " ".join(value.split())
        if len(value) > limit:
            err(key, "too_long", max=limit)
        return value

    kind = text("principal_kind", limit=20) or "person"
    if kind not in PRINCIPAL_KINDS:
        err("principal_kind", "invalid_choice", choices=", ".join(PRINCIPAL_KINDS))
    clean: dict[str, Any] = {
        "principal_kind": kind,
        "principal_name": text("principal_name", limit=200, required=True),
    }
    birth: dt.date | None = None
    if raw.get("principal_date_of_birth") and kind == "person":
        try:
            birth = parse_date(raw.get("principal_date_of_birth"))
        except FieldInvalid:
            err("principal_date_of_birth", "invalid_date")
        else:
            clean["principal_date_of_birth"] = birth.isoformat()
    number = text("principal_id_number", limit=20, required=True)
    if number and kind in PRINCIPAL_KINDS:
        try:
            if kind == "organisation":
                clean["principal_id_number"] = id_number_clean(number, organisation=True)
            else:
                clean["principal_id_number"] = personal_id_parse(
                    number, date_of_birth=birth, today=today
                ).number
        except (FieldInvalid, InvalidIdentifier) as exc:
            err("principal_id_number", exc.code, **getattr(exc, "params", {}))
        else:
            if clean["principal_id_number"] == applicant_id_number:
                err("principal_id_number", "representative_is_applicant")
    for key, limit in (("relationship", 100), ("authorisation_document", 200)):
        value = text(key, limit=limit)
        if value:
            clean[key] = value
    basis_errors = [e for e in errors if e["field"].endswith(BASIS_KEYS)]
    if not any(clean.get(key) for key in BASIS_KEYS) and not basis_errors:
        err("authorisation_document", "representative_basis_required")
    if errors:
        raise ValidationError(
            _("Thông tin người ủy quyền chưa hợp lệ."), code="representative_invalid", errors=errors
        )
    return clean


def typed_identity(
    *,
    account: User | None,
    name: str,
    id_number: str,
    phone: str,
    email: str,
    address: str,
) -> Identity:
    """The identity an officer or an integrated system gives: prefill, nothing locked."""
    organisation = account is not None and account.kind == User.Kind.ORGANISATION
    personal = len(id_number) == 12 and id_number.isascii() and id_number.isdigit()
    return Identity(
        full_name=name,
        personal_id=id_number if personal else "",
        date_of_birth=account.date_of_birth if account is not None and not organisation else None,
        phone=phone,
        email=email,
        address=address,
        organisation_name=name if organisation else "",
        tax_code=id_number if not personal else "",
        organisation_address=address if organisation else "",
    )


def with_principal(identity: Identity, representative: Mapping[str, Any]) -> Identity:
    """Filing for an organisation: its name and tax code prefill the organisation fields."""
    if representative.get("principal_kind") != "organisation":
        return identity
    return dataclasses.replace(
        identity,
        organisation_name=representative["principal_name"],
        tax_code=representative["principal_id_number"],
        organisation_address="",
        locked=identity.locked - {"organisation.name", "organisation.tax_code"},
    )


def form_clean(
    *, version: ProcedureVersion, form_data: Any, identity: Identity | None, today: dt.date
) -> dict[str, Any]:
    """The version's e-form applied to the data (see `catalog.eforms.eform_clean`)."""
    return eform_clean(eform=version.eform, data=form_data, identity=identity, today=today)
