"""Submission and reception: submit (1), receive (1 -> 2), receive at the counter (-> 2),
guidance at the counter for an incomplete paper dossier (-> 5, no receipt), refuse before
reception (1 -> 3), and the reception alerts for online dossiers waiting at the one-stop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.eforms import Identity
from motcua.catalog.fees import claims_clean
from motcua.catalog.models import OnlineLevel, ProcedureVersion, ProcessStep
from motcua.core.clock import local
from motcua.core.errors import ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.organisation.models import Role, ServicePoint, Unit

from ..models import Channel, Dossier, DossierEvent, DossierStatus, Suspension, SuspensionKind
from . import applicants
from ._base import (
    APPLICANT_ROLE,
    begin,
    clean_supplement_items,
    commit_change,
    finish_step,
    reception_deadlines,
    reception_on_time,
    require_role,
    require_text,
    snapshot,
    start_processing_clock,
    stored_text,
)
from .capture import dossier_components_to_datastore
from .codes import dossier_code_next
from .fees import dossier_fees_charge_before
from .steps import close_current_step, open_step, process_steps


def _check_version(*, version: ProcedureVersion, channel: int, now: dt.datetime) -> None:
    if version.status != ProcedureVersion.Status.PUBLISHED or not version.procedure.is_active:
        raise ValidationError(
            _(
                "Thủ tục %(procedure)s (phiên bản %(number)s) chưa được công bố hoặc đã ngừng áp "
                "dụng."
            ),
            code="version_not_published",
            procedure=version.procedure.code,
            number=version.number,
        )
    if not version.is_valid_on(local(now).date()):
        raise ValidationError(
            _("Phiên bản %(number)s của thủ tục %(procedure)s không có hiệu lực vào ngày này."),
            code="version_not_valid",
            procedure=version.procedure.code,
            number=version.number,
        )
    if channel == Channel.ONLINE and version.online_level == OnlineLevel.NONE:
        raise ValidationError(
            _("Thủ tục %(procedure)s không nhận hồ sơ trực tuyến."),
            code="online_not_allowed",
            procedure=version.procedure.code,
        )


def _check_form(
    *,
    version: ProcedureVersion,
    form_data: dict[str, Any],
    identity: Identity | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The e-form checked and normalised against the applicant's identity (prefill, locks)."""
    return applicants.form_clean(
        version=version, form_data=form_data, identity=identity, today=local(now).date()
    )


def _competent_unit(
    *, version: ProcedureVersion, receiving_unit: Unit, handling_unit: Unit | None
) -> Unit:
    """The unit that settles the dossier: the one given, the procedure's competent unit, or
    the receiving unit when it is of a competent kind (a ward receiving its own procedure)."""
    if handling_unit is not None:
        return handling_unit
    procedure = version.procedure
    if procedure.competent_unit_id is not None:
        assert procedure.competent_unit is not None
        return procedure.competent_unit
    kinds = procedure.competent_unit_kinds or []
    if not kinds or receiving_unit.kind in kinds:
        return receiving_unit
    raise ValidationError(
        _("Cần chọn đơn vị có thẩm quyền giải quyết thủ tục %(procedure)s."),
        code="handling_unit_required",
        procedure=procedure.code,
    )


