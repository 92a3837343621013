"""The database side of append-only tables: triggers that refuse UPDATE and DELETE, whoever
asks (the models refuse too: `AppendOnlyModel`). For the migrations of the apps that own such
tables (consent records, the ledger, gateway callbacks...); core's and dossiers' own first
migrations of this kind keep their inline copy, as migrations are history.

PostgreSQL: one row-level BEFORE UPDATE OR DELETE trigger per table calling `function`
(TRUNCATE, which fires no row triggers, is left to whoever owns the database). SQLite:
BEFORE UPDATE and BEFORE DELETE triggers raising ABORT. A later migration that rebuilds one
of these tables on SQLite (Django copies the table) drops its triggers and must create them
again (tests/core/test_append_only.py checks the migrated schema). Each migration names its
own `function`, so reversing one never drops another's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def statements(vendor: str, *, tables: Sequence[str], function: str, install: bool) -> list[str]:
    if vendor == "postgresql":
        if not install:
            return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in tables] + [
                f"DROP FUNCTION IF EXISTS {function}()"
            ]
        return [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$"""
        ] + [
            f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            for t in tables
        ]
    if vendor == "sqlite":
        if not install:
            return [
                f"DROP TRIGGER IF EXISTS {t}_no_{op}" for t in tables for op in ("update", "delete")
            ]
        return [
            f"CREATE TRIGGER {t}_no_{op} BEFORE {op.upper()} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{op.upper()} on {t}: the table is append-only'); END"
            for t in tables
            for op in ("update", "delete")
        ]
    return []  # another database: the model guard only


Step = Callable[[Any, Any], None]


def trigger_steps(*, tables: Sequence[str], function: str) -> tuple[Step, Step]:
    """(install, uninstall) for RunPython; install is idempotent (drops first)."""

    def install(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for sql in [
            *statements(vendor, tables=tables, function=function, install=False),
            *statements(vendor, tables=tables, function=function, install=True),
        ]:
            schema_editor.execute(sql, params=None)

    def uninstall(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for sql in statements(vendor, tables=tables, function=function, install=False):
            schema_editor.execute(sql, params=None)

    return install, uninstall
