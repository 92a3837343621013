"""Shared factories for the foundation models. App-specific factories live beside their tests."""

from __future__ import annotations

import datetime as dt

import factory

from motcua.accounts.models import User
from motcua.organisation.models import Role, RoleAssignment, ServicePoint, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.vn")
    kind = User.Kind.CITIZEN
    password = factory.django.Password("matkhau-demo-2026")


class CitizenFactory(UserFactory):
    """A citizen born in Hà Nội on 12 May 1990 (the number says so: 001, 0 = 1900s male, 90);
    identity not verified unless `identity_verified_at` is given."""

    personal_id = factory.Sequence(lambda n: f"001090{n % 1_000_000:06d}")
    date_of_birth = dt.date(1990, 5, 12)
    phone = factory.Sequence(lambda n: f"09{n:08d}")


class StaffFactory(UserFactory):
    kind = User.Kind.STAFF


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n + 90000:05d}")
    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    kind = Unit.Kind.WARD
    level = Unit.Level.COMMUNE
    province_code = "01"


class ProvinceUnitFactory(UnitFactory):
    code = "01"
    name = "UBND Thành phố Hà Nội"
    kind = Unit.Kind.PROVINCE
    level = Unit.Level.PROVINCE


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"SP{n:04d}")
    name = factory.Sequence(lambda n: f"Điểm phục vụ {n}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(StaffFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.OFFICER
