"""Counter reception with its checklist and files, in one transaction (domain.md section 3,
"Reception"; issue 8 item 2).

At the counter the officer checks each component of the version (handed in as an original
to compare, a copy, a certified copy where the catalog allows it, national data, or a paper
already in the applicant's data store), scans or uploads files, then either receives the
dossier (form 01), guides the applicant (form 02, no receipt) or refuses it (form 03).

- `dossier_receive_at_counter_with_files`: every required component must be provided
  (`components_missing`, with one error per component, nothing saved); then the dossier is
  received (`dossier_receive_at_counter`) and each file, reuse and national-data component
  is attached through its own service, **all in one transaction**: a bad file (or a reuse
  or national look-up refused) rolls the dossier, its code and every event back, and the
  bytes already stored are removed again.
- `dossier_guide_at_counter_with_files`: the same intake, incomplete: form 02 listing what
  is missing (the unprovided required components, with the officer's reasons, plus any
  free-text item), the files already scanned kept on the dossier for the applicant's return.
- `dossier_refuse_at_counter`: an ineligible paper dossier: registered and refused (1 -> 3,
  form 03 with the reason) in one transaction; no file is kept.

`certified_copy_allowed` is the one place that says whether a component may be asked as a
certified copy (Decree 280/2025: not where the procedure does not require it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import AcceptedForm, Component, ProcedureVersion
from motcua.core.errors import ValidationError
from motcua.documents.nationaldata.base import NationalRecordNotFound
from motcua.documents.services import stored_bytes_delete

from ..models import Channel, Dossier, DossierFile
from .capture import dossier_owner_key
from .datastore import (
    _log_national_read,
    dossier_component_from_national_data,
    dossier_component_reuse,
)
from .files import dossier_file_add
from .reception import (
    _register_at_counter,
    dossier_guide_at_counter,
    dossier_receive_at_counter,
    dossier_refuse,
)

#: How a component may be handed in at the counter, in the checklist's order.
PAPER_FORMS = (
    AcceptedForm.ORIGINAL,
    AcceptedForm.ORIGINAL_TO_COMPARE,
    AcceptedForm.COPY,
    AcceptedForm.CERTIFIED_COPY,
    AcceptedForm.ELECTRONIC_COPY,
    AcceptedForm.DECLARATION_FORM,
)


def certified_copy_allowed(component: Component) -> bool:
    """May this component be asked as a certified copy? Only where the catalog allows it
    (`Component.certified_copy_allowed`, the rule the guard enforces everywhere: Decree
    280/2025; Hanoi, Aug 2025: no abuse of certified copies)."""
    return component.certified_copy_allowed


def component_paper_forms(component: Component) -> list[str]:
    """The paper forms the officer may record for `component`: those the catalog accepts,
    a certified copy only where `certified_copy_allowed`; an original to compare always
    stands in for a copy (the officer compares and keeps the copy)."""
    accepted = set(component.accepted_forms or [])
    forms = [
        f
        for f in PAPER_FORMS
        if f in accepted and (f != AcceptedForm.CERTIFIED_COPY or certified_copy_allowed(component))
    ]
    if AcceptedForm.COPY in accepted and AcceptedForm.ORIGINAL_TO_COMPARE not in accepted:
        forms.insert(0, AcceptedForm.ORIGINAL_TO_COMPARE)
    return [str(f) for f in forms] or [str(AcceptedForm.ORIGINAL)]


def national_data_allowed(component: Component) -> bool:
    return bool(component.national_database) and AcceptedForm.NATIONAL_DATA in (
        component.accepted_forms or []
    )


@dataclass
class ComponentProvision:
    """What the officer recorded for one component: `checked` (the paper was handed in and
    checked, in `paper_form`), its scanned `files` (several images become one PDF), a data
    store item to reuse, or national data instead of the paper."""

    code: str
    checked: bool = False
    paper_form: str = ""
    files: list[Any] = field(default_factory=list)
    reuse_item: int | None = None
    national_data: bool = False

    @property
    def provided(self) -> bool:
        return self.checked or bool(self.files) or self.reuse_item is not None or self.national_data


def _components(version: ProcedureVersion) -> list[Component]:
    return list(Component.objects.filter(version=version).order_by("order", "id"))


def _provisions_check(
    *, components: list[Component], provisions: Sequence[ComponentProvision]
) -> None:
    """Unknown components, a certified copy where the catalog does not ask for one, and
    national data where the catalog does not accept it are refused before anything is
    written."""
    by_code = {c.code: c for c in components}
    errors: list[dict[str, str]] = []
    for provision in provisions:
        component = by_code.get(provision.code)
        if component is None:
            message = _("Thành phần hồ sơ “%(component)s” không thuộc thủ tục của hồ sơ này.")
            errors.append(
                {
                    "field": f"component-{provision.code}",
                    "code": "unknown_component",
                    "message": str(message) % {"component": provision.code},
                }
            )
            continue
        if provision.paper_form == AcceptedForm.CERTIFIED_COPY and not certified_copy_allowed(
            component
        ):
            message = _(
                "Thủ tục không yêu cầu bản sao chứng thực cho “%(component)s”: không được đòi "
                "bản sao chứng thực."
            )
            errors.append(
                {
                    "field": f"component-{component.code}",
                    "code": "certified_copy_not_required",
                    "message": str(message) % {"component": component.name},
                }
            )
        if provision.national_data and not national_data_allowed(component):
            message = _("Thành phần “%(component)s” không thay được bằng dữ liệu quốc gia.")
            errors.append(
                {
                    "field": f"component-{component.code}",
                    "code": "national_data_not_accepted",
                    "message": str(message) % {"component": component.name},
                }
            )
    if errors:
        raise ValidationError(
            _("Có thông tin thành phần hồ sơ không hợp lệ."),
            code="components_invalid",
            errors=errors,
        )


def counter_components_missing(
    *, components: Iterable[Component], provisions: Sequence[ComponentProvision]
) -> list[Component]:
    """The required components nothing was provided for, in the version's order."""
    given = {p.code for p in provisions if p.provided}
    return [c for c in components if c.required and c.code not in given]


