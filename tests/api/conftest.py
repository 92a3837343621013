"""Fixtures for the API tests: a ward with a published procedure, and one actor per row of
the authorisation matrix (citizens, officers of this and another ward, an integrator)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create
from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    ProcessStep,
)
from motcua.catalog.search import search_index_sync
from motcua.organisation.models import Role, Unit
from tests.factories import (
    CitizenFactory,
    ProvinceUnitFactory,
    RoleAssignmentFactory,
    StaffFactory,
    UnitFactory,
    UserFactory,
)

PUBLISHED_AT = dt.datetime(2025, 6, 20, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def province(db: None) -> Unit:
    return cast(Unit, ProvinceUnitFactory())


@pytest.fixture
def ward(province: Unit) -> Unit:
    return cast(Unit, UnitFactory(code="00070", name="Phường Hoàn Kiếm", parent=province))


@pytest.fixture
def other_ward(province: Unit) -> Unit:
    return cast(Unit, UnitFactory(code="00004", name="Phường Ba Đình", parent=province))


@pytest.fixture
def civil_status(db: None) -> Field:
    return Field.objects.create(code="HT", name="Hộ tịch", name_en="Civil status")


@pytest.fixture
def procedure(civil_status: Field) -> Procedure:
    """Đăng ký khai sinh: version 2 in force, version 1 retired, a draft version 3."""
    procedure = Procedure.objects.create(
        code="1.001193",
        name="Đăng ký khai sinh",
        name_en="Birth registration",
        field=civil_status,
        level="commune",
        competent_unit_kinds=["ward", "commune"],
        search_text="1.001193 dang ky khai sinh birth registration",
    )
    search_index_sync(procedure_ids=[procedure.pk])  # created behind the services' back
    ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.RETIRED,
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        counter_time=Decimal(5),
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=2,
        status=ProcedureVersion.Status.PUBLISHED,
        valid_from=dt.date(2025, 7, 1),
        online_level="full",
        time_unit="working_days",
        counter_time=Decimal(3),
        online_time=Decimal("2.5"),
        cutoff_time=dt.time(15, 0),
        result_kind="both",
        result_name="Giấy khai sinh",
        applicant="Cá nhân",
        agency="UBND cấp xã",
        method="Trực tiếp, trực tuyến, bưu chính",
        sequence="Nộp hồ sơ; tiếp nhận; giải quyết; trả kết quả.",
        legal_basis=["Luật Hộ tịch 2014"],
        eform={
            "fields": [{"name": "ten_tre", "label": "Họ tên trẻ", "type": "text", "required": True}]
        },
        published_at=PUBLISHED_AT,
    )
    ProcedureVersion.objects.create(
        procedure=procedure,
        number=3,
        status=ProcedureVersion.Status.DRAFT,
        valid_from=dt.date(2027, 1, 1),
        counter_time=Decimal(1),
    )
    Component.objects.create(
        version=version,
        order=1,
        code="TK",
        name="Tờ khai đăng ký khai sinh",
        accepted_forms=["declaration_form"],
        template_name="Mẫu TK-KS",
    )
    Component.objects.create(
        version=version,
        order=2,
        code="GCS",
        name="Giấy chứng sinh",
        accepted_forms=["original", "electronic_copy"],
    )
    Fee.objects.create(
        version=version,
        order=1,
        name="Lệ phí đăng ký khai sinh",
        kind="charge",
        amount_vnd=None,
        timing="exempt",
        basis="Miễn lệ phí khi đăng ký đúng hạn.",
    )
    ProcessStep.objects.create(
        version=version,
        order=1,
        name="Tiếp nhận hồ sơ",
        role=Role.OFFICER,
        unit_scope="receiving",
        allotment_hours=Decimal(4),
    )
    ProcessStep.objects.create(
        version=version,
        order=2,
        name="Thẩm định, trình ký",
        role=Role.SPECIALIST,
        allotment_hours=Decimal(12),
    )
    ProcessStep.objects.create(
        version=version, order=3, name="Ký duyệt", role=Role.LEADER, allotment_hours=Decimal(4)
    )
    return procedure


@pytest.fixture
def citizen(db: None) -> User:
    return cast(
        User,
        CitizenFactory(
            username="an",
            full_name="Nguyễn Văn An",
            personal_id="001090000001",
            phone="0912345678",
            email="an@example.vn",
            address="12 Hàng Bạc, Hoàn Kiếm",
        ),
    )


@pytest.fixture
def other_citizen(db: None) -> User:
    return cast(User, CitizenFactory(username="binh", full_name="Trần Thị Bình"))


@pytest.fixture
def officer(ward: Unit) -> User:
    user = cast(User, StaffFactory(username="officer"))
    RoleAssignmentFactory(user=user, unit=ward, role=Role.OFFICER)
    return user


@pytest.fixture
def other_officer(other_ward: Unit) -> User:
    user = cast(User, StaffFactory(username="other_officer"))
    RoleAssignmentFactory(user=user, unit=other_ward, role=Role.OFFICER)
    return user


@pytest.fixture
def integrator(ward: Unit) -> User:
    user = cast(
        User,
        UserFactory(username="dvcqg", full_name="Cổng DVC quốc gia", kind=User.Kind.INTEGRATOR),
    )
    RoleAssignmentFactory(user=user, unit=ward, role=Role.INTEGRATOR)
    return user


def bearer(user: User, **kwargs: Any) -> dict[str, Any]:
    """Headers carrying a fresh token of `user`."""
    _, raw = api_token_create(user=user, name="test", now=timezone.now(), **kwargs)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
