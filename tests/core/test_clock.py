"""Dates as motcua's pages type and show them (core.clock)."""

from __future__ import annotations

import datetime as dt

from motcua.core.clock import parse_vn_date, vn_date_as_typed


def test_a_typed_date_is_read_day_month_year_or_iso() -> None:
    assert parse_vn_date(" 01/12/2026 ") == dt.date(2026, 12, 1)
    assert parse_vn_date("2026-12-01") == dt.date(2026, 12, 1)
    assert parse_vn_date("31/02/2026") is None  # not a date
    assert parse_vn_date("12/2026") is None
    assert parse_vn_date("") is None


def test_a_stored_date_is_shown_as_typed() -> None:
    assert vn_date_as_typed("1990-05-12") == "12/05/1990"
    assert vn_date_as_typed("12/5/1990") == "12/5/1990"  # what was typed stays
    assert vn_date_as_typed(None) == ""