def _missing_error(missing: list[Component]) -> ValidationError:
    message = _("Còn thiếu thành phần hồ sơ bắt buộc: %(components)s.")
    return ValidationError(
        message,
        code="components_missing",
        components=", ".join(c.name for c in missing),
        errors=[
            {
                "field": f"component-{c.code}",
                "code": "component_missing",
                "message": str(_("Thiếu thành phần bắt buộc: %(component)s."))
                % {"component": c.name},
            }
            for c in missing
        ],
    )


@dataclass
class _Written:
    """What an intake wrote outside the database rows, for the clean-up after a rollback:
    the storage names of the files stored, and the national databases that answered."""

    stored: list[str] = field(default_factory=list)
    national_reads: list[tuple[str, str]] = field(default_factory=list)


def _attach(
    *,
    dossier: Dossier,
    actor: User,
    provisions: Sequence[ComponentProvision],
    components: list[Component],
    now: dt.datetime,
    written: _Written,
) -> None:
    """Each provision's files, then the reused items, then the national data, through their
    services (inside the caller's transaction): the national look-ups come last, so that a
    bad file is refused before any national database is asked."""
    for provision in provisions:
        if provision.files:
            link: DossierFile = dossier_file_add(
                dossier=dossier,
                actor=actor,
                component=provision.code,
                upload=list(provision.files),
                now=now,
            )
            written.stored.append(link.file.storage_name)
    for provision in provisions:
        if provision.reuse_item is not None:
            dossier_component_reuse(
                dossier=dossier,
                actor=actor,
                item_id=provision.reuse_item,
                component_code=provision.code,
                now=now,
            )
    databases = {c.code: c.national_database for c in components}
    for provision in provisions:
        if not provision.national_data:
            continue
        read = (databases.get(provision.code, ""), dossier_owner_key(dossier) or "")
        try:
            dossier_component_from_national_data(
                dossier=dossier, actor=actor, component_code=provision.code, now=now
            )
        except NationalRecordNotFound:
            written.national_reads.append(read)
            raise
        written.national_reads.append(read)


def _in_one_transaction(work: Any, *, actor: User, now: dt.datetime) -> Dossier:
    """Run `work(written)` in one transaction. On any error the bytes of the files it stored
    are removed (their rows went with the rollback), and each answer a national database
    gave is logged again (`core.DataAccessLog`: a read that happened stays recorded even
    though the intake was not saved)."""
    written = _Written()
    try:
        with transaction.atomic():
            return work(written)
    except BaseException:
        for name in written.stored:
            stored_bytes_delete(storage_name=name)
        for database, subject in written.national_reads:
            if subject:
                _log_national_read(actor=actor, database=database, subject_key=subject, now=now)
        raise


