"""Writes for the unit tree, service points and role assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from motcua.accounts.models import User
from motcua.core.errors import Conflict, ValidationError
from motcua.core.services import audit_record, row_state, state_diff

from .models import Role, RoleAssignment, ServicePoint, Unit
from .selectors import units_cache_invalidate

# Departments every province has after the 2025 reorganisation (local code suffix, name).
STANDARD_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("STP", "Sở Tư pháp"),
    ("STC", "Sở Tài chính"),
    ("SXD", "Sở Xây dựng"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("SYT", "Sở Y tế"),
    ("SVHTT", "Sở Văn hoá và Thể thao"),
    ("SNV", "Sở Nội vụ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SCT", "Sở Công Thương"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("CA", "Công an"),
)
# Hanoi's Public Administration Service Center has 30 branches (domain.md §1).
BRANCHES_BY_PROVINCE: dict[str, int] = {"01": 30}

_WARD_KIND = {
    VietNamDivisionType.PHUONG: Unit.Kind.WARD,
    VietNamDivisionType.XA: Unit.Kind.COMMUNE,
    VietNamDivisionType.DAC_KHU: Unit.Kind.SPECIAL_ZONE,
}


@dataclass
class LoadSummary:
    province: str
    created: int = 0
    updated: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    service_points: int = 0


def _province(code: str) -> Province:
    try:
        return Province.from_code(ProvinceCode(int(code)))
    except (ValueError, KeyError) as exc:
        raise ValidationError(
            _("Không có tỉnh, thành phố với mã %(province)s."),
            code="unknown_province",
            province=code,
        ) from exc


def province_unit_name(province: Province) -> str:
    return f"UBND {province.name}"


@transaction.atomic
def unit_tree_load(
    *,
    province_code: str,
    branches: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadSummary:
    """Create or update a province's unit tree from the official division list.

    Province -> standard departments, the Service Center and its branches -> every ward,
    commune and special zone with its official code. Idempotent: rerunning updates names and
    reactivates units, it never duplicates them. Each receiving unit gets a service point.
    """
    province = _province(province_code)
    code = f"{int(province.code):02d}"
    summary = LoadSummary(province=province.name)
    units_cache_invalidate()  # now and at commit: units may be renamed or reactivated
    existing = {u.code: u for u in Unit.objects.filter(province_code=code)}

    def upsert(**values: object) -> Unit:
        unit_code = str(values["code"])
        unit = existing.get(unit_code)
        if unit is None:
            unit = Unit(**values)
            unit.save()
            existing[unit_code] = unit
            summary.created += 1
        else:
            changed = [k for k, v in values.items() if getattr(unit, k) != v]
            if changed:
                for key in changed:
                    setattr(unit, key, values[key])
                unit.save(update_fields=changed)
                summary.updated += 1
        kind = str(values["kind"])
        summary.by_kind[kind] = summary.by_kind.get(kind, 0) + 1
        return unit

    root = upsert(
        code=code,
        name=province_unit_name(province),
        kind=Unit.Kind.PROVINCE,
        level=Unit.Level.PROVINCE,
        parent=None,
        province_code=code,
        division_code=code,
        is_active=True,
    )
    for suffix, name in STANDARD_DEPARTMENTS:
        full_name = f"{name} {province.name}" if suffix != "CA" else f"Công an {province.name}"
        upsert(
            code=f"{code}.{suffix}",
            name=full_name,
            kind=Unit.Kind.DEPARTMENT,
            level=Unit.Level.PROVINCE,
            parent=root,
            province_code=code,
            division_code="",
            is_active=True,
        )
    center = upsert(
        code=f"{code}.TTHCC",
        name=f"Trung tâm Phục vụ hành chính công {province.name}",
        kind=Unit.Kind.SERVICE_CENTER,
        level=Unit.Level.PROVINCE,
        parent=root,
        province_code=code,
        division_code="",
        is_active=True,
    )
    receiving: list[Unit] = [center]
    branch_count = BRANCHES_BY_PROVINCE.get(code, 0) if branches is None else branches
    for number in range(1, branch_count + 1):
        receiving.append(
            upsert(
                code=f"{code}.TTHCC.CN{number:02d}",
                name=f"Chi nhánh số {number} — Trung tâm Phục vụ hành chính công",
                kind=Unit.Kind.BRANCH,
                level=Unit.Level.PROVINCE,
                parent=center,
                province_code=code,
                division_code="",
                is_active=True,
            )
        )
    wards = sorted(
        (w for w in Ward.iter_all() if w.province_code == province.code), key=lambda w: int(w.code)
    )
    for index, ward in enumerate(wards, start=1):
        ward_code = f"{int(ward.code):05d}"
        receiving.append(
            upsert(
                code=ward_code,
                name=f"UBND {ward.name}",
                kind=_WARD_KIND[ward.division_type],
                level=Unit.Level.COMMUNE,
                parent=root,
                province_code=code,
                division_code=ward_code,
                is_active=True,
            )
        )
        if progress is not None:
            progress(ward.name, index, len(wards))

    points = {p.code: p for p in ServicePoint.objects.filter(unit__in=receiving)}
    for unit in receiving:
        point_code = f"{unit.code}.MC"
        name = f"Bộ phận Một cửa — {unit.name.removeprefix('UBND ')}"
        if point_code not in points:
            ServicePoint.objects.create(unit=unit, code=point_code, name=name)
        summary.service_points += 1
    return summary


@transaction.atomic
def role_assign(
    *,
    user: User,
    unit: Unit,
    role: str,
    now: dt.datetime,
    actor: User | None = None,
    covers_subunits: bool = False,
    service_point: ServicePoint | None = None,
) -> RoleAssignment:
    """Give a user a role in a unit (idempotent). Staff and integrator accounts only."""
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ: %(role)s."), code="unknown_role", role=role)
    if user.kind in (User.Kind.CITIZEN, User.Kind.ORGANISATION):
        raise ValidationError(
            _("Tài khoản công dân không thể được phân vai trò cán bộ."), code="citizen_not_staff"
        )
    existing = RoleAssignment.objects.filter(user=user, unit=unit, role=role).first()
    before = (
        {"covers_subunits": existing.covers_subunits, "service_point": existing.service_point_id}
        if existing is not None
        else {}
    )
    assignment, _created = RoleAssignment.objects.update_or_create(
        user=user,
        unit=unit,
        role=role,
        defaults={"covers_subunits": covers_subunits, "service_point": service_point},
    )
    after = {
        "covers_subunits": covers_subunits,
        "service_point": service_point and service_point.pk,
    }
    if before != after:
        audit_record(
            actor=actor,
            action="role.assign",
            object_type="organisation.roleassignment",
            object_id=assignment.pk,
            now=now,
            before=before,
            after={"user": user.username, "unit": unit.code, "role": role, **after},
        )
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, now: dt.datetime, actor: User | None = None) -> None:
    """Take a role away; the audit event keeps who had it."""
    audit_record(
        actor=actor,
        action="role.revoke",
        object_type="organisation.roleassignment",
        object_id=assignment.pk,
        now=now,
        before={
            "user": assignment.user.username,
            "unit": assignment.unit.code,
            "role": assignment.role,
        },
    )
    assignment.delete()


# --- one unit or service point at a time (the admin) ---------------------------------------


def unit_parent_cycle(*, unit: Unit, parent: Unit | None) -> bool:
    """Whether `parent` is the unit itself or one of its subunits (the tree would loop)."""
    ancestor = parent
    while ancestor is not None and unit.pk is not None:
        if ancestor.pk == unit.pk:
            return True
        ancestor = ancestor.parent
    return False


@transaction.atomic
def unit_save(*, unit: Unit, actor: User | None, now: dt.datetime) -> Unit:
    """Create or change a unit (name, kind, parent, codes incl. `agency_code`, contact,
    active). Records the changed fields and empties the unit caches (and the catalog's)."""
    if unit_parent_cycle(unit=unit, parent=unit.parent):
        raise ValidationError(
            _("Đơn vị cấp trên không thể là chính đơn vị này hoặc đơn vị trực thuộc nó."),
            code="unit_parent_cycle",
        )
    created = unit.pk is None
    before = {} if created else row_state(Unit.objects.select_for_update().get(pk=unit.pk))
    unit.agency_code = unit.agency_code.strip()
    unit.save()
    old, new = state_diff(before, row_state(unit))
    if created or new:
        audit_record(
            actor=actor,
            action="unit.create" if created else "unit.update",
            object_type="organisation.unit",
            object_id=unit.code,
            now=now,
            before=old,
            after=new,
        )
    units_cache_invalidate()
    return unit


def unit_in_use(unit: Unit) -> bool:
    """Whether rows hang on the unit (subunits, service points, role assignments): such a
    unit is deactivated, never deleted. Dossiers and procedures protect it too."""
    return (
        unit.children.exists()
        or unit.service_points.exists()
        or RoleAssignment.objects.filter(unit=unit).exists()
    )


@transaction.atomic
def unit_delete(*, unit: Unit, actor: User | None, now: dt.datetime) -> None:
    """Delete a unit nothing refers to (Conflict `unit_in_use` otherwise: deactivate it)."""
    if unit_in_use(unit):
        raise _in_use(unit.code)
    audit_record(
        actor=actor,
        action="unit.delete",
        object_type="organisation.unit",
        object_id=unit.code,
        now=now,
        before=row_state(unit),
    )
    try:
        with transaction.atomic():
            unit.delete()
    except (ProtectedError, RestrictedError):
        raise _in_use(unit.code) from None
    units_cache_invalidate()


def _in_use(code: str) -> Conflict:
    return Conflict(
        _(
            "Đơn vị hoặc điểm phục vụ %(code_value)s đang được sử dụng nên không xoá được; "
            "hãy bỏ chọn “đang hoạt động”."
        ),
        code="unit_in_use",
        code_value=code,
    )


@transaction.atomic
def service_point_save(
    *, service_point: ServicePoint, actor: User | None, now: dt.datetime
) -> ServicePoint:
    """Create or change a service point."""
    created = service_point.pk is None
    before = (
        {}
        if created
        else row_state(ServicePoint.objects.select_for_update().get(pk=service_point.pk))
    )
    service_point.save()
    old, new = state_diff(before, row_state(service_point))
    if created or new:
        audit_record(
            actor=actor,
            action="service_point.create" if created else "service_point.update",
            object_type="organisation.servicepoint",
            object_id=service_point.code,
            now=now,
            before=old,
            after=new,
        )
    units_cache_invalidate()
    return service_point


def service_point_in_use(service_point: ServicePoint) -> bool:
    return RoleAssignment.objects.filter(service_point=service_point).exists()


@transaction.atomic
def service_point_delete(
    *, service_point: ServicePoint, actor: User | None, now: dt.datetime
) -> None:
    """Delete a service point no officer sits at and no dossier was received at (Conflict
    `unit_in_use` otherwise: deactivate it)."""
    if service_point_in_use(service_point):
        raise _in_use(service_point.code)
    audit_record(
        actor=actor,
        action="service_point.delete",
        object_type="organisation.servicepoint",
        object_id=service_point.code,
        now=now,
        before=row_state(service_point),
    )
    try:
        with transaction.atomic():
            service_point.delete()
    except (ProtectedError, RestrictedError):
        raise _in_use(service_point.code) from None
    units_cache_invalidate()
