"""Dossier codes: {receiving unit code}-{YYMMDD}-{NNNN}, per unit, reset daily (local date)."""

from __future__ import annotations

import datetime as dt

from motcua.dossiers.models import DossierCodeCounter
from motcua.dossiers.services import dossier_code_format

from .helpers import MON, received, submitted, vn


def test_format_pads_to_four_digits_and_grows_beyond():
    assert dossier_code_format(unit_code="00070", day=dt.date(2026, 3, 2), number=7) == (
        "00070-260302-0007"
    )
    assert dossier_code_format(unit_code="01.STP", day=dt.date(2026, 3, 2), number=12345) == (
        "01.STP-260302-12345"
    )


def test_numbers_follow_each_other_per_unit_and_reset_daily(world):
    codes = [
        submitted(world).code,
        received(world).code,
        submitted(world, now=MON + dt.timedelta(hours=3)).code,
        submitted(world, receiving_unit=world.branch, handling_unit=world.ward).code,
        submitted(world, now=vn(2026, 3, 3, 8)).code,
    ]
    assert codes == [
        "00070-260302-0001",
        "00070-260302-0002",
        "00070-260302-0003",
        "01.TTHCC.CN05-260302-0001",
        "00070-260303-0001",
    ]
    assert DossierCodeCounter.objects.get(unit=world.ward, day=dt.date(2026, 3, 2)).last == 3


def test_the_day_is_the_local_date(world):
    # 17:30 UTC on 2 March is 00:30 on 3 March in Hanoi.
    late = dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC)
    assert submitted(world, now=late).code == "00070-260303-0001"
