"""The ledger: double entry, append-only, always balanced.

`ledger_post` is the one writer: it refuses a movement whose entries do not sum to zero, or
an entry of zero, and must run inside the caller's transaction (the fee line's state and the
entries commit together). Balances are sums, never stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from motcua.accounts.models import User

from .models import FeeLine, LedgerAccount, LedgerEntry, LedgerMovement, LedgerTransaction


class UnbalancedMovement(ValueError):
    """A programming error: a movement whose entries do not sum to zero."""


@dataclass(frozen=True)
class Entry:
    account: LedgerAccount
    reference: str
    amount_vnd: int
    fee_line: FeeLine | None = None


def ledger_post(
    *,
    movement: LedgerMovement,
    dossier_code: str,
    entries: Sequence[Entry],
    now: dt.datetime,
    actor: User | None = None,
    method: str = "",
    reference: str = "",
    memo: str = "",
    paid_at: dt.datetime | None = None,
) -> LedgerTransaction:
    """Write one movement and its entries, recorded at `now`; `paid_at` is when the money
    moved (a gateway's own pay time), `now` when not given. Runs inside the caller's
    transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_post must run inside the transaction of the change")
    if len(entries) < 2:
        raise UnbalancedMovement("a movement has at least two entries")
    if any(e.amount_vnd == 0 for e in entries):
        raise UnbalancedMovement("an entry of zero")
    if sum(e.amount_vnd for e in entries) != 0:
        raise UnbalancedMovement(f"entries sum to {sum(e.amount_vnd for e in entries)}")
    record = LedgerTransaction.objects.create(
        movement=movement,
        dossier_code=dossier_code,
        method=method,
        reference=reference,
        actor=actor if actor is not None and actor.is_authenticated else None,
        memo=memo[:300],
        at=now,
        paid_at=paid_at or now,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                transaction=record,
                account=e.account,
                reference=e.reference,
                fee_line=e.fee_line,
                amount_vnd=e.amount_vnd,
            )
            for e in entries
        ]
    )
    return record


def ledger_balance(*, account: LedgerAccount, reference: str | None = None) -> int:
    """The balance of one account (of one reference, or of all)."""
    rows = LedgerEntry.objects.filter(account=account)
    if reference is not None:
        rows = rows.filter(reference=reference)
    return int(rows.aggregate(total=Sum("amount_vnd"))["total"] or 0)


def ledger_total() -> int:
    """The sum of every entry ever written: zero, or the ledger is broken."""
    return int(LedgerEntry.objects.aggregate(total=Sum("amount_vnd"))["total"] or 0)


def ledger_unbalanced() -> list[int]:
    """Ids of movements whose entries do not sum to zero (none, ever: the check behind
    `manage.py check_ledger` and the tests)."""
    return list(
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_vnd"))
        .exclude(total=0)
        .values_list("transaction_id", flat=True)
    )
