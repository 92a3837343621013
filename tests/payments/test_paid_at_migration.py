"""Migration payments 0007 backfills `LedgerTransaction.paid_at` with the recorded time of
the movements already in the ledger and leaves the append-only triggers in place (SQLite,
a database built by the migrations in a subprocess, as tests/core/test_append_only.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.core.test_append_only import _manage


def test_the_backfill_dates_old_movements_by_their_confirmation_and_keeps_the_ledger_closed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "migrated.sqlite3"
    _manage(db, "call_command('migrate', 'payments', '0006', verbosity=0)")
    raw = sqlite3.connect(db)
    raw.execute(
        "INSERT INTO payments_ledgertransaction (movement, dossier_code, method, reference, memo,"
        " at) VALUES ('payment', 'H-1', 'online', 'sandbox:1', 'sandbox',"
        " '2026-12-01 17:00:04')"
    )
    raw.commit()
    raw.close()

    _manage(db, "call_command('migrate', 'payments', verbosity=0)")

    raw = sqlite3.connect(db)
    assert raw.execute("SELECT at, paid_at FROM payments_ledgertransaction").fetchall() == [
        ("2026-12-01 17:00:04", "2026-12-01 17:00:04")
    ]
    for sql in (
        "UPDATE payments_ledgertransaction SET paid_at = '2020-01-01'",
        "DELETE FROM payments_ledgertransaction",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
    columns = {
        row[1]: row[3] for row in raw.execute("PRAGMA table_info(payments_ledgertransaction)")
    }
    assert columns["paid_at"] == 1  # NOT NULL
    raw.close()
