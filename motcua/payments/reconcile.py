"""Daily reconciliation of a gateway's statement file with what motcua recorded.

`payments_reconcile` compares, for one day in Asia/Ho_Chi_Minh, the statement's lines (read
by the gateway's `parse_statement`) with motcua's ledger movements through that gateway on
that day by when the money moved (`LedgerTransaction.paid_at`: the bank's pay time, so a
payment made at 23:59 and confirmed after midnight is on the day the bank says, once): each
online payment (a `payment` movement whose money sits on the gateway's account, with its
`PaymentOrder`) and each refund back through it. It lists every
difference by kind (`DifferenceKind`) and keeps the run (`ReconciliationRun` with its
`ReconciliationDifference` rows) so an accountant sees past runs. It only reports: no money
moves, no order or fee line changes.

Matching is by our order reference (`vnp_TxnRef`):

- a `paid` line and motcua's payment of the same order: matched when the amounts (and the
  currency) agree, else `amount_mismatch`; a second `paid` line for an order, or a line
  whose gateway transaction number was already read, is `duplicate_in_statement`;
- a `paid` line and no payment of the order that day: `missing_in_motcua` (a lost callback:
  the order is linked, in whatever state it is); motcua's payment and no line:
  `missing_in_statement`, or `status_mismatch` when the bank reports the order `failed`;
- `refunded` lines and motcua's refunds of an order are summed per order: equal sums match,
  else `amount_mismatch`; a refund on one side only is `status_mismatch` (refunded on one
  side, paid on the other);
- a line whose reference is no order of ours for this gateway: `unknown_order`;
- a `failed` line for an order motcua did not collect agrees (no money moved).

Idempotent: the same file (sha256) for the same gateway and day with the same result
answers the existing run (`created=False`, nothing written); a different file, or the same
file once motcua's records have changed (a lost callback delivered since), is a new run that
supersedes the day's current run (`ReconciliationRun.supersedes`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationError
from motcua.core.services import audit_record

from .gateways.base import (
    StatementError,
    StatementLine,
    StatementNotSupported,
    StatementProblem,
)
from .gateways.registry import KINDS, UnknownGateway, gateway_statement_reader
from .models import (
    DIFFERENCE_NOTES,
    DifferenceKind,
    LedgerAccount,
    LedgerEntry,
    LedgerMovement,
    LedgerTransaction,
    PaymentMethod,
    PaymentOrder,
    ReconciliationDifference,
    ReconciliationRun,
)
from .reconcile_selectors import reconciliation_require

#: The largest statement file taken from a page or the API (a day of a busy province is a
#: few thousand rows, well under 1 MB).
STATEMENT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Recorded:
    """One movement motcua recorded through the gateway that day (a payment, or the sum of
    an order's refunds)."""

    reference: str
    amount_vnd: int
    at: dt.datetime
    order: PaymentOrder | None = None
    gateway_reference: str = ""


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    reference: str
    order: PaymentOrder | None = None
    gateway_reference: str = ""
    statement_amount_vnd: int | None = None
    motcua_amount_vnd: int | None = None
    statement_status: str = ""
    motcua_status: str = ""
    row: int | None = None
    #: Why (a code of `models.DIFFERENCE_NOTES`) and the values its text shows.
    note_code: str = ""
    note_params: dict[str, Any] = field(default_factory=dict)

    def key(self) -> dict[str, Any]:
        data = asdict(self)
        data["order"] = self.order.pk if self.order is not None else None
        return data


@dataclass
class Totals:
    statement_count: int = 0
    statement_paid_vnd: int = 0
    statement_refunded_vnd: int = 0
    motcua_count: int = 0
    motcua_paid_vnd: int = 0
    motcua_refunded_vnd: int = 0
    matched_count: int = 0
    matched_vnd: int = 0


@dataclass(frozen=True)
class ReconciliationReport:
    """A run and its differences; `created` is False when the same file and result were
    already on record (the existing run is answered)."""

    run: ReconciliationRun
    differences: list[ReconciliationDifference] = field(default_factory=list)
    created: bool = True

    @property
    def is_clean(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        run = self.run
        return {
            "id": run.pk,
            "gateway": run.gateway,
            "day": run.day.isoformat(),
            "file_sha256": run.file_sha256,
            "created": self.created,
            "created_at": run.created_at.isoformat(),
            "supersedes": run.supersedes_id,
            **run_totals(run),
            "differences": [
                {
                    "kind": d.kind,
                    "reference": d.reference,
                    "order": d.order.order_ref if d.order is not None else None,
                    "gateway_reference": d.gateway_reference,
                    "statement_amount_vnd": d.statement_amount_vnd,
                    "motcua_amount_vnd": d.motcua_amount_vnd,
                    "statement_status": d.statement_status,
                    "motcua_status": d.motcua_status,
                    "row": d.row,
                    "note_code": d.note_code,
                    "note_params": d.note_params,
                    "note": d.note,
                }
                for d in self.differences
            ],
        }


def run_totals(run: ReconciliationRun) -> dict[str, dict[str, int]]:
    """A run's totals on both sides and what matched, as the command's JSON and the API
    answer them."""
    return {
        "statement": {
            "count": run.statement_count,
            "paid_vnd": run.statement_paid_vnd,
            "refunded_vnd": run.statement_refunded_vnd,
        },
        "motcua": {
            "count": run.motcua_count,
            "paid_vnd": run.motcua_paid_vnd,
            "refunded_vnd": run.motcua_refunded_vnd,
        },
        "matched": {"count": run.matched_count, "amount_vnd": run.matched_vnd},
    }


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day in Asia/Ho_Chi_Minh as [start, end) aware instants (no daylight saving)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=VN_TZ)
    return start, start + dt.timedelta(days=1)


def _gateway_sums(
    *, gateway: str, movement: LedgerMovement, start: dt.datetime, end: dt.datetime
) -> dict[int, int]:
    """Movements of the day through the gateway's account, by when the money moved (the
    bank's pay time, as on its statement, not when motcua confirmed it): transaction id ->
    money in."""
    rows = (
        LedgerEntry.objects.filter(
            account=LedgerAccount.GATEWAY,
            reference=gateway,
            transaction__movement=movement,
            transaction__paid_at__gte=start,
            transaction__paid_at__lt=end,
        )
        .values("transaction_id")
        .annotate(total=Sum("amount_vnd"))
    )
    return {row["transaction_id"]: int(row["total"]) for row in rows}


def _payments_recorded(
    *, gateway: str, start: dt.datetime, end: dt.datetime
) -> dict[str, Recorded]:
    """motcua's online payments through `gateway` of the day, by order reference."""
    sums = _gateway_sums(gateway=gateway, movement=LedgerMovement.PAYMENT, start=start, end=end)
    orders = {o.payment_id: o for o in PaymentOrder.objects.filter(payment_id__in=sums)}
    recorded: dict[str, Recorded] = {}
    for payment in LedgerTransaction.objects.filter(pk__in=sums).order_by("paid_at", "pk"):
        order = orders.get(payment.pk)
        number = payment.reference.removeprefix(f"{gateway}:")
        reference = order.order_ref if order is not None else number
        recorded[reference] = Recorded(
            reference=reference,
            amount_vnd=sums[payment.pk],
            at=payment.paid_at,
            order=order,
            gateway_reference=number,
        )
    return recorded


def _refunded_payment(refund: LedgerTransaction, *, gateway: str) -> LedgerTransaction | None:
    """The payment a refund gives back: the one that paid its fee line (`fee_line_cancel`),
    or, for money that paid nothing (`payment_refund_unmatched`: a payment and its refund in
    one transaction, no fee line), the payment of that dossier, instant and amount."""
    lines = [e.fee_line_id for e in refund.entries.all() if e.fee_line_id is not None]
    payments = LedgerTransaction.objects.filter(
        movement=LedgerMovement.PAYMENT,
        method=PaymentMethod.ONLINE,
        entries__account=LedgerAccount.GATEWAY,
        entries__reference=gateway,
        at__lte=refund.at,
    )
    if lines:
        return payments.filter(entries__fee_line_id__in=lines).order_by("-at", "-pk").first()
    return (
        payments.filter(dossier_code=refund.dossier_code, at=refund.at, entries__fee_line=None)
        .order_by("-pk")
        .first()
    )


def _refunds_recorded(*, gateway: str, start: dt.datetime, end: dt.datetime) -> dict[str, Recorded]:
    """motcua's refunds through `gateway` of the day, summed by order reference."""
    sums = _gateway_sums(gateway=gateway, movement=LedgerMovement.REFUND, start=start, end=end)
    totals: dict[str, Recorded] = {}
    refunds = LedgerTransaction.objects.filter(pk__in=sums).prefetch_related("entries")
    for refund in refunds.order_by("paid_at", "pk"):
        payment = _refunded_payment(refund, gateway=gateway)
        order = PaymentOrder.objects.filter(payment=payment).first() if payment else None
        reference = order.order_ref if order is not None else f"refund:{refund.pk}"
        before = totals.get(reference)
        totals[reference] = Recorded(
            reference=reference,
            amount_vnd=(before.amount_vnd if before else 0) - sums[refund.pk],
            at=before.at if before else refund.paid_at,
            order=order,
            gateway_reference=payment.reference.removeprefix(f"{gateway}:") if payment else "",
        )
    return totals


def _instant(value: dt.datetime) -> str:
    """An instant as a note keeps it (rendered in Asia/Ho_Chi_Minh when shown)."""
    return value.astimezone(dt.UTC).isoformat()


def _note(code: str, **params: str) -> dict[str, Any]:
    assert code in DIFFERENCE_NOTES, code
    return {"note_code": code, "note_params": params}


def _row(line: StatementLine | None) -> int | None:
    return line.row or None if line is not None else None


def _order_state(order: PaymentOrder) -> str:
    if order.payment_id is not None:
        return "paid"
    return str(order.status)


class _Comparison:
    """The comparison of one day's statement with motcua's records (pure, then persisted)."""

    def __init__(
        self,
        *,
        gateway: str,
        lines: Sequence[StatementLine],
        paid: dict[str, Recorded],
        refunded: dict[str, Recorded],
    ) -> None:
        self.gateway = gateway
        self.paid = paid
        self.refunded = refunded
        self.differences: list[Difference] = []
        self.totals = Totals(
            statement_count=len(lines),
            statement_paid_vnd=sum(x.amount_vnd for x in lines if x.status == "paid"),
            statement_refunded_vnd=sum(x.amount_vnd for x in lines if x.status == "refunded"),
            motcua_count=len(paid) + len(refunded),
            motcua_paid_vnd=sum(r.amount_vnd for r in paid.values()),
            motcua_refunded_vnd=sum(r.amount_vnd for r in refunded.values()),
        )
        refs = {line.order_ref for line in lines}
        self.orders = {o.order_ref: o for o in PaymentOrder.objects.filter(order_ref__in=refs)}
        self.bank_paid: dict[str, StatementLine] = {}
        self.bank_refunds: dict[str, list[StatementLine]] = defaultdict(list)
        self.bank_failed: dict[str, StatementLine] = {}
        self._sort(lines)
        self._payments()
        self._refunds()

    def _add(self, kind: DifferenceKind, reference: str, **values: Any) -> None:
        self.differences.append(Difference(kind=kind, reference=reference, **values))

    def _sort(self, lines: Sequence[StatementLine]) -> None:
        numbers: set[tuple[str, str]] = set()
        for line in lines:
            number = (line.gateway_reference, line.status)
            line_values = {
                "gateway_reference": line.gateway_reference,
                "statement_amount_vnd": line.amount_vnd,
                "statement_status": line.status,
                "row": _row(line),
            }
            order = self.orders.get(line.order_ref)
            if order is None or order.gateway != self.gateway:
                note = (
                    _note("other_gateway", gateway=order.gateway)
                    if order is not None
                    else _note("no_such_order")
                )
                self._add(DifferenceKind.UNKNOWN_ORDER, line.order_ref, **line_values, **note)
                continue
            twice = number in numbers or (
                line.status == "paid" and line.order_ref in self.bank_paid
            )
            numbers.add(number)
            if twice:
                self._add(
                    DifferenceKind.DUPLICATE_IN_STATEMENT,
                    line.order_ref,
                    order=order,
                    **line_values,
                    **_note("duplicate_line"),
                )
            elif line.status == "paid":
                self.bank_paid[line.order_ref] = line
            elif line.status == "refunded":
                self.bank_refunds[line.order_ref].append(line)
            else:
                self.bank_failed.setdefault(line.order_ref, line)

    def _match(self, amount: int) -> None:
        self.totals.matched_count += 1
        self.totals.matched_vnd += amount

    def _payments(self) -> None:
        for reference in sorted(set(self.bank_paid) | set(self.paid)):
            line = self.bank_paid.get(reference)
            mine = self.paid.get(reference)
            if line is not None and mine is not None:
                if line.amount_vnd == mine.amount_vnd and line.currency == "VND":
                    self._match(mine.amount_vnd)
                    continue
                self._add(
                    DifferenceKind.AMOUNT_MISMATCH,
                    reference,
                    order=mine.order,
                    gateway_reference=line.gateway_reference,
                    statement_amount_vnd=line.amount_vnd,
                    motcua_amount_vnd=mine.amount_vnd,
                    statement_status="paid",
                    motcua_status="paid",
                    row=_row(line),
                    **({} if line.currency == "VND" else _note("currency", currency=line.currency)),
                )
            elif line is not None:
                order = self.orders[reference]
                note = _note("order_status", status=str(order.status))
                if order.payment is not None:
                    note = _note("paid_other_day", paid_at=_instant(order.payment.paid_at))
                self._add(
                    DifferenceKind.MISSING_IN_MOTCUA,
                    reference,
                    order=order,
                    gateway_reference=line.gateway_reference,
                    statement_amount_vnd=line.amount_vnd,
                    statement_status="paid",
                    motcua_status=_order_state(order),
                    row=_row(line),
                    **note,
                )
            elif mine is not None:
                failed = self.bank_failed.get(reference)
                kind = DifferenceKind.MISSING_IN_STATEMENT
                note = _note("recorded_at", at=_instant(mine.at))
                if failed is not None:
                    kind = DifferenceKind.STATUS_MISMATCH
                    note = _note("bank_failed")
                self._add(
                    kind,
                    reference,
                    order=mine.order,
                    gateway_reference=mine.gateway_reference,
                    statement_amount_vnd=failed.amount_vnd if failed else None,
                    motcua_amount_vnd=mine.amount_vnd,
                    statement_status="failed" if failed else "",
                    motcua_status="paid",
                    row=_row(failed),
                    **note,
                )

    def _refunds(self) -> None:
        for reference in sorted(set(self.bank_refunds) | set(self.refunded)):
            lines = self.bank_refunds.get(reference, [])
            mine = self.refunded.get(reference)
            bank_total = sum(line.amount_vnd for line in lines)
            first = lines[0] if lines else None
            values: dict[str, Any] = {
                "order": mine.order if mine is not None else self.orders.get(reference),
                "gateway_reference": first.gateway_reference if first else "",
                "row": _row(first),
            }
            if lines and mine is not None:
                if bank_total == mine.amount_vnd:
                    self._match(bank_total)
                    continue
                self._add(
                    DifferenceKind.AMOUNT_MISMATCH,
                    reference,
                    **values,
                    statement_amount_vnd=bank_total,
                    motcua_amount_vnd=mine.amount_vnd,
                    statement_status="refunded",
                    motcua_status="refunded",
                    **_note("refund_day_total"),
                )
            elif lines:
                order = self.orders[reference]
                self._add(
                    DifferenceKind.STATUS_MISMATCH,
                    reference,
                    **values,
                    statement_amount_vnd=bank_total,
                    statement_status="refunded",
                    motcua_status=_order_state(order),
                    **_note("refund_bank_only"),
                )
            elif mine is not None:
                self._add(
                    DifferenceKind.STATUS_MISMATCH,
                    reference,
                    **values,
                    motcua_amount_vnd=mine.amount_vnd,
                    statement_status="paid",
                    motcua_status="refunded",
                    **_note("refund_motcua_only"),
                )

    def fingerprint(self) -> str:
        data = {"totals": asdict(self.totals), "differences": [d.key() for d in self.differences]}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def statement_sha256(lines: Sequence[StatementLine]) -> str:
    """A file's fingerprint when the caller has no file bytes: its rows as read."""
    rows = [{"row": line.row, **dict(line.raw)} for line in lines]
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _report(run: ReconciliationRun, *, created: bool) -> ReconciliationReport:
    differences = list(run.differences.select_related("order").order_by("pk"))
    return ReconciliationReport(run=run, differences=differences, created=created)


def payments_reconcile(
    *,
    gateway: str,
    day: dt.date,
    lines: Sequence[StatementLine],
    actor: User | None,
    now: dt.datetime,
    file_sha256: str = "",
) -> ReconciliationReport:
    """Reconcile `gateway`'s statement `lines` for `day` (Asia/Ho_Chi_Minh) with motcua's
    records; keeps the run and answers it with its differences. Reads money, never moves
    it. `file_sha256`: the statement file's hash (else one of the lines as read). Audited
    (`payments.reconcile`) when a run is written."""
    if gateway not in KINDS or gateway == "counter":
        raise NotFound(_("Cổng thanh toán này không có sao kê."), code="statement_not_supported")
    digest = file_sha256 or statement_sha256(lines)
    start, end = day_bounds(day)
    comparison = _Comparison(
        gateway=gateway,
        lines=lines,
        paid=_payments_recorded(gateway=gateway, start=start, end=end),
        refunded=_refunds_recorded(gateway=gateway, start=start, end=end),
    )
    result = comparison.fingerprint()
    same = {"gateway": gateway, "day": day, "file_sha256": digest, "result_sha256": result}
    for attempt in range(3):
        existing = ReconciliationRun.objects.filter(**same).first()
        if existing is not None:
            return _report(existing, created=False)
        try:
            with transaction.atomic():
                run = _run_write(comparison, same=same, actor=actor, now=now)
        except IntegrityError:
            # the same run written at once by another process (answered above on the next
            # turn), or another run of the day superseded the current one meanwhile (this
            # one then supersedes that one)
            if attempt == 2:
                raise
            continue
        return _report(run, created=True)
    raise AssertionError("unreachable")


def _run_write(
    comparison: _Comparison, *, same: dict[str, Any], actor: User | None, now: dt.datetime
) -> ReconciliationRun:
    current = (
        ReconciliationRun.objects.select_for_update(of=("self",))
        .filter(gateway=same["gateway"], day=same["day"], superseded_by__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    totals = comparison.totals
    run = ReconciliationRun.objects.create(
        **same,
        **asdict(totals),
        differences_count=len(comparison.differences),
        supersedes=current,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )
    ReconciliationDifference.objects.bulk_create(
        ReconciliationDifference(
            run=run,
            kind=d.kind,
            order=d.order,
            reference=d.reference[:40],
            gateway_reference=d.gateway_reference[:100],
            statement_amount_vnd=d.statement_amount_vnd,
            motcua_amount_vnd=d.motcua_amount_vnd,
            statement_status=d.statement_status,
            motcua_status=d.motcua_status,
            row=d.row,
            note_code=d.note_code,
            note_params=d.note_params,
        )
        for d in comparison.differences
    )
    audit_record(
        actor=actor,
        action="payments.reconcile",
        object_type="reconciliation_run",
        object_id=run.pk,
        now=now,
        after={
            "gateway": run.gateway,
            "day": run.day.isoformat(),
            "file_sha256": run.file_sha256,
            "matched": run.matched_count,
            "differences": run.differences_count,
            "supersedes": run.supersedes_id,
        },
    )
    return run


class StatementInvalid(ValidationError):
    """A statement file refused in full: `problems` (`StatementProblem`) for every bad row
    (the header is row 1), as the gateway's parser found them. Nothing of the file was used.
    Each is one `errors` entry: `code` `statement_row`, the problem's own code in `reason`,
    its `column`, and its text in the active language."""

    code = "statement_invalid"

    def __init__(self, problems: Sequence[StatementProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            _("Tệp sao kê có %(count)s lỗi; không dòng nào của tệp được dùng."),
            count=len(self.problems),
            errors=[statement_problem_json(p) for p in self.problems],
        )


def statement_problem_json(problem: StatementProblem) -> dict[str, Any]:
    """One bad row as the API and the command's JSON give it."""
    return {
        "field": "file",
        "code": "statement_row",
        "reason": problem.reason,
        "column": problem.column,
        "message": problem.message,
        "row": problem.row,
    }


def reconciliation_statement_upload(
    *,
    gateway: str,
    day: dt.date,
    content: bytes,
    actor: User,
    now: dt.datetime,
) -> ReconciliationReport:
    """Reconcile an uploaded statement file (its bytes) of `gateway` for `day`, for an
    accountant (PermissionDenied for anyone else). NotFound (`statement_not_supported`) for
    a gateway without statements; StatementInvalid naming every bad row when the file
    cannot be read in full; ValidationError (`statement_too_large`, `statement_empty`)."""
    reconciliation_require(actor=actor)
    if not content:
        raise ValidationError(
            _("Tệp sao kê trống."),
            code="statement_empty",
            errors=[
                {"field": "file", "code": "statement_empty", "message": _("Tệp sao kê trống.")}
            ],
        )
    if len(content) > STATEMENT_MAX_BYTES:
        raise ValidationError(
            _("Tệp sao kê quá lớn (tối đa %(mb)s MB)."),
            code="statement_too_large",
            mb=STATEMENT_MAX_BYTES // (1024 * 1024),
            errors=[{"field": "file", "code": "statement_too_large", "message": _("Tệp quá lớn.")}],
        )
    unsupported = NotFound(
        _("Cổng thanh toán này không có sao kê."), code="statement_not_supported"
    )
    if gateway == "counter":
        raise unsupported
    try:
        reader = gateway_statement_reader(gateway)
        lines = reader.parse_statement(io.BytesIO(content))
    except (UnknownGateway, StatementNotSupported) as exc:
        raise unsupported from exc
    except StatementError as exc:
        raise StatementInvalid(exc.problems) from exc
    return payments_reconcile(
        gateway=reader.name,
        day=day,
        lines=lines,
        actor=actor,
        now=now,
        file_sha256=hashlib.sha256(content).hexdigest(),
    )
