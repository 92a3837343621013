"""Who may read which electronic receipt (docs/payments.md, "Electronic receipts").

A receipt names its payer, so it is read through these selectors only: staff of the
collecting unit (one-stop officers, specialists, leaders) and those who supervise or audit it
(their roles may cover subunits) see the unit's receipts; anyone who may see the dossier
(its applicant, an authorised person) sees that dossier's receipts. Every read by someone
other than the applicant is logged as a read of personal data."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound, ValidationError
from motcua.core.services import data_access_record_many
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids
from motcua.payments.models import Receipt

from .models import Dossier
from .selectors import dossier_list_for_actor

#: Roles that read the receipts of their unit.
RECEIPT_READER_ROLES = (
    Role.OFFICER,
    Role.SPECIALIST,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.AUDITOR,
)
#: A receipt as quoted: series (letters and two-digit year), a hyphen, the number.
NUMBER = re.compile(r"^(?P<series>[A-Z]{1,6}\d{2})-?(?P<number>\d{1,7})$")


def receipts_for_actor(*, actor: User) -> QuerySet[Receipt]:
    """The receipts `actor` may read, newest first, with the dossier's applicant annotated
    (`applicant_id`) for the read log."""
    units = user_unit_ids(user=actor, roles=RECEIPT_READER_ROLES)
    own = dossier_list_for_actor(actor=actor).values("code")
    condition = Q(dossier_code__in=own)
    if units:
        condition |= Q(series__unit_id__in=units)
    applicant = Dossier.objects.filter(code=OuterRef("dossier_code")).values("applicant_id")[:1]
    return (
        Receipt.objects.filter(condition)
        .select_related("series__unit", "replaces__series", "replaced_by__series")
        .annotate(applicant_id=Subquery(applicant))
        .order_by("-issued_at", "-pk")
    )


def receipts_read_log(
    *, actor: User, receipts: list[Receipt], now: dt.datetime, channel: str
) -> None:
    """Log the reads of receipts of other people's dossiers (one insert)."""
    others = [r.dossier_code for r in receipts if getattr(r, "applicant_id", None) != actor.pk]
    if others:
        data_access_record_many(
            actor=actor,
            subject_type="dossier",
            subject_ids=others,
            purpose="receipt",
            channel=channel,
            now=now,
        )


def receipt_number_parse(text: str) -> tuple[str, int]:
    """(series, number) of a receipt as quoted (`HK26-0000001`, case and spaces ignored);
    ValidationError `invalid_receipt_number` otherwise."""
    match = NUMBER.match("".join(text.split()).upper())
    if match is None or int(match["number"]) < 1:
        raise ValidationError(
            _("Số biên lai không đúng dạng (ký hiệu, gạch nối, số: HK26-0000001)."),
            code="invalid_receipt_number",
        )
    return match["series"], int(match["number"])


def receipt_get_for_actor(
    *, actor: User, number: str, unit: Unit | None = None, now: dt.datetime, channel: str
) -> Receipt:
    """The receipt quoted as `number` that `actor` may read (its read logged). Two units may
    use the same letters: `unit` then says which (ValidationError `unit_required`);
    NotFound when there is none the actor may read."""
    series, digits = receipt_number_parse(number)
    rows = receipts_for_actor(actor=actor).filter(series__series=series, number=digits)
    if unit is not None:
        rows = rows.filter(series__unit=unit)
    found = list(rows[:2])
    if len(found) > 1:
        raise ValidationError(
            _("Nhiều đơn vị dùng ký hiệu %(series)s: hãy ghi mã đơn vị (unit)."),
            code="unit_required",
            series=series,
        )
    if not found:
        raise NotFound(_("Không tìm thấy biên lai %(number)s."), number=number)
    receipts_read_log(actor=actor, receipts=found, now=now, channel=channel)
    return found[0]


def dossier_receipts(*, dossier: Dossier) -> list[Receipt]:
    """The receipts of `dossier`, oldest first (for a caller that already checked who may
    see the dossier: its applicant's page)."""
    return list(
        Receipt.objects.filter(dossier_code=dossier.code)
        .select_related("series", "replaces__series")
        .order_by("issued_at", "pk")
    )
