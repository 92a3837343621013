"""Dossier codes: `{agency identification code}-{YYMMDD}-{NNNN}`, reset daily per receiving
unit (domain.md section 3). The prefix is the unit's electronic identification code
(`Unit.agency_code`, Decision 20/2020/QĐ-TTg) where set, otherwise its unit code.

The number comes from a `DossierCodeCounter` row incremented by one upsert
(`core.counters.counter_next`) in the transaction that inserts the dossier: the row stays
locked until that transaction ends, so two writers queue on it (unique codes), and a
rolled-back submission gives its number back (gap-free).
"""

from __future__ import annotations

import datetime as dt

from motcua.core.clock import local
from motcua.core.counters import counter_next
from motcua.organisation.models import Unit

from ..models import DossierCodeCounter


def dossier_code_next(*, unit: Unit, now: dt.datetime) -> str:
    """Take the next code of `unit` for the local (Asia/Ho_Chi_Minh) date of `now`.

    Must run inside the transaction that inserts the dossier."""
    day = local(now).date()
    number = counter_next(
        model=DossierCodeCounter, keys={"unit": unit.pk, "day": day}, purpose="dossier_code_next"
    )
    return dossier_code_format(unit_code=unit.agency_code or unit.code, day=day, number=number)


def dossier_code_format(*, unit_code: str, day: dt.date, number: int) -> str:
    return f"{unit_code}-{day:%y%m%d}-{number:04d}"
