"""A person's own profile (`/profile/`): name, personal identification number, date of birth,
address on the two-level units, phone, e-mail.

What the identity provider verified (`identity_verified_at`: the name, the number and the
date of birth, as `catalog.eforms.PERSON_IDENTITY` locks them on the e-forms) cannot be
changed here: a sign-in through VNeID brings them up to date. A new phone or e-mail goes
through the confirmation seam (`accounts.contact`) and must not be another account's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.core.addresses import InvalidAddress, address_clean
from motcua.core.clock import local
from motcua.core.errors import ValidationError
from motcua.core.identifiers import InvalidIdentifier, personal_id_clean
from motcua.core.services import audit_record

from .contact import contact_confirmation_request
from .models import ContactChannel, User
from .signup import TAKEN_MESSAGES, Contact, contact_parse, contact_taken, full_name_clean

#: The fields a verified identity locks (the e-forms lock the same: catalog.eforms).
VERIFIED_FIELDS = frozenset({"full_name", "personal_id", "date_of_birth"})
FIELDS = frozenset({*VERIFIED_FIELDS, "address", "phone", "email"})
EARLIEST_BIRTH = dt.date(1900, 1, 1)

MESSAGES = {
    "verified": _(
        "Thông tin này đã được xác thực qua %(source)s nên không sửa được ở đây. Nếu thông tin "
        "sai, hãy liên hệ cơ quan công an để cập nhật Cơ sở dữ liệu quốc gia về dân cư."
    ),
    "date_required": _("Nhập ngày sinh theo dạng ngày/tháng/năm, ví dụ 12/05/1990."),
    "date_future": _("Ngày sinh phải trước hôm nay."),
    "date_too_early": _("Ngày sinh phải từ năm 1900 trở đi."),
    "personal_id_taken": _(
        "Số định danh này đã gắn với một tài khoản khác. Nếu đó là số của bạn, hãy đăng nhập "
        "bằng VNeID hoặc liên hệ bộ phận một cửa."
    ),
    "contact_last": _(
        "Tài khoản cần ít nhất một số điện thoại hoặc thư điện tử để đăng nhập: hãy thêm cái "
        "kia trước khi xoá cái này."
    ),
}


def verified_fields(user: User) -> frozenset[str]:
    """The fields of `user` locked by a verified identity (shown "đã xác thực qua VNeID")."""
    if user.identity_verified_at is None:
        return frozenset()
    return frozenset(f for f in VERIFIED_FIELDS if getattr(user, f) not in ("", None))


def identity_source_label(user: User) -> str:
    return "VNeID" if user.identity_source in ("", "vneid") else user.identity_source


def _error(field: str, code: str, message: object) -> ValidationError:
    text = str(message)
    return ValidationError(
        text, code=code, errors=[{"field": field, "code": code, "message": text}]
    )


def user_profile_update(*, user: User, changes: Mapping[str, Any], now: dt.datetime) -> User:
    """Apply `changes` to the person's own profile, in one transaction with an audit event
    naming the changed fields (never their values). Keys: `full_name`, `personal_id`,
    `date_of_birth` (a date), `address` (`{"province", "ward", "street"}`), `phone`, `email`.
    A value equal to the current one changes nothing (and records nothing).

    Refused with a ValidationError whose `errors` name the field, nothing changed: a field
    the identity provider verified (`verified`), an invalid value (the codes of
    `core.identifiers` and `core.addresses`), a number or contact another account has,
    removing the last contact."""
    unknown = set(changes) - FIELDS
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    locked = verified_fields(user) & set(changes)
    if locked:
        field = sorted(locked)[0]
        raise _error(
            field,
            "verified",
            MESSAGES["verified"] % {"source": identity_source_label(user)},
        )
    today = local(now).date()
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        values = _cleaned(locked_user, changes, today=today)
        changed = [name for name, value in values.items() if getattr(locked_user, name) != value]
        if not changed:
            return user
        for name in changed:
            setattr(locked_user, name, values[name])
            setattr(user, name, values[name])
        locked_user.save(update_fields=changed)
        for channel in (ContactChannel.PHONE, ContactChannel.EMAIL):
            if channel.value in changed and values[channel.value]:
                contact_confirmation_request(
                    person=locked_user, channel=channel, value=values[channel.value], now=now
                )
        audit_record(
            actor=user,
            action="user.profile_update",
            object_type="accounts.user",
            object_id=user.pk,
            now=now,
            after={"changed": sorted(_public_names(changed))},
        )
    return user


def _public_names(changed: list[str]) -> set[str]:
    return {"address" if name.startswith("address") else name for name in changed}


def _cleaned(user: User, changes: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The model fields to write, checked."""
    values: dict[str, Any] = {}
    if "full_name" in changes:
        values["full_name"] = full_name_clean(str(changes["full_name"] or ""))
    date_of_birth = user.date_of_birth
    if "date_of_birth" in changes:
        date_of_birth = changes["date_of_birth"]
        if not isinstance(date_of_birth, dt.date):
            raise _error("date_of_birth", "date_required", MESSAGES["date_required"])
        if date_of_birth >= today:
            raise _error("date_of_birth", "date_future", MESSAGES["date_future"])
        if date_of_birth < EARLIEST_BIRTH:
            raise _error("date_of_birth", "date_too_early", MESSAGES["date_too_early"])
        values["date_of_birth"] = date_of_birth
    personal_id = changes.get("personal_id", user.personal_id)
    if "personal_id" in changes or ("date_of_birth" in changes and personal_id):
        field = "personal_id" if "personal_id" in changes else "date_of_birth"
        try:
            number = personal_id_clean(personal_id, date_of_birth=date_of_birth, today=today)
        except InvalidIdentifier as exc:
            raise _error(field, exc.code, exc.message()) from exc
        if "personal_id" in changes:
            taken = User.objects.filter(personal_id=number).exclude(pk=user.pk).exists()
            if taken:
                raise _error("personal_id", "personal_id_taken", MESSAGES["personal_id_taken"])
            values["personal_id"] = number
    if "address" in changes:
        raw = changes["address"] or {}
        try:
            address = address_clean(
                province=raw.get("province", ""),
                ward=raw.get("ward", ""),
                street=raw.get("street", ""),
            )
        except InvalidAddress as exc:
            raise _error(f"address_{exc.field}", exc.code, exc.message()) from exc
        values.update(
            address_province_code=address.province_code,
            address_ward_code=address.ward_code,
            address_street=address.street,
            address=address.text,
        )
    for channel in (ContactChannel.PHONE, ContactChannel.EMAIL):
        if channel.value not in changes:
            continue
        raw_value = str(changes[channel.value] or "").strip()
        if not raw_value:
            other = (
                ContactChannel.EMAIL if channel == ContactChannel.PHONE else ContactChannel.PHONE
            )
            still = changes.get(other.value, getattr(user, other.value))
            if not still and not user.identity_source:
                raise _error(channel.value, "contact_last", MESSAGES["contact_last"])
            values[channel.value] = ""
            continue
        contact = _contact(channel, raw_value)
        if contact.value != getattr(user, channel.value) and contact_taken(
            contact=contact, exclude=user
        ):
            raise _error(channel.value, "contact_taken", TAKEN_MESSAGES[channel])
        values[channel.value] = contact.value
    return values


def _contact(channel: ContactChannel, value: str) -> Contact:
    """`value` read as the contact of `channel` (an e-mail in the phone field is refused)."""
    try:
        contact = contact_parse(value)
    except ValidationError as exc:
        raise _error(channel.value, exc.code, exc.render()) from exc
    if contact.channel != channel:
        message = (
            _("Nhập số điện thoại di động, ví dụ 0912345678.")
            if channel == ContactChannel.PHONE
            else _("Thư điện tử không hợp lệ, ví dụ: ten@example.vn.")
        )
        raise _error(channel.value, "wrong_contact_kind", message)
    return contact
