"""Electronic receipts of fees and charges (Decree 123/2020 as amended by Decree 70/2025).

A collecting unit has one series per year (`ReceiptSeries`): the form symbol, the series
(its letters and the two-digit year) and the last number issued. The first receipt of a
new year opens that year's series from the previous year's settings, numbered from 1.
`receipt_number_take` increments the series row in the transaction that writes the receipt:
the row stays locked until that transaction ends, so two receipts never share a number and
a receipt that fails to commit gives its number back (no gaps; proven with two processes
on PostgreSQL in tests/payments/test_receipts_postgres.py). A number is never reused: a
wrong receipt is cancelled with its reason and, when the payment stands, replaced by a new
receipt with the next number that names the one it replaces.

The signed PDF and the verification code are made above this layer (the documents app
signs; `motcua.dossiers` orchestrates), from the receipt's fields here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from motcua.core.inserts import column_sql, row_insert, table_sql
from motcua.core.services import audit_record
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids

from .models import (
    FeeLine,
    LedgerEntry,
    LedgerMovement,
    LedgerTransaction,
    Receipt,
    ReceiptSeries,
    ReceiptStatus,
)
from .words import vnd_in_words

MAX_NUMBER = 9_999_999
_LETTERS = re.compile(r"^[A-Z]{1,6}$")
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
_FORM_SYMBOL = re.compile(r"^[0-9A-Z\-]{1,20}$")


def series_text(*, letters: str, year: int) -> str:
    """The series as printed: the letters and the two-digit year (`BL26`)."""
    return f"{letters}{year % 100:02d}"


def receipt_series_configure(
    *,
    unit: Unit,
    year: int,
    form_symbol: str,
    letters: str,
    collector_name: str,
    collector_tax_code: str,
    actor: User | None,
    now: dt.datetime,
) -> ReceiptSeries:
    """Set a unit's series for `year` (before its first receipt; afterwards only the
    collector's name may change). Audited."""
    form_symbol = form_symbol.strip().upper()
    letters = letters.strip().upper()
    collector_tax_code = collector_tax_code.strip()
    errors = []
    if not _FORM_SYMBOL.match(form_symbol):
        errors.append({"field": "form_symbol", "code": "invalid"})
    if not _LETTERS.match(letters):
        errors.append({"field": "letters", "code": "invalid"})
    if not _TAX_CODE.match(collector_tax_code):
        errors.append({"field": "collector_tax_code", "code": "invalid"})
    if not collector_name.strip():
        errors.append({"field": "collector_name", "code": "required"})
    if errors:
        raise ValidationError(
            _("Ký hiệu biên lai hoặc thông tin đơn vị thu không hợp lệ."),
            code="receipt_series_invalid",
            errors=errors,
        )
    with transaction.atomic():
        series = ReceiptSeries.objects.select_for_update().filter(unit=unit, year=year).first()
        before: dict[str, Any] = {}
        if series is None:
            series = ReceiptSeries(unit=unit, year=year)
        else:
            before = {
                "form_symbol": series.form_symbol,
                "series": series.series,
                "collector_tax_code": series.collector_tax_code,
                "collector_name": series.collector_name,
            }
            if series.last and (
                series.form_symbol != form_symbol
                or series.letters != letters
                or series.collector_tax_code != collector_tax_code
            ):
                raise Conflict(
                    _("Đã lập biên lai theo ký hiệu này trong năm; không thể đổi ký hiệu."),
                    code="receipt_series_in_use",
                )
        series.form_symbol = form_symbol
        series.letters = letters
        series.series = series_text(letters=letters, year=year)
        series.collector_name = collector_name.strip()[:200]
        series.collector_tax_code = collector_tax_code
        series.save()
        audit_record(
            actor=actor,
            action="receipt_series.configure",
            object_type="receipt_series",
            object_id=series.pk,
            now=now,
            before=before,
            after={
                "form_symbol": series.form_symbol,
                "series": series.series,
                "collector_tax_code": series.collector_tax_code,
                "collector_name": series.collector_name,
            },
        )
    return series


