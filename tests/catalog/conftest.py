"""Catalog test fixtures: the Hanoi department units the catalogs name, and a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.generator import DEPARTMENTS
from motcua.core.clock import VN_TZ
from motcua.organisation.models import Unit
from tests.factories import ProvinceUnitFactory, UnitFactory

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
DEMO_DEPARTMENTS = (*DEPARTMENTS, "01.TTHCC")


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def departments(db: None) -> dict[str, Unit]:
    province = ProvinceUnitFactory()
    return {
        code: UnitFactory(
            code=code,
            name=f"Sở {code}",
            kind=Unit.Kind.DEPARTMENT,
            level=Unit.Level.PROVINCE,
            parent=province,
        )
        for code in DEMO_DEPARTMENTS
    }
