"""GET /api/v1/units: public list of active units."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.organisation.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_units_filtered_by_province_level_and_kind(
    client: Client, ward: Unit, other_ward: Unit, province: Unit
) -> None:
    UnitFactory(
        code="79", name="UBND TP Hồ Chí Minh", kind="province", level="province", province_code="79"
    )
    UnitFactory(
        code="01.STP", name="Sở Tư pháp", kind="department", level="province", parent=province
    )
    UnitFactory(code="00001", name="Phường Cũ", parent=province, is_active=False)

    communes = client.get("/api/v1/units?province=01&level=commune")
    departments = client.get("/api/v1/units?kind=department")

    assert communes.status_code == 200
    assert communes.json() == {
        "items": [
            {
                "code": "00004",
                "name": "Phường Ba Đình",
                "kind": "ward",
                "level": "commune",
                "parent_code": "01",
                "province_code": "01",
            },
            {
                "code": "00070",
                "name": "Phường Hoàn Kiếm",
                "kind": "ward",
                "level": "commune",
                "parent_code": "01",
                "province_code": "01",
            },
        ],
        "count": 2,
    }
    assert departments.json() == {
        "items": [
            {
                "code": "01.STP",
                "name": "Sở Tư pháp",
                "kind": "department",
                "level": "province",
                "parent_code": "01",
                "province_code": "01",
            }
        ],
        "count": 1,
    }


def test_units_are_paginated(client: Client, province: Unit) -> None:
    for n in range(30):
        UnitFactory(code=f"{n:05d}", parent=province)

    page = client.get("/api/v1/units?level=commune&page=2&page_size=25").json()

    assert page["count"] == 30
    assert [u["code"] for u in page["items"]] == [f"{n:05d}" for n in range(25, 30)]