def _new_dossier(
    *,
    procedure_version: ProcedureVersion,
    receiving_unit: Unit,
    handling_unit: Unit | None,
    service_point: ServicePoint | None,
    channel: int,
    applicant: User | None,
    applicant_name: str | None,
    applicant_id_number: str | None,
    applicant_phone: str | None,
    applicant_email: str | None,
    applicant_address: str | None,
    representative: dict[str, Any] | None,
    form_data: dict[str, Any] | None,
    result_kind: str | None,
    now: dt.datetime,
    identity: Identity | None = None,
    fee_claims: Sequence[str] = (),
) -> Dossier:
    """`identity`: the account's identity for an online dossier (prefill and locks); None
    (counter, integrators): built from the applicant details given, nothing locked."""
    if channel not in Channel.values:
        raise ValidationError(_("Kênh nộp hồ sơ không hợp lệ."), code="invalid_channel")
    _check_version(version=procedure_version, channel=channel, now=now)
    today = local(now).date()
    given = applicants.contact_details_check(
        id_number=applicant_id_number, phone=applicant_phone, email=applicant_email, today=today
    )
    if service_point is not None and receiving_unit != service_point.unit:
        raise ValidationError(
            _("Điểm phục vụ không thuộc đơn vị tiếp nhận."), code="service_point_mismatch"
        )
    if not receiving_unit.is_active:
        raise ValidationError(_("Đơn vị tiếp nhận đã ngừng hoạt động."), code="unit_inactive")
    name = (applicant_name or (applicant.display_name if applicant else "") or "").strip()
    require_text(name, field="applicant_name", message=_("Cần ghi họ tên người nộp hồ sơ."))
    id_number = _pick(
        given["id_number"] or applicant_id_number,
        applicant.personal_id or applicant.organisation_id_number if applicant else "",
    )
    phone = _pick(given["phone"] or applicant_phone, applicant.phone if applicant else "")
    email = _pick(applicant_email, applicant.email if applicant else "")
    address = _pick(applicant_address, applicant.address if applicant else "")
    principal = applicants.representative_clean(
        representative, applicant_id_number=id_number, today=today
    )
    if identity is None:
        identity = applicants.typed_identity(
            account=applicant,
            name=name,
            id_number=id_number,
            phone=phone,
            email=email,
            address=address,
        )
    data = _check_form(
        version=procedure_version,
        form_data=dict(form_data or {}),
        identity=applicants.with_principal(identity, principal),
        now=now,
    )
    handling = _competent_unit(
        version=procedure_version, receiving_unit=receiving_unit, handling_unit=handling_unit
    )
    alert_at, due_at = reception_deadlines(unit=receiving_unit, channel=channel, arrival=now)
    claims = sorted(claims_clean(fee_claims or ()))
    return Dossier.objects.create(
        fee_claims=claims,
        code=dossier_code_next(unit=receiving_unit, now=now),
        procedure_version=procedure_version,
        receiving_unit=receiving_unit,
        service_point=service_point,
        handling_unit=handling,
        channel=channel,
        status=DossierStatus.REGISTERED,
        applicant=applicant,
        applicant_name=name,
        applicant_id_number=id_number,
        applicant_phone=phone,
        applicant_email=email,
        applicant_address=address,
        representative=principal,
        form_data=data,
        result_kind=result_kind or procedure_version.result_kind,
        submitted_at=now,
        reception_alert_at=alert_at,
        reception_due_at=due_at,
        created_at=now,
        updated_at=now,
        version=1,
    )


def _pick(given: str | None, default: str) -> str:
    """The detail given, else the account's."""
    return given.strip() if given is not None else default


def _record_submission(
    *, dossier: Dossier, actor: User | None, actor_role: str, now: dt.datetime
) -> None:
    """The creation event: seq 1, version stays 1."""
    DossierEvent.objects.create(
        dossier=dossier,
        seq=1,
        action="submit",
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_role=actor_role,
        at=now,
        status_before=None,
        status_after=dossier.status,
        before={},
        after=snapshot(dossier),
    )
    outbox_enqueue(
        topic="dossier.submit",
        payload={
            "code": dossier.code,
            "status": dossier.status,
            "action": "submit",
            "version": dossier.version,
        },
        now=now,
    )


