"""Who may read which electronic receipt (docs/payments.md, "Electronic receipts").

A receipt names its payer, so it is read through these selectors only: staff of the
collecting unit (one-stop officers, specialists, leaders) and those who supervise or audit it
(their roles may cover subunits) see the unit's receipts; anyone who may see the dossier
(its applicant, an authorised person) sees that dossier's receipts. Every read by someone
other than the applicant is logged as a read of personal data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound, ValidationError
from motcua.core.services import data_access_record_many
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids
from motcua.payments.gateways.registry import gateway_label
from motcua.payments.models import PaymentMethod, PaymentOrder, Receipt, ReceiptStatus

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


@dataclass(frozen=True)
class ReceiptLink:
    """Another receipt as the public page names it: its number and its page (when signed)."""

    number: str
    verify_code: str


@dataclass(frozen=True)
class ReceiptPublic:
    """What `/verify/<code>` shows of a receipt to anyone holding it (Decree 123/2020's
    fields): the payer masked as `IssuedDocument.subject_masked` already is, and a person's
    identity number never (an organisation's tax code is public and is shown)."""

    form_symbol: str
    series: str
    number: str
    number_display: str
    dossier_code: str
    collector_name: str
    collector_tax_code: str
    payer_masked: str
    payer_tax_code: str
    items: list[dict[str, Any]]
    amount_vnd: int
    amount_in_words: str
    method: str
    issued_at: dt.datetime
    cancelled: bool
    cancelled_at: dt.datetime | None
    cancel_reason: str
    replaced_by: ReceiptLink | None
    replaces: ReceiptLink | None


def _link(receipt: Receipt | None) -> ReceiptLink | None:
    if receipt is None:
        return None
    return ReceiptLink(
        number=f"{receipt.series.series}-{receipt.number_text}", verify_code=receipt.verify_code
    )


def _is_organisation(id_number: str) -> bool:
    """A tax code (10 or 10+3 digits) rather than a person's 12-digit identity number: the
    rule `dossier_receipt_issue` uses to decide whether the payer's name is masked."""
    return len("".join(c for c in id_number if c.isdigit())) in (10, 13)


def _payment_id(receipt: Receipt) -> int | None:
    """The payment a receipt receipts (a replacement's is its original's)."""
    while receipt.payment_id is None and receipt.replaces is not None:
        receipt = receipt.replaces
    return receipt.payment_id


def receipt_channels(*, receipts: Sequence[Receipt]) -> dict[int, str]:
    """How each receipt's money came in, as pages say it, in the active language: online,
    the gateway's name ("Trực tuyến qua VNPAY"); otherwise the counter and the method
    ("Nộp tại quầy (Tiền mặt)"). One query for the online ones."""
    online = {r.pk: _payment_id(r) for r in receipts if r.method == PaymentMethod.ONLINE}
    gateways: dict[int | None, str] = dict(
        PaymentOrder.objects.filter(payment_id__in=[p for p in online.values() if p]).values_list(
            "payment_id", "gateway"
        )
    )
    channels: dict[int, str] = {}
    for receipt in receipts:
        method = receipt.get_method_display()
        if receipt.pk in online:
            name = gateways.get(online[receipt.pk])
            channels[receipt.pk] = (
                _("Trực tuyến qua %(gateway)s") % {"gateway": gateway_label(name)}
                if name
                else str(method)
            )
        else:
            channels[receipt.pk] = _("%(counter)s (%(method)s)") % {
                "counter": gateway_label("counter"),
                "method": method,
            }
    return channels


def receipt_public_get(*, verify_code: str, payer_masked: str) -> ReceiptPublic | None:
    """The public facts of the receipt whose signed PDF has `verify_code` (one query), or
    None. `payer_masked` is the issued document's masked subject (masked once, at issue)."""
    receipt = (
        Receipt.objects.filter(verify_code=verify_code)
        .select_related("series", "replaces__series", "replaced_by__series")
        .first()
    )
    if receipt is None:
        return None
    try:
        replaced_by: Receipt | None = receipt.replaced_by
    except Receipt.DoesNotExist:
        replaced_by = None
    items = [
        {
            "name": item["name"],
            "quantity": int(item["quantity"]),
            "unit_amount_vnd": int(item["unit_amount_vnd"]),
            "exempt_vnd": int(item.get("exempt_vnd") or 0),
            "amount_vnd": int(item["amount_vnd"]),
        }
        for item in receipt.items
    ]
    organisation = _is_organisation(receipt.payer_id_number)
    return ReceiptPublic(
        form_symbol=receipt.series.form_symbol,
        series=receipt.series.series,
        number=receipt.number_text,
        number_display=f"{receipt.series.series}-{receipt.number_text}",
        dossier_code=receipt.dossier_code,
        collector_name=receipt.collector_name,
        collector_tax_code=receipt.collector_tax_code,
        payer_masked=payer_masked,
        payer_tax_code=receipt.payer_id_number if organisation else "",
        items=items,
        amount_vnd=receipt.amount_vnd,
        amount_in_words=receipt.amount_in_words,
        method=receipt_channels(receipts=[receipt])[receipt.pk],
        issued_at=receipt.issued_at,
        cancelled=receipt.status == ReceiptStatus.CANCELLED,
        cancelled_at=receipt.cancelled_at,
        cancel_reason=receipt.cancel_reason,
        replaced_by=_link(replaced_by),
        replaces=_link(receipt.replaces),
    )