def _series_for(*, unit: Unit, year: int) -> ReceiptSeries:
    """This year's series of the unit, opened from last year's settings on the first receipt
    of the year (numbered from 1 again)."""
    series = ReceiptSeries.objects.filter(unit=unit, year=year).first()
    if series is not None:
        return series
    previous = ReceiptSeries.objects.filter(unit=unit, year__lt=year).order_by("-year").first()
    if previous is None:
        raise NotFound(
            _("Đơn vị %(unit)s chưa đăng ký ký hiệu biên lai điện tử."),
            code="receipt_series_missing",
            unit=unit.name,
        )
    ReceiptSeries.objects.bulk_create(
        [
            ReceiptSeries(
                unit=unit,
                year=year,
                form_symbol=previous.form_symbol,
                letters=previous.letters,
                series=series_text(letters=previous.letters, year=year),
                collector_name=previous.collector_name,
                collector_tax_code=previous.collector_tax_code,
            )
        ],
        ignore_conflicts=True,  # a concurrent first receipt of the year opened it first
    )
    return ReceiptSeries.objects.get(unit=unit, year=year)


def receipt_number_take(*, series: ReceiptSeries) -> int:
    """The next number of `series`. Must run inside the receipt's transaction: the series row
    stays locked until it ends (gap-free, unique)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("receipt_number_take must run inside the receipt's transaction")
    table = connection.ops.quote_name(ReceiptSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE id = %s AND last < %s RETURNING last",  # noqa: S608
            [series.pk, MAX_NUMBER],
        )
        row = cursor.fetchone()
    if row is None:
        raise Conflict(
            _("Ký hiệu biên lai %(series)s đã dùng hết số trong năm."),
            code="receipt_numbers_exhausted",
            series=series.series,
        )
    return int(row[0])


#: The written-out statements are built once per process and database kind (building them,
#: quoting every name, cost a receipt more than running some of them).
_SERIES_ATTNAMES = [f.attname for f in ReceiptSeries._meta.concrete_fields]


@functools.cache
def _series_number_sql(vendor: str) -> str:
    table = connection.ops.quote_name(ReceiptSeries._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(str(f.column)) for f in ReceiptSeries._meta.concrete_fields
    )
    return (
        f"UPDATE {table} SET last = last + 1 "  # noqa: S608
        f"WHERE unit_id = %s AND year = %s AND last < %s RETURNING {columns}"
    )


def _series_number_take(*, unit: Unit, year: int) -> tuple[ReceiptSeries, int] | None:
    """`receipt_number_take` on the unit's series of `year` found by the same statement: the
    series as it stands once locked, and its next number; None when the series is missing
    or full (the caller then opens it or says which)."""
    with connection.cursor() as cursor:
        cursor.execute(_series_number_sql(connection.vendor), [unit.pk, year, MAX_NUMBER])
        row = cursor.fetchone()
    if row is None:
        return None
    series = ReceiptSeries.from_db(connection.alias, _SERIES_ATTNAMES, row)
    series.unit = unit
    return series, series.last


def _converted(model: type[Any], row: Any) -> list[Any]:
    """`row` (the model's concrete columns, as the database answered them) as the ORM would
    have it: each field's database converters applied (a SQLite boolean, say)."""
    values = list(row)
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(
            connection
        ):
            values[index] = converter(values[index], column, connection)
    return values


def _paid(payment: LedgerTransaction) -> tuple[Unit | None, list[dict[str, Any]]]:
    """The fee lines the payment paid as the receipt's items (each line once, in order) and
    the first line's collecting unit (None: no lines).

    One statement written out rather than compiled by the ORM: compiling the join, and
    building a `FeeLine` per row that only six numbers and words are read from, cost more CPU
    than the query (docs/payments.md, "Speed"). The lines' columns are words and integers,
    which no backend converts; the unit's go through its fields' converters."""
    with connection.cursor() as cursor:
        cursor.execute(_paid_sql(connection.vendor), [payment.pk])
        rows = cursor.fetchall()
    if not rows:
        return None, []
    width = 1 + len(_ITEM_FIELDS)
    unit = Unit.from_db(connection.alias, _UNIT_ATTNAMES, _converted(Unit, rows[0][width:]))
    return unit, [_item(row[1:width]) for row in rows]


#: The fee line's fields a receipt's item is made of, in `_item`'s order.
_ITEM_FIELDS = ("name", "kind", "quantity", "unit_amount_vnd", "exempt_vnd", "net_vnd")
_UNIT_ATTNAMES = [field.attname for field in Unit._meta.concrete_fields]


@functools.cache
def _paid_sql(vendor: str) -> str:
    columns = ", ".join(
        [f"l.{column_sql(FeeLine, name)}" for name in _ITEM_FIELDS]
        + [
            f"u.{connection.ops.quote_name(str(field.column))}"
            for field in Unit._meta.concrete_fields
        ]
    )
    line_id = f"l.{column_sql(FeeLine, 'pk')}"
    return (
        f"SELECT {line_id}, {columns} "  # noqa: S608
        f"FROM {table_sql(FeeLine)} l JOIN {table_sql(Unit)} u "
        f"ON u.{column_sql(Unit, 'pk')} = l.{column_sql(FeeLine, 'collecting_unit')} "
        f"WHERE {line_id} IN (SELECT e.{column_sql(LedgerEntry, 'fee_line')} "
        f"FROM {table_sql(LedgerEntry)} e WHERE e.{column_sql(LedgerEntry, 'transaction')} = %s) "
        f"ORDER BY {line_id}"
    )


def _item(values: Any) -> dict[str, Any]:
    name, kind, quantity, unit_amount_vnd, exempt_vnd, net_vnd = values
    return {
        "name": name,
        "kind": kind,
        "quantity": quantity,
        "unit_amount_vnd": unit_amount_vnd,
        "exempt_vnd": exempt_vnd,
        "amount_vnd": net_vnd,
    }


def _write(
    *,
    payment: LedgerTransaction,
    unit: Unit,
    payer_name: str,
    payer_id_number: str,
    payer_address: str,
    actor: User | None,
    now: dt.datetime,
    replaces: Receipt | None = None,
    items: list[dict[str, Any]] | None = None,
    verify_code: str = "",
) -> Receipt:
    year = local(now).year
    if items is None:
        items = _paid(payment)[1]
    amount = sum(int(item["amount_vnd"]) for item in items)
    if not items or amount <= 0:
        raise ValidationError(
            _("Không có khoản thu nào để lập biên lai."), code="nothing_to_receipt"
        )
    taken = _series_number_take(unit=unit, year=year)
    if taken is None:  # the first receipt of the year, or the series is full
        series = _series_for(unit=unit, year=year)
        number = receipt_number_take(series=series)
        series.refresh_from_db(fields=["collector_name", "collector_tax_code"])
    else:
        series, number = taken
    return row_insert(
        Receipt(
            series=series,
            number=number,
            issued_at=now,
            collector_name=series.collector_name,
            collector_tax_code=series.collector_tax_code,
            payer_name=payer_name.strip()[:200],
            payer_id_number=payer_id_number.strip()[:20],
            payer_address=payer_address.strip()[:300],
            dossier_code=payment.dossier_code,
            items=items,
            amount_vnd=amount,
            amount_in_words=vnd_in_words(amount),
            method=payment.method,
            payment=None if replaces is not None else payment,
            replaces=replaces,
            issued_by=actor if actor is not None and actor.is_authenticated else None,
            verify_code=verify_code,
        )
    )


def _receipt_of(payment: LedgerTransaction) -> int | None:
    """The id of the payment's receipt (one per payment: a one-to-one field), or None; its
    one column by one written statement (nothing to compile, no model to build)."""
    with connection.cursor() as cursor:
        cursor.execute(_receipt_of_sql(connection.vendor), [payment.pk])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@functools.cache
def _receipt_of_sql(vendor: str) -> str:
    return (
        f"SELECT {column_sql(Receipt, 'pk')} FROM {table_sql(Receipt)} "  # noqa: S608
        f"WHERE {column_sql(Receipt, 'payment')} = %s"
    )


def receipt_issue(
    *,
    payment: LedgerTransaction,
    payer_name: str,
    payer_id_number: str = "",
    payer_address: str = "",
    actor: User | None = None,
    now: dt.datetime,
    verify_code: str = "",
) -> Receipt:
    """The receipt of one payment (one per payment: the same payment again answers its
    receipt). The collecting unit is the paid lines' unit; the number is the next of its
    series for the local year of `now`. `verify_code` is the code a caller that signs the
    receipt in the same transaction drew beforehand (it is printed on the PDF); a receipt
    that already existed keeps its own.

    Inside a caller's transaction it opens no savepoint of its own (two statements fewer per
    receipt): an error here fails the caller's transaction, or its savepoint, as a whole, so
    a caller must not catch one and go on in the same transaction
    (`dossier_receipt_issue` lets it out)."""
    if payment.movement != LedgerMovement.PAYMENT:
        raise ValueError("a receipt is issued for a payment")
    if not payer_name.strip():
        raise ValidationError(
            _("Cần ghi tên người nộp tiền."),
            code="payer_required",
            errors=[{"field": "payer_name", "code": "required"}],
        )
    with transaction.atomic(savepoint=False):
        # one receipt per payment (a one-to-one field): no ordering to compile or to sort by
        existing = _receipt_of(payment)
        if existing is not None:
            return Receipt.objects.get(pk=existing)
        unit, items = _paid(payment)
        if unit is None:
            raise ValidationError(
                _("Không có khoản thu nào để lập biên lai."), code="nothing_to_receipt"
            )
        return _write(
            payment=payment,
            unit=unit,
            payer_name=payer_name,
            payer_id_number=payer_id_number,
            payer_address=payer_address,
            actor=actor,
            now=now,
            items=items,
            verify_code=verify_code,
        )


#: Who may cancel (and replace) a unit's receipts: those who collect for it
#: (`payments.orders.COLLECTOR_ROLES`).
CANCEL_ROLES = (Role.OFFICER, Role.LEADER)


def receipt_cancel_allowed(*, actor: User, receipt: Receipt) -> bool:
    """May `actor` cancel `receipt`: a superuser, or an officer or leader of its series' unit."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return receipt.series.unit_id in user_unit_ids(user=actor, roles=CANCEL_ROLES)


def receipt_cancel(
    *,
    receipt: Receipt,
    reason: str,
    actor: User | None,
    now: dt.datetime,
    replace_with: dict[str, str] | None = None,
) -> Receipt | None:
    """Cancel a receipt with its reason (its number stays used). With `replace_with`
    (`payer_name`, `payer_id_number`, `payer_address`), issue the replacement in the same
    transaction with the next number; it names the one it replaces. Answers the replacement
    (or None). Audited. A person (`actor`) must collect for the receipt's unit (its officer or
    leader, `receipt_cancel_allowed`); None is the system (the demo, a repair)."""
    if actor is not None and not receipt_cancel_allowed(actor=actor, receipt=receipt):
        raise PermissionDenied(
            _("Chỉ công chức, lãnh đạo của đơn vị thu được hủy biên lai của đơn vị."),
            code="forbidden",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Cần ghi lý do hủy biên lai."),
            code="reason_required",
            errors=[{"field": "reason", "code": "required"}],
        )
    with transaction.atomic():
        locked = (
            Receipt.objects.select_for_update().select_related("series__unit").get(pk=receipt.pk)
        )
        if locked.status == ReceiptStatus.CANCELLED:
            raise Conflict(_("Biên lai này đã bị hủy."), code="receipt_cancelled")
        locked.status = ReceiptStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        replacement = None
        if replace_with is not None:
            payment = locked.payment
            if payment is None:
                original = locked
                while original.replaces is not None and original.payment is None:
                    original = original.replaces
                payment = original.payment
            if payment is None:
                raise RuntimeError(f"receipt {locked.pk} has no payment")
            replacement = _write(
                payment=payment,
                unit=locked.series.unit,
                payer_name=replace_with.get("payer_name", locked.payer_name),
                payer_id_number=replace_with.get("payer_id_number", locked.payer_id_number),
                payer_address=replace_with.get("payer_address", locked.payer_address),
                actor=actor,
                now=now,
                replaces=locked,
            )
        audit_record(
            actor=actor,
            action="receipt.cancel",
            object_type="receipt",
            object_id=locked.pk,
            now=now,
            before={"status": ReceiptStatus.ISSUED},
            after={
                "status": ReceiptStatus.CANCELLED,
                "replaced_by": replacement.pk if replacement else None,
            },
            reason=reason,
        )
    return replacement