@transaction.atomic
def dossier_submit(
    *,
    applicant: User,
    procedure_version: ProcedureVersion,
    receiving_unit: Unit,
    form_data: dict[str, Any],
    now: dt.datetime,
    channel: int = Channel.ONLINE,
    handling_unit: Unit | None = None,
    service_point: ServicePoint | None = None,
    applicant_name: str | None = None,
    applicant_id_number: str | None = None,
    applicant_phone: str | None = None,
    applicant_email: str | None = None,
    applicant_address: str | None = None,
    representative: dict[str, Any] | None = None,
    result_kind: str | None = None,
    fee_claims: Sequence[str] = (),
    copies: int = 1,
    pages: int = 1,
) -> Dossier:
    """A citizen or organisation files a dossier online (status 1, code assigned).

    The version's "before" fees are charged in the same transaction (`services.fees`):
    `fee_claims` are the exemption categories claimed, `copies` and `pages` count the fees
    per copy or per page (`unknown_exemption`, `invalid_quantity`).

    Checks: online only (`channel_not_allowed`: counter and post are for the one-stop
    officer); the version is published, valid on the local date of `now` and offered online;
    the account files in its own name (`applicant_mismatch`), for someone else only through
    `representative` (the principal, checked); the e-form is checked, prefilled from the
    account and its verified identity locked (`form_invalid`). Applicant details default to
    the account's. See `applicants` for the rule.
    """
    if not applicant.is_authenticated or not applicant.is_active:
        raise ValidationError(_("Cần đăng nhập để nộp hồ sơ."), code="login_required")
    applicants.require_online(channel=channel)
    submitter_role = APPLICANT_ROLE
    applicant_account: User | None = applicant
    identity: Identity | None = None
    if applicant.kind != User.Kind.INTEGRATOR:
        applicant_name, applicant_id_number = applicants.own_name(
            account=applicant,
            applicant_name=applicant_name,
            applicant_id_number=applicant_id_number,
            today=local(now).date(),
        )
        identity = Identity.of_user(applicant)
    else:
        # An integrated system files on behalf of someone: it must act in the receiving unit
        # and name the applicant; its own account is the submitter, never the applicant.
        submitter_role = require_role(
            actor=applicant,
            units=[receiving_unit],
            roles=[Role.INTEGRATOR],
            doing=_("nộp hồ sơ qua hệ thống tích hợp"),
        )
        if not (applicant_name or "").strip() or not (applicant_id_number or "").strip():
            raise ValidationError(
                _("Hệ thống tích hợp phải ghi họ tên và số định danh của người nộp hồ sơ."),
                code="applicant_required",
            )
        applicant_account = None
    dossier = _new_dossier(
        procedure_version=procedure_version,
        receiving_unit=receiving_unit,
        handling_unit=handling_unit,
        service_point=service_point,
        channel=int(channel),
        applicant=applicant_account,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=applicant_phone,
        applicant_email=applicant_email,
        applicant_address=applicant_address,
        representative=representative,
        form_data=form_data,
        result_kind=result_kind,
        now=now,
        identity=identity,
        fee_claims=fee_claims,
    )
    _record_submission(dossier=dossier, actor=applicant, actor_role=submitter_role, now=now)
    dossier_fees_charge_before(dossier=dossier, now=now, copies=copies, pages=pages)
    return dossier


def apply_reception(*, dossier: Dossier, actor: User | None, now: dt.datetime) -> None:
    """Received now (form 01): the clock starts, the appointment is set, the slip opens with
    the reception step finished and the next step started. The component files enter the
    owner's data store (`services.datastore`)."""
    dossier.status = DossierStatus.RECEIVED
    dossier.received_at = now
    start_processing_clock(dossier=dossier, at=now)
    # The components the one-stop just accepted enter the owner's data store.
    dossier_components_to_datastore(dossier=dossier, now=now)
    steps = process_steps(dossier.procedure_version)
    first: ProcessStep | None = steps[0] if steps else None
    reception = open_step(
        dossier=dossier,
        step=first,
        order=1,
        given_by=actor,
        assignee=actor,
        start=now,
        name=first.name if first else stored_text(_("Tiếp nhận hồ sơ")),
        role=first.role if first else Role.OFFICER,
        unit=dossier.receiving_unit,
    )
    finish_step(run=reception, actor=actor, now=now, classify_it=True)
    dossier.current_step = None
    if len(steps) > 1:
        assert dossier.clock_started_at is not None
        dossier.current_step = open_step(
            dossier=dossier,
            step=steps[1],
            order=2,
            given_by=actor,
            assignee=None,
            start=max(now, dossier.clock_started_at),
        )


