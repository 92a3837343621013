"""Reads about units and who may act where."""

from __future__ import annotations

import copy
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from motcua.accounts.models import User
from motcua.core.generation_cache import Generation, GenerationCache

from .models import Role, RoleAssignment, ServicePoint, Unit

# Bumped by every write to units (`units_cache_invalidate`): the services and the admin.
UNITS_GENERATION = Generation("organisation.units")
_active_units: GenerationCache[Unit] = GenerationCache(UNITS_GENERATION)
_ancestors: GenerationCache[tuple[int, ...]] = GenerationCache(UNITS_GENERATION)
_province_units: GenerationCache[tuple[tuple[int, str, str], ...]] = GenerationCache(
    UNITS_GENERATION
)


def units_cache_invalidate() -> None:
    """Units changed (now, or when the current transaction commits): forget the cached ones
    in every process. Also empties the caches that depend on units (the catalog's)."""
    _active_units.invalidate_on_write()


def units_cache_clear() -> None:
    """Drop this process's cached units (tests call it between cases)."""
    _active_units.clear()
    _ancestors.clear()
    _province_units.clear()


def unit_active_by_code(*, code: str) -> Unit | None:
    """The active unit with this code, or None: the hot path of filing a dossier. Cached in
    the process until a unit is written (`units_cache_invalidate`); each call gets its own
    copy of the instance."""
    unit = _active_units.get(code, lambda: Unit.objects.filter(code=code, is_active=True).first())
    return copy.copy(unit) if unit is not None else None


def unit_descendant_ids(*, unit_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them (breadth-first over the tree)."""
    result: set[int] = set(unit_ids)
    frontier = set(result)
    while frontier:
        children = (
            set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - result
        )
        result |= children
        frontier = children
    return result


def user_unit_ids(*, user: User, roles: Iterable[str] | None = None) -> set[int]:
    """Units where the user holds one of `roles` (any role when None), expanded to subunits
    for assignments that cover them."""
    if not user.is_authenticated or not user.is_active:
        return set()
    assignments = RoleAssignment.objects.filter(user=user, unit__is_active=True)
    if roles is not None:
        assignments = assignments.filter(role__in=list(roles))
    direct: set[int] = set()
    covering: set[int] = set()
    held: set[str] = set()
    for role, unit_id, covers in assignments.values_list("role", "unit_id", "covers_subunits"):
        held.add(role)
        (covering if covers else direct).add(unit_id)
    if roles is None:
        # What this read saw, for display only (`user_roles_seen`): never for a permission.
        user._roles_seen = frozenset(held)  # type: ignore[attr-defined]
    return direct | unit_descendant_ids(unit_ids=covering)


def user_roles_seen(*, user: User) -> frozenset[str] | None:
    """The roles (in active units) the last `user_unit_ids(user=...)` read of this very user
    instance saw, or None when none was made: lets a page show or hide a navigation entry
    without a query of its own (the request's user is read again on every request). Never
    decides a permission: the page behind the entry checks for itself."""
    return getattr(user, "_roles_seen", None)


def user_roles_in_unit(*, user: User, unit: Unit) -> set[str]:
    """Roles the user holds in `unit`, directly or through an ancestor that covers subunits."""
    if not user.is_authenticated or not user.is_active:
        return set()
    roles: set[str] = set()
    ancestors = unit_ancestor_ids(unit=unit)
    for role, unit_id, covers in RoleAssignment.objects.filter(
        user=user, unit_id__in=ancestors
    ).values_list("role", "unit_id", "covers_subunits"):
        if unit_id == unit.pk or covers:
            roles.add(role)
    return roles


def unit_list(
    *, province_code: str | None = None, level: str | None = None, kind: str | None = None
) -> QuerySet[Unit]:
    units = Unit.objects.filter(is_active=True)
    if province_code:
        units = units.filter(province_code=province_code)
    if level:
        units = units.filter(level=level)
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("code")


def unit_choices(*, province_code: str) -> list[tuple[int, str, str]]:
    """(id, code, name) of the active units of a province, by code (`unit_list`): the
    choices of a transfer or a consultation. Cached in the process until a unit is written
    (`units_cache_invalidate`): no query on a hit."""
    rows = _province_units.get(
        province_code,
        lambda: tuple(unit_list(province_code=province_code).values_list("id", "code", "name")),
    )
    return list(rows or ())


STAFF_ROLES = frozenset({Role.OFFICER, Role.SPECIALIST, Role.LEADER})


def unit_ancestor_ids(*, unit: Unit) -> list[int]:
    """`unit` and its ancestors, nearest first. Cached in the process per unit until a unit
    is written (`units_cache_invalidate`): no query on a hit."""
    chain = _ancestors.get(unit.pk, lambda: _ancestor_chain(unit))
    return list(chain or (unit.pk,))


def _ancestor_chain(unit: Unit) -> tuple[int, ...]:
    ids = [unit.pk]
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return tuple(ids)


def users_with_role_in_unit(*, unit: Unit, role: str) -> QuerySet[User]:
    """Active users holding `role` in `unit`, directly or through an ancestor's assignment
    that covers subunits (the people a step of that role there can be given to)."""
    ancestors = unit_ancestor_ids(unit=unit)
    assignments = RoleAssignment.objects.filter(role=role).filter(
        Q(unit_id=unit.pk) | Q(unit_id__in=ancestors[1:], covers_subunits=True)
    )
    return (
        User.objects.filter(is_active=True, pk__in=assignments.values("user_id"))
        .order_by("full_name", "username")
        .distinct()
    )


def service_point_list(*, q: str = "") -> QuerySet[ServicePoint]:
    """The active service points (any of them receives any procedure's dossier: no
    administrative boundary, domain.md section 1), by name, with their unit; `q` matches the
    name, the address or the unit's name (case-insensitive)."""
    qs = ServicePoint.objects.filter(is_active=True).select_related("unit")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(unit__name__icontains=q))
    return qs.order_by("name", "code")
