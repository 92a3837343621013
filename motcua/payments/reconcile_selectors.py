"""Reads of the reconciliation runs for the people who reconcile (docs/payments.md,
"Reconciliation"): an accountant (role `accountant` in any active unit: a gateway's
statement is the merchant account's, not one unit's) or a superuser. Anyone else is refused
(`PermissionDenied`)."""

from __future__ import annotations

import csv
import datetime as dt
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from motcua.accounts.models import User
from motcua.core.errors import NotFound, PermissionDenied
from motcua.organisation.models import Role, RoleAssignment

from .gateways.registry import KINDS, gateway_label
from .models import DifferenceKind, ReconciliationDifference, ReconciliationRun

#: The role that reconciles the gateways' statements.
RECONCILER_ROLE = Role.ACCOUNTANT


def reconciliation_gateways() -> list[tuple[str, str]]:
    """The gateways that have a statement file, as (name, label)."""
    return [(name, gateway_label(name)) for name in KINDS if name != "counter"]


def reconciliation_allowed(*, actor: User) -> bool:
    """May `actor` see and run reconciliations? An accountant or a superuser."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user_id=actor.pk, role=RECONCILER_ROLE, unit__is_active=True
    ).exists()


def reconciliation_require(*, actor: User) -> None:
    if not reconciliation_allowed(actor=actor):
        raise PermissionDenied(
            gettext_lazy("Chỉ kế toán được xem và đối soát sao kê của cổng thanh toán."),
            code="forbidden",
        )


def reconciliation_runs_for_actor(
    *,
    actor: User,
    gateway: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ReconciliationRun]:
    """The runs, the newest day first (a day's newest run first), optionally of one gateway
    and a period of days (both ends included)."""
    reconciliation_require(actor=actor)
    runs = ReconciliationRun.objects.select_related("created_by", "superseded_by")
    if gateway:
        runs = runs.filter(gateway=gateway)
    if date_from:
        runs = runs.filter(day__gte=date_from)
    if date_to:
        runs = runs.filter(day__lte=date_to)
    return runs.order_by("-day", "-created_at", "-pk")


def reconciliation_run_get_for_actor(*, actor: User, pk: int) -> ReconciliationRun:
    reconciliation_require(actor=actor)
    run = (
        ReconciliationRun.objects.select_related("created_by", "supersedes", "superseded_by")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise NotFound(gettext_lazy("Không tìm thấy lần đối soát %(pk)s."), pk=pk)
    return run


def reconciliation_differences(*, run: ReconciliationRun) -> list[ReconciliationDifference]:
    """The run's differences, grouped by kind (in `DifferenceKind` order), then as found."""
    order = {kind.value: index for index, kind in enumerate(DifferenceKind)}
    differences = list(run.differences.select_related("order").order_by("pk"))
    return sorted(differences, key=lambda d: order.get(d.kind, len(order)))


CSV_COLUMNS = (
    "kind",
    "kind_label",
    "reference",
    "dossier",
    "gateway_reference",
    "statement_amount_vnd",
    "statement_status",
    "motcua_amount_vnd",
    "motcua_status",
    "row",
    "note_code",
    "note",
)


def reconciliation_differences_write(*, run: ReconciliationRun, out: IO[str]) -> None:
    """The run's differences as CSV (UTF-8 with a byte-order mark for spreadsheets; one
    header row of machine names, the kind also in words). Amounts in whole dong."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for d in reconciliation_differences(run=run):
        writer.writerow(
            [
                d.kind,
                str(d.get_kind_display()),
                d.reference,
                d.order.dossier_code if d.order is not None else "",
                d.gateway_reference,
                "" if d.statement_amount_vnd is None else d.statement_amount_vnd,
                d.statement_status,
                "" if d.motcua_amount_vnd is None else d.motcua_amount_vnd,
                d.motcua_status,
                "" if d.row is None else d.row,
                d.note_code,
                d.note,
            ]
        )
