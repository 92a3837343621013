"""Dossier codes: `{receiving unit code}-{YYMMDD}-{NNNN}`, reset daily per receiving unit.

The number comes from a `DossierCodeCounter` row taken under `select_for_update` and updated
in the transaction that inserts the dossier: a rolled-back submission gives its number back,
so codes are gap-free, and two writers queue on the row, so they are unique.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from motcua.core.clock import local
from motcua.organisation.models import Unit

from ..models import DossierCodeCounter


def dossier_code_next(*, unit: Unit, now: dt.datetime) -> str:
    """Take the next code of `unit` for the local (Asia/Ho_Chi_Minh) date of `now`.

    Must run inside the transaction that inserts the dossier."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_code_next must run inside the dossier's transaction")
    day = local(now).date()
    # Insert the day's row if missing without failing when another writer did it first,
    # then lock it: every writer of the day queues here.
    DossierCodeCounter.objects.bulk_create(
        [DossierCodeCounter(unit=unit, day=day, last=0)], ignore_conflicts=True
    )
    counter = DossierCodeCounter.objects.select_for_update().get(unit=unit, day=day)
    DossierCodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    number = counter.last + 1
    return dossier_code_format(unit_code=unit.code, day=day, number=number)


def dossier_code_format(*, unit_code: str, day: dt.date, number: int) -> str:
    return f"{unit_code}-{day:%y%m%d}-{number:04d}"
