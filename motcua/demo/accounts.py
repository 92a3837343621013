"""Demo accounts: one per role, in a few real Hanoi units, printed by `load_demo`."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import api_token_create
from motcua.core.identifiers import personal_id_make
from motcua.organisation.models import Role, Unit
from motcua.organisation.services import role_assign

DEMO_PASSWORD = os.environ.get("MOTCUA_DEMO_PASSWORD", "motcua-demo-2026")

# Units with a full demo staff (officer, specialist, leader). Wards are real Hanoi wards.
STAFFED_UNITS: tuple[tuple[str, str], ...] = (
    ("00070", "hoankiem"),  # Phường Hoàn Kiếm
    ("00004", "badinh"),  # Phường Ba Đình
    ("00167", "caugiay"),  # Phường Cầu Giấy
    ("00235", "dongda"),  # Phường Đống Đa
    ("09574", "sontay"),  # Phường Sơn Tây
    ("00454", "dongan"),  # Xã Đông Anh
    ("01.STP", "stp"),  # Sở Tư pháp
    ("01.STC", "stc"),  # Sở Tài chính
    ("01.SXD", "sxd"),  # Sở Xây dựng
    ("01.TTHCC.CN01", "cn01"),  # Chi nhánh số 1, Service Center
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str


def _user(username: str, *, kind: str, full_name: str, **extra: object) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"kind": kind, "full_name": full_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


PROCEDURE_ADMIN_APPS = ("catalog", "deadlines")


def procedure_admin_group() -> Group:
    """The admin group a procedure administrator works in: the catalog and the calendar."""
    group, _created = Group.objects.get_or_create(name="Quản trị thủ tục")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=PROCEDURE_ADMIN_APPS)
    )
    return group


def staffed_units() -> list[Unit]:
    codes = [code for code, _slug in STAFFED_UNITS]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    return [units[code] for code in codes if code in units]


@transaction.atomic
def demo_accounts_load(*, now: dt.datetime) -> tuple[list[DemoAccount], str | None]:
    """Create the demo accounts (idempotent). Returns them, and an integrator API key when one
    was created now (its key is shown once)."""
    accounts: list[DemoAccount] = []
    admin = _user(
        "admin",
        kind=User.Kind.STAFF,
        full_name="Quản trị hệ thống",
        is_staff=True,
        is_superuser=True,
    )
    accounts.append(DemoAccount(admin.username, "quản trị hệ thống (superuser)", "/admin/"))
    city = Unit.objects.get(code="01")
    slugs = dict(STAFFED_UNITS)
    for unit in staffed_units():
        slug = slugs[unit.code]
        for role, prefix, name in (
            (Role.OFFICER, "motcua", "Cán bộ một cửa"),
            (Role.SPECIALIST, "chuyenvien", "Chuyên viên"),
            (Role.LEADER, "lanhdao", "Lãnh đạo"),
        ):
            user = _user(
                f"{prefix}.{slug}",
                kind=User.Kind.STAFF,
                full_name=f"{name} {unit.name.removeprefix('UBND ')}",
            )
            role_assign(now=now, user=user, unit=unit, role=role)
            if slug == "hoankiem" or (slug == "stp" and role != Role.OFFICER):
                accounts.append(DemoAccount(user.username, str(role.label), unit.name))
    for username, role, full_name in (
        ("quantri.thutuc", Role.PROCEDURE_ADMIN, "Quản trị thủ tục Thành phố"),
        ("giamsat", Role.SUPERVISOR, "Giám sát Thành phố"),
        ("kiemtra", Role.AUDITOR, "Kiểm tra, thanh tra"),
        # Handles people's personal-data requests (docs/personal-data.md).
        ("baove.dulieu", Role.PRIVACY_OFFICER, "Cán bộ bảo vệ dữ liệu cá nhân Thành phố"),
        # Reconciles the payment gateways' statements (docs/payments.md, "Reconciliation").
        ("ketoan", Role.ACCOUNTANT, "Kế toán Thành phố"),
    ):
        user = _user(
            username,
            kind=User.Kind.STAFF,
            full_name=full_name,
            is_staff=role == Role.PROCEDURE_ADMIN,
        )
        role_assign(now=now, user=user, unit=city, role=role, covers_subunits=True)
        if role == Role.PROCEDURE_ADMIN:
            user.groups.add(procedure_admin_group())
        accounts.append(DemoAccount(username, str(role.label), f"{city.name} và đơn vị trực thuộc"))
    citizen = _user(
        "congdan",
        kind=User.Kind.CITIZEN,
        full_name="Nguyễn Văn An",
        personal_id="001090012345",  # born 1990 in Hà Nội, male
        date_of_birth=dt.date(1990, 5, 12),
        identity_verified_at=now,
        phone="0912345678",
        email="nguyenvanan@example.vn",
        address="12 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
    )
    accounts.append(DemoAccount(citizen.username, "Công dân", "cổng dịch vụ công, API"))
    business = _user(
        "doanhnghiep",
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Sen Vàng",
        organisation_id_number="0109876543",
        identity_verified_at=now,
        email="lienhe@senvang.example.vn",
        phone="02431234567",
        address="25 Trần Duy Hưng, Phường Cầu Giấy, Hà Nội",
    )
    accounts.append(DemoAccount(business.username, "Doanh nghiệp", "cổng dịch vụ công, API"))
    integrator = _user(
        "tichhop.congtinh",
        kind=User.Kind.INTEGRATOR,
        full_name="Cổng dịch vụ công Thành phố (tích hợp)",
    )
    role_assign(now=now, user=integrator, unit=city, role=Role.INTEGRATOR, covers_subunits=True)
    accounts.append(DemoAccount(integrator.username, "Hệ thống tích hợp (khoá API)", "API"))
    raw_key = None
    if not ApiToken.objects.filter(user=integrator, revoked_at__isnull=True).exists():
        _token, raw_key = api_token_create(user=integrator, name="Khoá trình diễn", now=now)
    return accounts, raw_key


def demo_citizens(count: int, *, now: dt.datetime | None = None) -> list[User]:
    """Citizens who file the demo dossiers (idempotent by username), each with a consistent
    identity: born in Hà Nội between 1950 and 2004, the number encoding the year and the sex
    ("Thị" as middle name: female), verified at `now` when given."""
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
    middles = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quang", "Thanh"]
    givens = [
        "An",
        "Bình",
        "Chi",
        "Dũng",
        "Hà",
        "Hải",
        "Hương",
        "Khánh",
        "Lan",
        "Long",
        "Mai",
        "Nam",
        "Phúc",
        "Quân",
        "Trang",
        "Tuấn",
        "Vy",
        "Yến",
    ]
    existing = {u.username: u for u in User.objects.filter(username__startswith="congdan.")}
    users = []
    for n in range(1, count + 1):
        username = f"congdan.{n:03d}"
        user = existing.get(username)
        if user is None:
            middle = middles[n % len(middles)]
            name = f"{surnames[n % len(surnames)]} {middle} {givens[n % len(givens)]}"
            born = dt.date(1950 + (n * 7) % 55, 1 + n % 12, 1 + (n * 3) % 28)
            user = User(
                username=username,
                kind=User.Kind.CITIZEN,
                full_name=name,
                personal_id=personal_id_make(
                    province_code="001",
                    birth_year=born.year,
                    sex="female" if middle == "Thị" else "male",
                    serial=n,
                ),
                date_of_birth=born,
                identity_verified_at=now,
                phone=f"09{n:08d}",
                email=f"{username}@example.vn",
                address="Hà Nội",
            )
            user.set_unusable_password()
            user.save()
        users.append(user)
    return users
