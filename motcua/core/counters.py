"""Gap-free counters: the next number of a (key ...) row, taken by one upsert
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, PostgreSQL and SQLite >= 3.35) inside the
transaction that uses it. The row stays locked until that transaction ends, so two writers
queue on it (unique numbers), and a rolled-back transaction gives its number back (no gap).
Used by dossier codes, the certification books and feedback codes."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction


def counter_next(*, model: type[models.Model], keys: dict[str, Any], purpose: str) -> int:
    """Increment the `last` of `model`'s row for `keys` (field name -> value; the fields of
    its unique constraint) and answer the new value (1 for a new row). `purpose` names the
    caller in the error raised when no transaction is open."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{purpose} must run inside the transaction that uses the number")
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in keys]  # concrete fields
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    values = [f.get_db_prep_value(keys[f.name], connection) for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(  # the table's and columns' names are the model's, values parameters
            f"INSERT INTO {table} ({columns}, last) VALUES ({placeholders}, 1) "  # noqa: S608
            f"ON CONFLICT ({columns}) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            values,
        )
        (number,) = cursor.fetchone()
    return int(number)
