"""Reads around the counter, for the staff of a unit (the workspace) and its supervisors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum

from motcua.accounts.models import User
from motcua.core.services import data_access_record_many
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import (
    user_roles_in_unit,
    user_unit_ids,
    users_with_role_in_unit,
)

from .models import HomeService, HotlineCall, LegalAdviceTurn

#: Who may read a unit's counter records: its staff, and supervisors above it.
READ_ROLES = (Role.OFFICER, Role.LEADER, Role.SPECIALIST, Role.SUPERVISOR)


def counter_unit_ids(*, actor: User) -> set[int] | None:
    """Units whose counter records `actor` may read; None means every unit (superuser)."""
    if actor.is_superuser:
        return None
    return user_unit_ids(user=actor, roles=READ_ROLES)


def _visible(queryset: QuerySet, actor: User) -> QuerySet:
    units = counter_unit_ids(actor=actor)
    return queryset if units is None else queryset.filter(unit_id__in=units)


def legal_advice_turns_for(
    *, actor: User, unit: Unit | None = None, start: dt.date, end: dt.date
) -> QuerySet[LegalAdviceTurn]:
    """Turns from `start` to `end` (inclusive) the actor may see, oldest first."""
    rows = _visible(LegalAdviceTurn.objects.select_related("unit"), actor).filter(
        day__gte=start, day__lte=end
    )
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.order_by("day", "starts", "id")


@dataclass(frozen=True)
class LegalAdviceSummary:
    turns_held: int
    turns_cancelled: int
    people_served: int


def legal_advice_summary(
    *, actor: User, unit: Unit | None = None, start: dt.date, end: dt.date
) -> LegalAdviceSummary:
    rows = legal_advice_turns_for(actor=actor, unit=unit, start=start, end=end)
    totals = rows.aggregate(
        held=Count("id", filter=Q(status=LegalAdviceTurn.Status.HELD)),
        cancelled=Count("id", filter=Q(status=LegalAdviceTurn.Status.CANCELLED)),
        people=Sum("people_served", filter=Q(status=LegalAdviceTurn.Status.HELD)),
    )
    return LegalAdviceSummary(
        turns_held=totals["held"],
        turns_cancelled=totals["cancelled"],
        people_served=totals["people"] or 0,
    )


def home_services_open(*, actor: User, unit: Unit | None = None) -> QuerySet[HomeService]:
    """Requests still to serve: the scheduled ones by time, then the unscheduled by age."""
    rows = _visible(HomeService.objects.select_related("unit", "assigned_to"), actor).filter(
        status__in=(HomeService.Status.REQUESTED, HomeService.Status.SCHEDULED)
    )
    if unit is not None:
        rows = rows.filter(unit=unit)
    # NULLs last on every database (SQLite sorts them first by default).
    return rows.order_by(F("scheduled_for").asc(nulls_last=True), "requested_at", "id")


def hotline_calls_for(
    *, actor: User, unit: Unit | None = None, start: dt.datetime, end: dt.datetime
) -> QuerySet[HotlineCall]:
    rows = _visible(HotlineCall.objects.select_related("unit", "handled_by"), actor).filter(
        at__gte=start, at__lt=end
    )
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.order_by("-at", "-id")


def hotline_callbacks_pending(*, actor: User, unit: Unit | None = None) -> QuerySet[HotlineCall]:
    rows = _visible(HotlineCall.objects.select_related("unit"), actor).filter(
        outcome=HotlineCall.Outcome.CALLBACK, callback_done_at__isnull=True
    )
    if unit is not None:
        rows = rows.filter(unit=unit)
    return rows.order_by("at", "id")


#: Who keeps a unit's counter records (and sees the people's phone numbers and addresses).
STAFF_ROLES = (Role.OFFICER, Role.LEADER, Role.SPECIALIST)


def counter_units(*, actor: User) -> QuerySet[Unit]:
    """The active units whose counter records `actor` may read, by name."""
    units = counter_unit_ids(actor=actor)
    rows = Unit.objects.filter(is_active=True)
    if units is not None:
        rows = rows.filter(pk__in=units)
    return rows.order_by("name", "code")


def counter_is_staff(*, actor: User, unit: Unit) -> bool:
    """`actor` keeps `unit`'s counter records (the services' rule): their writes are
    accepted and the people's personal data is shown to them."""
    if actor.is_superuser:
        return True
    return bool(set(STAFF_ROLES) & user_roles_in_unit(user=actor, unit=unit))


def counter_unit_staff(*, unit: Unit) -> list[User]:
    """The unit's staff who may be sent to serve at home, by name."""
    people: dict[int, User] = {}
    for role in STAFF_ROLES:
        for user in users_with_role_in_unit(unit=unit, role=role):
            people[user.pk] = user
    return sorted(people.values(), key=lambda u: (u.full_name, u.username))


def counter_log_personal_data(
    *, actor: User, subject_type: str, ids: Iterable[int], now: dt.datetime
) -> int:
    """Record that `actor` saw a list of these counter records with the people's names and
    phone numbers: one `DataAccessLog` row each (purpose `counter_list`). Returns the count."""
    subject_ids = [str(i) for i in ids]
    if not subject_ids:
        return 0
    return len(
        data_access_record_many(
            actor=actor,
            subject_type=subject_type,
            subject_ids=subject_ids,
            purpose="counter_list",
            now=now,
        )
    )