def dossier_receive_at_counter_with_files(
    *,
    actor: User,
    procedure_version: ProcedureVersion,
    applicant_name: str,
    form_data: dict[str, Any],
    provisions: Sequence[ComponentProvision],
    now: dt.datetime,
    **details: Any,
) -> Dossier:
    """Receive a complete paper dossier with its checklist and files (see the module): form
    01. `details` are `dossier_receive_at_counter`'s other keywords (receiving unit or
    service point, handling unit, applicant details, note).

    Refused, nothing saved: ValidationError `components_missing` (the required components
    not provided, one error each), `components_invalid` (an unknown component, a certified
    copy the catalog does not ask for, national data not accepted), and everything the
    reception, file, reuse and national-data services refuse."""
    components = _components(procedure_version)
    _provisions_check(components=components, provisions=provisions)
    missing = counter_components_missing(components=components, provisions=provisions)
    if missing:
        raise _missing_error(missing)

    def work(written: _Written) -> Dossier:
        dossier = dossier_receive_at_counter(
            actor=actor,
            procedure_version=procedure_version,
            applicant_name=applicant_name,
            form_data=form_data,
            now=now,
            **details,
        )
        _attach(
            dossier=dossier,
            actor=actor,
            provisions=provisions,
            components=components,
            now=now,
            written=written,
        )
        return Dossier.objects.get(pk=dossier.pk)

    return _in_one_transaction(work, actor=actor, now=now)


def dossier_guide_at_counter_with_files(
    *,
    actor: User,
    procedure_version: ProcedureVersion,
    applicant_name: str,
    form_data: dict[str, Any],
    provisions: Sequence[ComponentProvision],
    reasons: dict[str, str],
    now: dt.datetime,
    other_items: Sequence[dict[str, str]] = (),
    **details: Any,
) -> Dossier:
    """Counter guidance (form 02, no receipt) from the checklist: every required component
    not provided is listed, with the officer's reason for it (`reasons[code]`, else "Chưa
    nộp"), and so is every optional one given a reason, plus `other_items` (free text:
    `{"component", "reason"}`). The files already scanned stay on the dossier."""
    components = _components(procedure_version)
    _provisions_check(components=components, provisions=provisions)
    missing = {
        c.code for c in counter_components_missing(components=components, provisions=provisions)
    }
    items: list[dict[str, Any]] = []
    for component in components:
        reason = (reasons.get(component.code) or "").strip()
        if component.code in missing or reason:
            items.append({"component": component.code, "reason": reason or str(_("Chưa nộp"))})
    items.extend(
        {"component": i["component"].strip(), "reason": i["reason"].strip()}
        for i in other_items
        if i.get("component", "").strip() or i.get("reason", "").strip()
    )

    def work(written: _Written) -> Dossier:
        dossier = dossier_guide_at_counter(
            actor=actor,
            procedure_version=procedure_version,
            applicant_name=applicant_name,
            form_data=form_data,
            items=items,
            now=now,
            **details,
        )
        _attach(
            dossier=dossier,
            actor=actor,
            provisions=provisions,
            components=components,
            now=now,
            written=written,
        )
        return Dossier.objects.get(pk=dossier.pk)

    return _in_one_transaction(work, actor=actor, now=now)


@transaction.atomic
def dossier_refuse_at_counter(
    *,
    actor: User,
    procedure_version: ProcedureVersion,
    applicant_name: str,
    form_data: dict[str, Any],
    reason: str,
    now: dt.datetime,
    **details: Any,
) -> Dossier:
    """Refuse an ineligible paper dossier at the counter (form 03 with the reason): the
    dossier is registered (status 1, code taken) and refused (3) in one transaction, so the
    refusal is counted and form 03 has its dossier. `details`: as
    `dossier_receive_at_counter` (without `note`)."""
    if not (reason or "").strip():
        raise ValidationError(
            _("Cần ghi lý do từ chối tiếp nhận."),
            code="required",
            errors=[{"field": "reason", "code": "required"}],
        )
    given: dict[str, Any] = {
        "receiving_unit": None,
        "service_point": None,
        "channel": Channel.COUNTER,
        "handling_unit": None,
        "applicant": None,
        "applicant_id_number": None,
        "applicant_phone": None,
        "applicant_email": None,
        "applicant_address": None,
        "representative": None,
        "result_kind": None,
    }
    given.update(details)
    dossier, _role = _register_at_counter(
        actor=actor,
        doing=_("từ chối tiếp nhận"),
        procedure_version=procedure_version,
        applicant_name=applicant_name,
        form_data=form_data,
        now=now,
        **given,
    )
    return dossier_refuse(dossier=dossier, actor=actor, reason=reason, now=now)
