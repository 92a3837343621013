"""Organisations known by their tax code, and the people who may act for them.

A person registers an organisation by its tax code; the code and the name are checked
against a business registry (`settings.MOTCUA_BUSINESS_REGISTRY`; the default,
`VerifiedAccountsRegistry`, knows the organisations whose own account was verified, such as
the demo business of `load_demo`). The person who registers it becomes its legal
representative. A legal representative authorises other people (found by their phone
number, e-mail address or personal identification number) for a period, and revokes them.

`organisations_for(person=, now=)` answers, for the apply journey, which organisations a
person may file for now (docs/accounts.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from motcua.core.identifiers import (
    InvalidIdentifier,
    personal_id_clean,
    phone_clean,
    tax_code_clean,
)
from motcua.core.services import audit_record

from .models import AuthorisationRole, BusinessOrganisation, OrganisationAuthorisation, User
from .signup import email_normalise

MESSAGES = {
    "unknown_tax_code": _(
        "Không tìm thấy tổ chức có mã số thuế %(tax_code)s trong cơ sở dữ liệu đăng ký doanh "
        "nghiệp. Kiểm tra lại mã số thuế."
    ),
    "already_registered": _(
        "Tổ chức này đã được đăng ký trên cổng. Hãy đề nghị người đại diện theo pháp luật của "
        "tổ chức cấp quyền cho bạn."
    ),
    "representative_required": _("Xác nhận bạn là người đại diện theo pháp luật của tổ chức."),
    "not_representative": _(
        "Chỉ người đại diện theo pháp luật của tổ chức mới cấp hoặc thu hồi quyền."
    ),
    "person_unknown": _(
        "Không tìm thấy tài khoản có số điện thoại, thư điện tử hoặc số định danh này. Người "
        "được cấp quyền cần tạo tài khoản trước."
    ),
    "person_required": _(
        "Nhập số điện thoại, thư điện tử hoặc số định danh cá nhân của người được cấp quyền."
    ),
    "person_ambiguous": _(
        "Có nhiều tài khoản cùng thông tin này: hãy dùng số định danh cá nhân của người đó."
    ),
    "not_a_citizen": _("Chỉ cấp quyền cho tài khoản cá nhân."),
    "already_authorised": _("Người này đang có quyền thay mặt tổ chức."),
    "period_invalid": _("Ngày hết hiệu lực phải sau ngày bắt đầu."),
    "period_past": _("Ngày hết hiệu lực phải sau hôm nay."),
    "self_revoke": _(
        "Người đại diện theo pháp luật không tự thu hồi quyền của mình trên cổng: khi thay "
        "người đại diện, hãy liên hệ bộ phận một cửa."
    ),
    "already_revoked": _("Quyền này đã được thu hồi hoặc đã hết hiệu lực."),
}


@dataclass(frozen=True)
class BusinessRecord:
    tax_code: str
    name: str
    address: str = ""


class BusinessRegistry(Protocol):
    """Looks a tax code up in a business registration database."""

    name: str

    def lookup(self, tax_code: str) -> BusinessRecord | None: ...


class VerifiedAccountsRegistry:
    """Knows the organisations whose own account (kind `organisation`) has a verified
    identity with this tax code: in the demo, the business of `load_demo`."""

    name = "verified_accounts"

    def lookup(self, tax_code: str) -> BusinessRecord | None:
        account = (
            User.objects.filter(
                kind=User.Kind.ORGANISATION,
                organisation_id_number=tax_code,
                identity_verified_at__isnull=False,
            )
            .order_by("pk")
            .first()
        )
        if account is None:
            return None
        return BusinessRecord(tax_code=tax_code, name=account.full_name, address=account.address)


def business_registry() -> BusinessRegistry:
    registry: BusinessRegistry = import_string(settings.MOTCUA_BUSINESS_REGISTRY)()
    return registry


def _error(field: str, code: str, message: object) -> ValidationError:
    text = str(message)
    return ValidationError(
        text, code=code, errors=[{"field": field, "code": code, "message": text}]
    )


def organisation_tax_code_check(*, tax_code: str) -> BusinessRecord:
    """The registry's record of `tax_code` (to show the person before they register)."""
    try:
        code = tax_code_clean(tax_code)
    except InvalidIdentifier as exc:
        raise _error("tax_code", exc.code, exc.message()) from exc
    record = business_registry().lookup(code)
    if record is None:
        raise _error(
            "tax_code", "unknown_tax_code", MESSAGES["unknown_tax_code"] % {"tax_code": code}
        )
    return record


