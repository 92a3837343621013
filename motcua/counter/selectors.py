"""Reads around the counter, for the staff of a unit (the workspace) and its supervisors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from motcua.accounts.models import User
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids

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
    return rows.order_by("scheduled_for", "requested_at", "id")


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
