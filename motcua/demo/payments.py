"""The demo's money: receipt series for every unit that collects, and the fees of the demo's
settled dossiers paid for real — some online through the sandbox gateway (an order, then
the demo bank's signed success callback, exactly as the bank sends it), some in cash or by
transfer at the counter by an officer of the collecting unit — each with its signed
receipt; one receipt cancelled and replaced. Dossiers still waiting for a payment keep
their lines unpaid, so the portal's pay button has something to pay. Idempotent: paid lines
are not payable again and a unit's series is configured once a year."""

from __future__ import annotations

import datetime as dt
import unicodedata
import zlib
from urllib.parse import parse_qsl, urlsplit

from django.db.models import Q

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.dossiers.services.payments import dossier_payment_callback
from motcua.dossiers.services.receipts import dossier_payment_receipt, dossier_receipt_cancel
from motcua.organisation.models import Role, RoleAssignment, Unit
from motcua.paygate_demo.services import bank_payment_decide
from motcua.payments.gateways.registry import UnknownGateway, gateway_get
from motcua.payments.models import FeeLine, LedgerTransaction, Receipt, ReceiptSeries, ReceiptStatus
from motcua.payments.orders import (
    payment_counter_record,
    payment_order_start,
)
from motcua.payments.receipts import receipt_series_configure
from motcua.payments.services import PAYABLE

#: Dossiers whose fees the demo has paid: the settled ones.
PAID_STATUSES = (DossierStatus.FINISHED, DossierStatus.RETURNED)


def _letters(unit: Unit) -> str:
    """The series letters of a unit: the initials of its name without accents (at most 6),
    e.g. "Phường Hoàn Kiếm" -> "PHK"."""
    plain = unicodedata.normalize("NFD", unit.name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    initials = "".join(word[0] for word in ascii_name.split() if word[:1].isalpha()).upper()
    return (initials or "BL")[:6]


def _tax_code(unit: Unit) -> str:
    """A stable, made-up 10-digit tax code for a demo unit."""
    return f"01{zlib.crc32(unit.code.encode()) % 10**8:08d}"


def demo_receipt_series_load(*, now: dt.datetime) -> int:
    """A series for this year for every unit that collects fees; answers how many were new."""
    year = local(now).year
    collecting = Unit.objects.filter(
        pk__in=FeeLine.objects.values("collecting_unit_id").distinct()
    ).exclude(pk__in=ReceiptSeries.objects.filter(year=year).values("unit_id"))
    created = 0
    for unit in collecting:
        receipt_series_configure(
            unit=unit,
            year=year,
            form_symbol="01BLP",
            letters=_letters(unit),
            collector_name=unit.name,
            collector_tax_code=_tax_code(unit),
            actor=None,
            now=now,
        )
        created += 1
    return created


def _pay_online(lines: list[FeeLine], *, now: dt.datetime) -> LedgerTransaction | None:
    """Through the sandbox: start the order, then deliver the demo bank's signed success."""
    _order, redirect = payment_order_start(
        lines=lines, gateway="sandbox", payer=None, return_url="/my/", now=now
    )
    fields = dict(parse_qsl(urlsplit(redirect).query))
    outcome, settled = dossier_payment_callback(
        gateway="sandbox", params=bank_payment_decide(fields=fields, paid=True, now=now), now=now
    )
    return settled.payment if settled is not None and outcome == "confirmed" else None


def _collector(unit_id: int) -> User | None:
    assignment = (
        RoleAssignment.objects.filter(unit_id=unit_id, role__in=[Role.OFFICER, Role.LEADER])
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return assignment.user if assignment is not None else None


def demo_payments_load(*, now: dt.datetime) -> str:
    series = demo_receipt_series_load(now=now)
    try:
        gateway_get("sandbox")
        online = True
    except UnknownGateway:
        online = False
    settled = Dossier.objects.filter(status__in=PAID_STATUSES).values_list("code", flat=True)
    lines = (
        FeeLine.objects.filter(dossier_code__in=settled, state__in=PAYABLE)
        .filter(Q(net_vnd__gt=0))
        .select_related("collecting_unit")
        .order_by("dossier_code", "collecting_unit_id", "pk")
    )
    groups: dict[tuple[str, int], list[FeeLine]] = {}
    for line in lines:
        groups.setdefault((line.dossier_code, line.collecting_unit_id), []).append(line)
    counts = {"online": 0, "cash": 0, "transfer": 0}
    for index, ((code, unit_id), group) in enumerate(sorted(groups.items())):
        officer = _collector(unit_id)
        payment = None
        if online and (index % 2 == 0 or officer is None):
            payment = _pay_online(group, now=now)
            counts["online"] += payment is not None
        elif officer is not None:
            method = "cash" if index % 4 == 1 else "transfer"
            payment = payment_counter_record(
                lines=group, method=method, officer=officer, slip_number=f"DEMO-{code}", now=now
            )
            counts[method] += 1
            dossier_payment_receipt(payment=payment, now=now)  # online: the callback did
    replaced = 0
    if not Receipt.objects.filter(status=ReceiptStatus.CANCELLED).exists():
        first = Receipt.objects.filter(status=ReceiptStatus.ISSUED).exclude(verify_code="").first()
        if first is not None:
            dossier_receipt_cancel(
                receipt=first,
                reason="Ghi sai địa chỉ người nộp (trình diễn hủy và thay thế biên lai)",
                actor=None,
                now=now,
                replace_with={"payer_address": first.payer_address or "Hà Nội"},
            )
            replaced = 1
    receipts = Receipt.objects.count()
    return (
        f"{series} ký hiệu biên lai mới; đã thu trực tuyến {counts['online']}, tiền mặt "
        f"{counts['cash']}, chuyển khoản {counts['transfer']}; {receipts} biên lai "
        f"({replaced} hủy và thay thế)"
    )