def organisation_register(
    *, person: User, tax_code: str, is_legal_representative: bool, now: dt.datetime
) -> BusinessOrganisation:
    """Register the organisation of `tax_code` with `person` as its legal representative
    (they state it; the registry gives the name and address). One transaction with an audit
    event. Refused: an invalid or unknown tax code, the statement not made, an organisation
    already registered (`already_registered`: its legal representative authorises others)."""
    if not is_legal_representative:
        raise _error(
            "is_legal_representative",
            "representative_required",
            MESSAGES["representative_required"],
        )
    if person.kind != User.Kind.CITIZEN:
        raise PermissionDenied(MESSAGES["not_a_citizen"], code="not_a_citizen")
    record = organisation_tax_code_check(tax_code=tax_code)
    registry = business_registry()
    try:
        with transaction.atomic():
            if BusinessOrganisation.objects.filter(tax_code=record.tax_code).exists():
                raise Conflict(MESSAGES["already_registered"], code="already_registered")
            organisation = BusinessOrganisation.objects.create(
                tax_code=record.tax_code,
                name=record.name,
                address=record.address,
                registered_by=person,
                registered_at=now,
                source=registry.name,
            )
            authorisation = OrganisationAuthorisation.objects.create(
                organisation=organisation,
                person=person,
                role=AuthorisationRole.LEGAL_REPRESENTATIVE,
                valid_from=now,
                granted_by=person,
                granted_at=now,
            )
            audit_record(
                actor=person,
                action="organisation.register",
                object_type="accounts.businessorganisation",
                object_id=organisation.pk,
                now=now,
                after={
                    "tax_code": organisation.tax_code,
                    "source": registry.name,
                    "authorisation": authorisation.pk,
                },
            )
    except IntegrityError as exc:  # registered by someone else at the same moment
        raise Conflict(MESSAGES["already_registered"], code="already_registered") from exc
    return organisation


def _representative(*, organisation: BusinessOrganisation, person: User, now: dt.datetime) -> None:
    if (
        not _active(now)
        .filter(
            organisation=organisation, person=person, role=AuthorisationRole.LEGAL_REPRESENTATIVE
        )
        .exists()
    ):
        raise PermissionDenied(MESSAGES["not_representative"], code="not_representative")


def person_find(*, who: str) -> User:
    """The citizen account a phone number, e-mail address or personal identification number
    names. ValidationError (field `who`) when none or several do."""
    text = (who or "").strip()
    if not text:
        raise _error("who", "person_required", MESSAGES["person_required"])
    people = User.objects.filter(is_active=True)
    if "@" in text:
        try:
            people = people.filter(email__iexact=email_normalise(text))
        except ValueError:
            raise _error("who", "person_unknown", MESSAGES["person_unknown"]) from None
    else:
        digits = text.replace(" ", "")
        try:
            people = people.filter(personal_id=personal_id_clean(digits))
        except InvalidIdentifier:
            try:
                people = people.filter(phone=phone_clean(text))
            except InvalidIdentifier:
                raise _error("who", "person_unknown", MESSAGES["person_unknown"]) from None
    found = list(people.order_by("pk")[:2])
    if not found:
        raise _error("who", "person_unknown", MESSAGES["person_unknown"])
    if len(found) > 1:
        raise _error("who", "person_ambiguous", MESSAGES["person_ambiguous"])
    if found[0].kind != User.Kind.CITIZEN:
        raise _error("who", "not_a_citizen", MESSAGES["not_a_citizen"])
    return found[0]


