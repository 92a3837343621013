"""A dossier's fee lines from its procedure version's fee rules (`motcua.catalog.fees`).

- **Before** fees (collected at submission or reception) are charged when the dossier is
  registered, online (`dossier_submit`) or at the counter (`dossier_receive_at_counter`), in
  the same transaction, by the receiving unit: `dossier_fees_charge_before`. Idempotent:
  a dossier that already has "before" lines gets no more.
- **After** fees (during processing) are charged when an officer asks for payment
  (`dossier_request_payment`), by the handling unit: `dossier_fees_charge_after`, from the
  version's "after" rules, or one line of the amount and name the officer gives when the
  amount varies with the case.

The exemptions claimed (`Dossier.fee_claims`) apply to both; the online-submission discount
applies by itself to an online dossier. Lines are written through
`motcua.payments.services.fee_line_add` (the ledger's charge).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.fees import AssessedLine, claims_clean, fees_assess
from motcua.catalog.models import Fee, FeeApplicantKind
from motcua.core.errors import ValidationError
from motcua.payments.models import FeeKind, FeeLine, FeeLineState, FeeTiming
from motcua.payments.services import PAYABLE, fee_line_add

from ..models import Channel, Dossier
from ._base import stored_text


def dossier_applicant_kind(dossier: Dossier) -> str:
    """`organisation` for a dossier filed by an organisation's account, else `citizen`."""
    applicant = dossier.applicant
    if applicant is not None and applicant.kind == User.Kind.ORGANISATION:
        return str(FeeApplicantKind.ORGANISATION)
    return str(FeeApplicantKind.CITIZEN)


def dossier_fees_assess(
    *,
    dossier: Dossier,
    timing: str,
    copies: int = 1,
    pages: int = 1,
    exemption_claims: Iterable[str] | None = None,
) -> list[AssessedLine]:
    """What the dossier's version charges it at `timing` (pure: nothing written)."""
    return fees_assess(
        fees=list(dossier.procedure_version.fees.all()),
        applicant_kind=dossier_applicant_kind(dossier),
        copies=copies,
        pages=pages,
        online=dossier.channel == Channel.ONLINE,
        exemption_claims=dossier.fee_claims if exemption_claims is None else exemption_claims,
        timing=timing,
    )


def _write(
    *,
    dossier: Dossier,
    lines: Iterable[AssessedLine],
    unit: object,
    now: dt.datetime,
    actor: User | None,
) -> list[FeeLine]:
    return [
        fee_line_add(
            dossier_code=dossier.code,
            collecting_unit=unit,  # type: ignore[arg-type]
            name=line.name,
            kind=line.kind,
            timing=line.timing,
            unit_amount_vnd=line.unit_amount_vnd,
            quantity=line.quantity,
            exempt_vnd=line.exempt_vnd,
            exemption_reason=line.exemption_reason,
            now=now,
            actor=actor,
        )
        for line in lines
        if line.chargeable
    ]


@transaction.atomic
def dossier_fees_charge_before(
    *,
    dossier: Dossier,
    now: dt.datetime,
    actor: User | None = None,
    copies: int = 1,
    pages: int = 1,
) -> list[FeeLine]:
    """Charge the version's "before" fees once, by the receiving unit. A dossier that has
    "before" lines already answers them and charges nothing (idempotent)."""
    existing = list(
        FeeLine.objects.filter(dossier_code=dossier.code, timing=FeeTiming.BEFORE).order_by("pk")
    )
    if existing:
        return existing
    lines = dossier_fees_assess(
        dossier=dossier, timing=Fee.Timing.BEFORE, copies=copies, pages=pages
    )
    return _write(dossier=dossier, lines=lines, unit=dossier.receiving_unit, now=now, actor=actor)


@transaction.atomic
def dossier_fees_charge_after(
    *,
    dossier: Dossier,
    now: dt.datetime,
    actor: User,
    amount_vnd: int | None = None,
    fee_name: str = "",
    copies: int = 1,
    pages: int = 1,
) -> list[FeeLine]:
    """Charge the fees due during processing, by the handling unit: one line of
    `amount_vnd` named `fee_name` (else the version's "after" rule of varying amount, else
    "Phí, lệ phí") when the officer gives an amount; else the version's "after" rules.
    Refused: `amount_required` (no amount given and no "after" rule of a known amount),
    `already_charged` (no amount given and the rules charged by an earlier request, lines
    not cancelled), `nothing_to_pay` (everything exempt)."""
    unit = dossier.handling_unit or dossier.receiving_unit
    rules = [f for f in dossier.procedure_version.fees.all() if f.timing == Fee.Timing.AFTER]
    if amount_vnd is not None:
        varying = next((f for f in rules if f.amount_vnd is None), None)
        name = (fee_name or "").strip() or (
            varying.name if varying is not None else stored_text(_("Phí, lệ phí"))
        )
        kind = varying.kind if varying is not None else FeeKind.CHARGE
        return [
            fee_line_add(
                dossier_code=dossier.code,
                collecting_unit=unit,
                name=name,
                kind=kind,
                timing=FeeTiming.AFTER,
                unit_amount_vnd=amount_vnd,
                now=now,
                actor=actor,
            )
        ]
    lines = [
        line
        for line in dossier_fees_assess(
            dossier=dossier, timing=Fee.Timing.AFTER, copies=copies, pages=pages
        )
        if line.chargeable
    ]
    # A second payment request (after the first was met) never charges a rule again: the
    # lines of an earlier request, unless cancelled, are left out by name.
    charged = set(
        FeeLine.objects.filter(dossier_code=dossier.code, timing=FeeTiming.AFTER)
        .exclude(state=FeeLineState.CANCELLED)
        .values_list("name", flat=True)
    )
    if lines and all(line.name in charged for line in lines):
        raise ValidationError(
            _("Các khoản thu sau của thủ tục đã được tính cho hồ sơ: cần ghi số tiền."),
            code="already_charged",
            errors=[{"field": "amount_vnd", "code": "required"}],
        )
    lines = [line for line in lines if line.name not in charged]
    if not lines:
        raise ValidationError(
            _("Thủ tục không có mức thu sau được quy định: cần ghi số tiền."),
            code="amount_required",
            errors=[{"field": "amount_vnd", "code": "required"}],
        )
    if not sum(line.net_vnd for line in lines):
        raise ValidationError(
            _("Hồ sơ được miễn toàn bộ phí, lệ phí: không có khoản nào phải nộp."),
            code="nothing_to_pay",
        )
    return _write(dossier=dossier, lines=lines, unit=unit, now=now, actor=actor)


def dossier_fee_lines(dossier_code: str) -> list[FeeLine]:
    """The dossier's fee lines, oldest first (the pay helper's payable ones:
    `state in payments.services.PAYABLE`)."""
    return list(FeeLine.objects.filter(dossier_code=dossier_code).order_by("pk"))


__all__ = [
    "claims_clean",
    "dossier_applicant_kind",
    "dossier_fee_lines",
    "dossier_fees_assess",
    "dossier_fees_charge_after",
    "dossier_fees_charge_before",
]


def dossier_fee_lines_payable(*, dossier_code: str) -> list[FeeLine]:
    """The lines of a dossier still to pay (unpaid, or pending an online payment)."""
    return list(FeeLine.objects.filter(dossier_code=dossier_code, state__in=PAYABLE).order_by("pk"))
