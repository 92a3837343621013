"""Catalog fixtures for dossier tests: a published procedure with components and a five-step
internal process (receive 0 h, assign 4 h, review 16 h, leader 8 h, return 4 h), legal time
5 working days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from motcua.catalog.models import (
    Component,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    TimeUnit,
)
from motcua.organisation.models import Role


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "HOTICH"
    name = "Hộ tịch"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"1.00{n:04d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    level = "commune"
    competent_unit_kinds = factory.LazyFunction(lambda: ["ward", "commune"])


class ProcedureVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureVersion

    procedure = factory.SubFactory(ProcedureFactory)
    number = 1
    status = ProcedureVersion.Status.PUBLISHED
    valid_from = dt.date(2025, 7, 1)
    online_level = OnlineLevel.FULL
    time_unit = TimeUnit.WORKING_DAYS
    counter_time = Decimal(5)
    supplement_wait_days = 15
    eform = factory.LazyFunction(
        lambda: {
            "fields": [
                {"name": "ho_ten", "label": "Họ và tên", "required": True},
                {"name": "ngay_sinh", "label": "Ngày sinh", "required": True},
                {"name": "ghi_chu", "label": "Ghi chú", "required": False},
            ]
        }
    )


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"TP{n + 1}")
    name = factory.Sequence(lambda n: f"Giấy tờ {n + 1}")
    accepted_forms = factory.LazyFunction(lambda: ["original"])


class ProcessStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessStep

    version = factory.SubFactory(ProcedureVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Bước {n + 1}")
    role = Role.SPECIALIST
    unit_scope = ProcessStep.UnitScope.COMPETENT
    allotment_hours = Decimal(8)


STANDARD_PROCESS = (
    ("Tiếp nhận hồ sơ", Role.OFFICER, ProcessStep.UnitScope.RECEIVING, Decimal(0)),
    ("Phân công xử lý", Role.LEADER, ProcessStep.UnitScope.COMPETENT, Decimal(4)),
    ("Thẩm định hồ sơ", Role.SPECIALIST, ProcessStep.UnitScope.COMPETENT, Decimal(16)),
    ("Lãnh đạo ký duyệt", Role.LEADER, ProcessStep.UnitScope.COMPETENT, Decimal(8)),
    ("Trả kết quả", Role.OFFICER, ProcessStep.UnitScope.RECEIVING, Decimal(4)),
)


def standard_version(**overrides: object) -> ProcedureVersion:
    """A published version with two components (TP1 required, TP2 optional) and the
    five-step process."""
    version: ProcedureVersion = ProcedureVersionFactory(**overrides)  # type: ignore[assignment]
    ComponentFactory(version=version, order=1, code="TP1", name="Tờ khai")
    ComponentFactory(
        version=version, order=2, code="TP2", name="Giấy tờ chứng minh", required=False
    )
    for order, (name, role, scope, hours) in enumerate(STANDARD_PROCESS, start=1):
        ProcessStepFactory(
            version=version,
            order=order,
            name=name,
            role=role,
            unit_scope=scope,
            allotment_hours=hours,
        )
    return version