def organisation_authorise(
    *,
    organisation: BusinessOrganisation,
    actor: User,
    who: str,
    valid_from: dt.datetime,
    valid_to: dt.datetime | None,
    now: dt.datetime,
) -> OrganisationAuthorisation:
    """The legal representative `actor` authorises the person `who` names (phone, e-mail or
    personal identification number) to act for `organisation` from `valid_from` until
    `valid_to` (None: until revoked). Refused: `actor` is not its legal representative now,
    nobody or several people match, the person already has a standing authorisation, a
    period that ends before it starts or before now."""
    with transaction.atomic():
        BusinessOrganisation.objects.select_for_update().filter(pk=organisation.pk).first()
        _representative(organisation=organisation, person=actor, now=now)
        person = person_find(who=who)
        if valid_to is not None and valid_to <= valid_from:
            raise _error("valid_to", "period_invalid", MESSAGES["period_invalid"])
        if valid_to is not None and valid_to <= now:
            raise _error("valid_to", "period_past", MESSAGES["period_past"])
        standing = (
            OrganisationAuthorisation.objects.filter(
                organisation=organisation, person=person, revoked_at__isnull=True
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
            .exists()
        )
        if standing:
            raise _error("who", "already_authorised", MESSAGES["already_authorised"])
        authorisation = OrganisationAuthorisation.objects.create(
            organisation=organisation,
            person=person,
            role=AuthorisationRole.AUTHORISED,
            valid_from=valid_from,
            valid_to=valid_to,
            granted_by=actor,
            granted_at=now,
        )
        audit_record(
            actor=actor,
            action="organisation.authorise",
            object_type="accounts.organisationauthorisation",
            object_id=authorisation.pk,
            now=now,
            after={
                "organisation": organisation.tax_code,
                "person": person.pk,
                "role": authorisation.role,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )
    return authorisation


def organisation_authorisation_revoke(
    *, authorisation: OrganisationAuthorisation, actor: User, now: dt.datetime, reason: str = ""
) -> OrganisationAuthorisation:
    """The legal representative revokes an authorisation from `now` on (the row stays: who
    could act when). The authorised person may also give up their own. Refused: anyone else,
    the legal representative's own role, one already revoked or ended."""
    with transaction.atomic():
        locked = OrganisationAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if locked.person_id != actor.pk:
            _representative(organisation=locked.organisation, person=actor, now=now)
        if locked.role == AuthorisationRole.LEGAL_REPRESENTATIVE:
            raise PermissionDenied(MESSAGES["self_revoke"], code="self_revoke")
        if locked.revoked_at is not None or (
            locked.valid_to is not None and locked.valid_to <= now
        ):
            raise Conflict(MESSAGES["already_revoked"], code="already_revoked")
        locked.revoked_at = now
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="organisation.authorisation_revoke",
            object_type="accounts.organisationauthorisation",
            object_id=locked.pk,
            now=now,
            before={"revoked_at": None},
            after={"organisation": locked.organisation.tax_code, "revoked_at": now},
            reason=reason,
        )
    authorisation.revoked_at = locked.revoked_at
    authorisation.revoked_by = actor
    return authorisation


def _active(now: dt.datetime) -> QuerySet[OrganisationAuthorisation]:
    return OrganisationAuthorisation.objects.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__gt=now),
        Q(valid_to__isnull=True) | Q(valid_to__gt=now),
        valid_from__lte=now,
    )


@dataclass(frozen=True)
class OrganisationForPerson:
    """An organisation a person may act for now, and in which role until when."""

    organisation: BusinessOrganisation
    authorisation: OrganisationAuthorisation

    @property
    def is_legal_representative(self) -> bool:
        return self.authorisation.role == AuthorisationRole.LEGAL_REPRESENTATIVE


def organisations_for(*, person: User, now: dt.datetime) -> list[OrganisationForPerson]:
    """The organisations `person` may file dossiers for at `now`: their authorisation has
    started, has not ended and was not revoked. By name. One query."""
    if not person.is_authenticated or person.pk is None:
        return []
    rows = (
        _active(now)
        .filter(person=person)
        .select_related("organisation")
        .order_by("organisation__name", "organisation__pk", "pk")
    )
    seen: set[int] = set()
    result = []
    for row in rows:
        if row.organisation_id in seen:
            continue
        seen.add(row.organisation_id)
        result.append(OrganisationForPerson(organisation=row.organisation, authorisation=row))
    return result


def organisation_get_for_person(
    *, person: User, organisation_id: int, now: dt.datetime
) -> OrganisationForPerson:
    """One organisation `person` may act for now, else NotFound (as one that does not exist)."""
    for item in organisations_for(person=person, now=now):
        if item.organisation.pk == organisation_id:
            return item
    raise NotFound(_("Không tìm thấy tổ chức."), code="not_found")


def organisation_people(
    *, organisation: BusinessOrganisation
) -> QuerySet[OrganisationAuthorisation]:
    """Every authorisation of the organisation, standing ones first, newest first."""
    return (
        OrganisationAuthorisation.objects.filter(organisation=organisation)
        .select_related("person", "granted_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-valid_from", "-pk")
    )
