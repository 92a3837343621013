"""Reads of counter reception (issue 8 item 2): where the officer receives, who the applicant
is (account, earlier dossiers, data store), the competent unit of a procedure, and the
checklist of a version's components. Writes are in `services.counter`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import Component, ProcedureVersion
from motcua.core.clock import local
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.identifiers import InvalidIdentifier, personal_id_clean, phone_clean
from motcua.core.services import data_access_record
from motcua.documents.kinds import component_kind
from motcua.documents.models import DataStoreItem
from motcua.documents.selectors import datastore_items_for
from motcua.organisation.models import Role, RoleAssignment, ServicePoint, Unit

from .models import Dossier
from .selectors import dossier_list_for_actor
from .services.counter import certified_copy_allowed, component_paper_forms, national_data_allowed
from .services.reception import _competent_unit

#: Earlier dossiers shown for an applicant.
EARLIER_DOSSIERS = 5


@dataclass(frozen=True)
class CounterPost:
    """Where an officer receives: the unit and, when the assignment names one, the service
    point."""

    unit: Unit
    service_point: ServicePoint | None

    @property
    def key(self) -> str:
        return f"{self.unit.pk}:{self.service_point.pk if self.service_point else ''}"

    @property
    def label(self) -> str:
        return (
            f"{self.service_point.name} — {self.unit.name}"
            if self.service_point
            else self.unit.name
        )


def counter_posts(*, actor: User) -> list[CounterPost]:
    """The units (and service points) where `actor` is a one-stop officer, by unit code."""
    if not actor.is_authenticated or not actor.is_active:
        return []
    return [
        CounterPost(unit=a.unit, service_point=a.service_point)
        for a in RoleAssignment.objects.filter(user=actor, role=Role.OFFICER, unit__is_active=True)
        .select_related("unit", "service_point")
        .order_by("unit__code", "id")
    ]


def counter_number_clean(value: str, *, today: dt.date) -> tuple[str, str]:
    """A personal identification number (12 digits, checked: `core.identifiers`) or a
    phone number: `("personal_id" | "phone", normalised)`; ValidationError otherwise."""
    text = (value or "").strip()
    digits = text.replace(" ", "")
    if len(digits) == 12 and digits.isdigit():
        try:
            return "personal_id", personal_id_clean(digits, today=today)
        except InvalidIdentifier as error:
            raise ValidationError(
                error.message(),
                code=error.code,
                errors=[{"field": "number", "code": error.code, "message": error.message()}],
            ) from None
    try:
        return "phone", phone_clean(text)
    except InvalidIdentifier:
        message = _("Nhập số định danh cá nhân (12 chữ số) hoặc số điện thoại của người nộp hồ sơ.")
        raise ValidationError(
            message,
            code="number_invalid",
            errors=[{"field": "number", "code": "number_invalid", "message": str(message)}],
        ) from None


@dataclass
class CounterApplicant:
    """The applicant as the counter knows them: the account (if any) and its details, their
    earlier dossiers the officer may see, and their data store (valid items)."""

    number_kind: str
    number: str
    account: User | None = None
    full_name: str = ""
    personal_id: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    verified: bool = False
    dossiers: list[Dossier] = field(default_factory=list)
    items: list[DataStoreItem] = field(default_factory=list)


def counter_applicant_find(*, actor: User, number: str, now: dt.datetime) -> CounterApplicant:
    """Look the applicant up by personal identification number or phone (officers only:
    PermissionDenied otherwise). The search is logged (`core.DataAccessLog`, subject
    `counter_applicant`, purpose `counter_reception`) whether or not anyone is found; the
    data store is read only for a verified identity or the number given."""
    if not counter_posts(actor=actor):
        raise PermissionDenied(_("Chỉ công chức một cửa tiếp nhận hồ sơ tại quầy."))
    kind, value = counter_number_clean(number, today=local(now).date())
    found = CounterApplicant(number_kind=kind, number=value)
    accounts = User.objects.filter(is_active=True, kind=User.Kind.CITIZEN)
    account = (
        (
            accounts.filter(personal_id=value)
            if kind == "personal_id"
            else accounts.filter(phone=value)
        )
        .order_by("-identity_verified_at", "id")
        .first()
    )
    data_access_record(
        actor=actor,
        subject_type="counter_applicant",
        subject_id=value,
        purpose="counter_reception",
        now=now,
    )
    if account is not None:
        found.account = account
        found.full_name = account.full_name
        found.personal_id = account.personal_id
        found.date_of_birth = account.date_of_birth
        found.phone = account.phone
        found.email = account.email
        found.address = account.address
        found.verified = account.identity_verified_at is not None
    elif kind == "personal_id":
        found.personal_id = value
    else:
        found.phone = value
    if found.personal_id:
        found.dossiers = list(
            dossier_list_for_actor(actor=actor, search=found.personal_id)[:EARLIER_DOSSIERS]
        )
        if not found.full_name and found.dossiers:
            latest = found.dossiers[0]  # no account: the details of the latest dossier
            found.full_name = latest.applicant_name
            found.phone = found.phone or latest.applicant_phone
            found.email = latest.applicant_email
            found.address = latest.applicant_address
        found.items = list(datastore_items_for(owner_key=found.personal_id, now=now))
    return found


@dataclass
class ChecklistRow:
    """One component of the checklist: how it may be provided and the matching data store
    items."""

    component: Component
    paper_forms: list[str]
    certified_copy_allowed: bool
    national_data: bool
    items: list[DataStoreItem]


def counter_checklist(
    *, version: ProcedureVersion, items: list[DataStoreItem]
) -> list[ChecklistRow]:
    """The version's components in order, each with the applicant's data store items of the
    kind it asks for."""
    rows = []
    for component in Component.objects.filter(version=version).order_by("order", "id"):
        kind = component_kind(
            document_kind=component.document_kind,
            procedure_code=version.procedure.code,
            component_code=component.code,
        )
        rows.append(
            ChecklistRow(
                component=component,
                paper_forms=component_paper_forms(component),
                certified_copy_allowed=certified_copy_allowed(component),
                national_data=national_data_allowed(component)
                and national_data_configured(component.national_database),
                items=[i for i in items if i.kind == kind],
            )
        )
    return rows


def national_data_configured(database: str) -> bool:
    """Is a connector configured for `database` (`MOTCUA_NATIONAL_DATA`)? Without one the
    checklist does not offer national data (the paper is filed)."""
    config: dict[str, Any] = getattr(settings, "MOTCUA_NATIONAL_DATA", {}) or {}
    entry = config.get(database) or config.get("*")
    return bool(entry and entry.get("connector"))


def counter_competent_unit(
    *, version: ProcedureVersion, receiving_unit: Unit
) -> tuple[Unit | None, list[Unit]]:
    """The unit that will settle a dossier of `version` received at `receiving_unit`, as the
    reception service resolves it; when it cannot (a procedure settled by a kind of unit the
    receiving one is not), None and the active units of those kinds to choose from."""
    try:
        return _competent_unit(
            version=version, receiving_unit=receiving_unit, handling_unit=None
        ), []
    except ValidationError:
        kinds: list[Any] = list(version.procedure.competent_unit_kinds or [])
        return None, list(Unit.objects.filter(is_active=True, kind__in=kinds).order_by("name"))