@transaction.atomic
def dossier_receive(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    expected_version: int | None = None,
    note: str = "",
) -> Dossier:
    """A one-stop officer of the receiving unit accepts a complete dossier: 1 -> 2.

    Sets `received_at`, `clock_started_at` (counting start for the channel and the version's
    cut-off) and `appointment_at` (the channel's legal time), and opens the slip."""
    change = begin(
        action="receive",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    on_time = reception_on_time(dossier=change.dossier, at=now)
    apply_reception(dossier=change.dossier, actor=actor, now=now)
    return change.commit(extra=None if on_time is None else {"reception_on_time": on_time})


def _register_at_counter(
    *,
    actor: User,
    doing: Any,
    receiving_unit: Unit | None,
    service_point: ServicePoint | None,
    channel: int,
    **details: Any,
) -> tuple[Dossier, str]:
    """What counter reception and counter guidance share: a paper channel, the receiving
    unit (given, or the service point's), an officer there; the dossier registered (status 1,
    code taken, e-form checked) with its creation event. Returns it and the officer's role."""
    if int(channel) not in (Channel.COUNTER, Channel.POST):
        raise ValidationError(
            _("Hồ sơ tiếp nhận tại quầy chỉ có kênh trực tiếp hoặc bưu chính."),
            code="invalid_channel",
        )
    if receiving_unit is None:
        if service_point is None:
            raise ValidationError(
                _("Cần chọn điểm phục vụ hoặc đơn vị tiếp nhận."), code="receiving_unit_required"
            )
        receiving_unit = service_point.unit
    role = require_role(actor=actor, units=[receiving_unit], roles=[Role.OFFICER], doing=doing)
    dossier = _new_dossier(
        receiving_unit=receiving_unit,
        service_point=service_point,
        channel=int(channel),
        **details,
    )
    _record_submission(dossier=dossier, actor=actor, actor_role=role, now=details["now"])
    return dossier, role


@transaction.atomic
def dossier_receive_at_counter(
    *,
    actor: User,
    procedure_version: ProcedureVersion,
    applicant_name: str,
    form_data: dict[str, Any],
    now: dt.datetime,
    receiving_unit: Unit | None = None,
    service_point: ServicePoint | None = None,
    handling_unit: Unit | None = None,
    channel: int = Channel.COUNTER,
    applicant: User | None = None,
    applicant_id_number: str | None = None,
    applicant_phone: str | None = None,
    applicant_email: str | None = None,
    applicant_address: str | None = None,
    representative: dict[str, Any] | None = None,
    result_kind: str | None = None,
    note: str = "",
    fee_claims: Sequence[str] = (),
    copies: int = 1,
    pages: int = 1,
) -> Dossier:
    """An officer registers and receives a paper dossier (counter or post) in one go:
    status 2, code assigned, appointment set. Give `service_point` or `receiving_unit`.
    The version's "before" fees are charged in the same transaction, with the exemptions
    the officer ticked (`fee_claims`) and the copies and pages counted."""
    dossier, role = _register_at_counter(
        actor=actor,
        doing=_("tiếp nhận"),
        procedure_version=procedure_version,
        receiving_unit=receiving_unit,
        handling_unit=handling_unit,
        service_point=service_point,
        channel=channel,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=applicant_phone,
        applicant_email=applicant_email,
        applicant_address=applicant_address,
        representative=representative,
        form_data=form_data,
        result_kind=result_kind,
        now=now,
        fee_claims=fee_claims,
    )
    before = snapshot(dossier)
    apply_reception(dossier=dossier, actor=actor, now=now)
    dossier_fees_charge_before(dossier=dossier, now=now, actor=actor, copies=copies, pages=pages)
    return commit_change(
        dossier=dossier,
        action="receive",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note,
    )


@transaction.atomic
def dossier_guide_at_counter(
    *,
    actor: User,
    procedure_version: ProcedureVersion,
    applicant_name: str,
    form_data: dict[str, Any],
    items: list[dict[str, Any]],
    now: dt.datetime,
    receiving_unit: Unit | None = None,
    service_point: ServicePoint | None = None,
    handling_unit: Unit | None = None,
    channel: int = Channel.COUNTER,
    applicant: User | None = None,
    applicant_id_number: str | None = None,
    applicant_phone: str | None = None,
    applicant_email: str | None = None,
    applicant_address: str | None = None,
    representative: dict[str, Any] | None = None,
    result_kind: str | None = None,
    note: str = "",
) -> Dossier:
    """Counter guidance for an incomplete paper dossier (domain.md section 3, "Incomplete at
    the counter"): form 02 with everything missing in one list, **no receipt**: the dossier
    is registered with what the officer entered and waits in status 5 with no appointment
    and no running clock. When the applicant comes back, `dossier_supplement` receives it
    (status 2, form 01) with everything already entered; unsupplemented it closes as not
    received (3). The statistics see the guidance (event `guide_at_counter`)."""
    dossier, role = _register_at_counter(
        actor=actor,
        doing=_("hướng dẫn hoàn thiện"),
        procedure_version=procedure_version,
        receiving_unit=receiving_unit,
        handling_unit=handling_unit,
        service_point=service_point,
        channel=channel,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=applicant_phone,
        applicant_email=applicant_email,
        applicant_address=applicant_address,
        representative=representative,
        form_data=form_data,
        result_kind=result_kind,
        now=now,
    )
    cleaned = clean_supplement_items(dossier=dossier, items=items)
    before = snapshot(dossier)
    Suspension.objects.create(
        dossier=dossier,
        kind=SuspensionKind.SUPPLEMENT,
        resume_status=DossierStatus.RECEIVED,
        started_at=now,
        reason=note.strip(),
        items=cleaned,
    )
    dossier.status = DossierStatus.SUPPLEMENT_REQUESTED
    dossier.supplement_count += 1
    return commit_change(
        dossier=dossier,
        action="guide_at_counter",
        actor=actor,
        actor_role=role,
        now=now,
        before=before,
        reason=note.strip(),
        extra={"items": cleaned},
        payload={"items": cleaned},
    )


@transaction.atomic
def dossier_refuse(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Refusal at reception (form 03): 1 -> 3 with the reasons. Closes the dossier. Only
    before reception: once a receipt was issued a dossier that cannot be settled ends with a
    refusal to settle (`dossier_issue_result(outcome="refused")`)."""
    change = begin(
        action="refuse",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    dossier = change.dossier
    on_time = reception_on_time(dossier=dossier, at=now)
    close_current_step(dossier=dossier, actor=actor, now=now, note=change.text)
    dossier.status = DossierStatus.NOT_RECEIVED
    dossier.closed_at = now
    return change.commit(extra=None if on_time is None else {"reception_on_time": on_time})


def dossier_reception_alerts(*, now: dt.datetime) -> list[str]:
    """Alert the one-stop about online dossiers still waiting for reception (status 1) whose
    alert instant (2 working hours after arrival) has passed: one `dossier.reception_alert`
    outbox message per dossier, once (`reception_alerted_at` is set; a supplement that
    brings the dossier back resets it). One transaction; rows another run holds are skipped.
    The dossier's `version` is not bumped: an alert changes nothing the officer works on.
    Returns the codes alerted."""
    with transaction.atomic():
        due = list(
            Dossier.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                status=DossierStatus.REGISTERED,
                reception_alert_at__lte=now,
                reception_alerted_at__isnull=True,
            )
            .select_related("receiving_unit")
            .order_by("reception_due_at", "id")
        )
        for dossier in due:
            assert dossier.reception_alert_at is not None
            assert dossier.reception_due_at is not None
            outbox_enqueue(
                topic="dossier.reception_alert",
                payload={
                    "code": dossier.code,
                    "status": dossier.status,
                    "action": "reception_alert",
                    "version": dossier.version,
                    "receiving_unit": dossier.receiving_unit.code,
                    "reception_alert_at": local(dossier.reception_alert_at).isoformat(),
                    "reception_due_at": local(dossier.reception_due_at).isoformat(),
                    "late": dossier.reception_overdue(now),
                },
                now=now,
            )
        Dossier.objects.filter(pk__in=[d.pk for d in due]).update(reception_alerted_at=now)
    return [d.code for d in due]
