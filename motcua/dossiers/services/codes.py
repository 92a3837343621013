"""Dossier codes: `{agency identification code}-{YYMMDD}-{NNNN}`, reset daily per receiving
unit (domain.md section 3). The prefix is the unit's electronic identification code
(`Unit.agency_code`, Decision 20/2020/QĐ-TTg) where set, otherwise its unit code.

The number comes from a `DossierCodeCounter` row incremented by one upsert
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, PostgreSQL and SQLite >= 3.35) in the
transaction that inserts the dossier: the row stays locked until that transaction ends, so two
writers queue on it (unique codes), and a rolled-back submission gives its number back
(gap-free).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from motcua.core.clock import local
from motcua.organisation.models import Unit

from ..models import DossierCodeCounter


def dossier_code_next(*, unit: Unit, now: dt.datetime) -> str:
    """Take the next code of `unit` for the local (Asia/Ho_Chi_Minh) date of `now`.

    Must run inside the transaction that inserts the dossier."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_code_next must run inside the dossier's transaction")
    day = local(now).date()
    table = connection.ops.quote_name(DossierCodeCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (unit_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [unit.pk, connection.ops.adapt_datefield_value(day)],
        )
        (number,) = cursor.fetchone()
    return dossier_code_format(unit_code=unit.agency_code or unit.code, day=day, number=number)


def dossier_code_format(*, unit_code: str, day: dt.date, number: int) -> str:
    return f"{unit_code}-{day:%y%m%d}-{number:04d}"
