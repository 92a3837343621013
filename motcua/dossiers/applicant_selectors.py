"""Reads for the applicant's own pages (the citizen portal's "My dossiers", docs/my-dossiers.md)
and the satisfaction counts.

The portal shows a person only the dossiers filed with their account: in their own name, or
for someone else as a representative (the principal is recorded in `representative`; the
dossier's applicant stays the account that filed). Staff roles give nothing here: the
workspace is where staff read dossiers. Anyone else's dossier, or a code that does not
exist, is NotFound, and the attempt is written to `core.DataAccessLog` (purpose
`dossier_view_refused`): a person changing the code in the address is on record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.core.services import data_access_record
from motcua.documents.models import DataStoreItem
from motcua.documents.selectors import datastore_item_get_for_actor

from .models import (
    RATING_CRITERIA_CODES,
    CertifiedCopyReport,
    Dossier,
    DossierFile,
    DossierFileKind,
    DossierRating,
    DossierStatus,
    SatisfactionLevel,
)

S = DossierStatus

#: The filters of the list: what the applicant has to do, what is still running, what ended.
GROUP_ACTION = "action"
GROUP_IN_PROGRESS = "in_progress"
GROUP_FINISHED = "finished"
GROUPS = (GROUP_ACTION, GROUP_IN_PROGRESS, GROUP_FINISHED)

#: Waiting on the applicant: a supplement, a payment, a result to collect.
ACTION_STATUSES = (S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.FINISHED)
RUNNING_STATUSES = (S.REGISTERED, S.RECEIVED, S.PROCESSING, S.STOPPED)
ENDED_STATUSES = (S.NOT_RECEIVED, S.WITHDRAWN, S.RETURNED)


def group_q(group: str) -> Q:
    """The statuses of a list group. A dossier closed by the system (never supplemented) has
    ended whatever its status says."""
    if group == GROUP_ACTION:
        return Q(status__in=ACTION_STATUSES, closed_at__isnull=True)
    if group == GROUP_IN_PROGRESS:
        return Q(status__in=RUNNING_STATUSES, closed_at__isnull=True)
    if group == GROUP_FINISHED:
        return Q(status__in=ENDED_STATUSES) | Q(closed_at__isnull=False)
    raise ValueError(group)


def dossier_list_for_applicant(*, actor: User, group: str | None = None) -> QuerySet[Dossier]:
    """The dossiers filed with `actor`'s account, newest first (`submitted_at`, then id: the
    `dossier_applicant_new_idx` index serves the filter and the order), each with its
    procedure and units and `rated` (has a rating). `group` is one of `GROUPS`. Not logged:
    a person reading their own dossiers."""
    if not actor.is_authenticated or not actor.is_active:
        return Dossier.objects.none()
    dossiers = Dossier.objects.filter(applicant_id=actor.pk)
    if group is not None:
        dossiers = dossiers.filter(group_q(group))
    return (
        dossiers.select_related("procedure_version__procedure", "receiving_unit", "handling_unit")
        .annotate(rated=Exists(DossierRating.objects.filter(dossier_id=OuterRef("pk"))))
        .order_by("-submitted_at", "-id")
    )


def dossier_group_counts(*, actor: User) -> dict[str, int]:
    """How many of `actor`'s dossiers each group holds (one query)."""
    if not actor.is_authenticated or not actor.is_active:
        return dict.fromkeys(GROUPS, 0)
    counts = Dossier.objects.filter(applicant_id=actor.pk).aggregate(
        **{name: Count("pk", filter=group_q(name)) for name in GROUPS}
    )
    return {name: int(counts[name] or 0) for name in GROUPS}


def dossier_get_for_applicant(
    *, actor: User, code: str, now: dt.datetime, channel: str = "web"
) -> Dossier:
    """The dossier `code` if it was filed with `actor`'s account, else NotFound (the same for
    someone else's dossier and for a code that does not exist), the attempt logged."""
    dossier = None
    if actor.is_authenticated and actor.is_active:
        dossier = (
            Dossier.objects.filter(code=code, applicant_id=actor.pk)
            .select_related(
                "procedure_version__procedure",
                "receiving_unit",
                "handling_unit",
                "service_point",
            )
            .first()
        )
    if dossier is None:
        data_access_record(
            actor=actor,
            subject_type="dossier",
            subject_id=code[:64],
            purpose="dossier_view_refused",
            channel=channel,
            now=now,
        )
        raise NotFound(_("Không tìm thấy hồ sơ %(dossier)s."), dossier=code)
    return dossier


RESULT_KINDS = (DossierFileKind.RESULT, DossierFileKind.RESULT_COPY)


def dossier_result_files(*, dossier: Dossier) -> list[DossierFile]:
    """The signed electronic results of `dossier` (the result, and the electronic copy of a
    paper result), oldest first. Call after an access selector."""
    return list(
        DossierFile.objects.filter(dossier=dossier, kind__in=RESULT_KINDS)
        .select_related("file")
        .order_by("added_at", "id")
    )


def dossier_rating_for(*, dossier: Dossier) -> DossierRating | None:
    """The rating of `dossier`, if it was rated. Call after an access selector."""
    return DossierRating.objects.filter(dossier=dossier).first()


def certified_copy_reports_for_applicant(*, actor: User) -> QuerySet[CertifiedCopyReport]:
    """The reports "I was asked for a certified copy" that `actor` filed on their own
    dossiers, newest first, with the dossier's procedure and unit."""
    if not actor.is_authenticated or not actor.is_active:
        return CertifiedCopyReport.objects.none()
    return (
        CertifiedCopyReport.objects.filter(reported_by=actor, dossier__applicant_id=actor.pk)
        .select_related("dossier", "unit", "procedure_version__procedure")
        .order_by("-reported_at", "-id")
    )


def datastore_item_for_download(*, actor: User, item_id: int, now: dt.datetime) -> DataStoreItem:
    """The paper `item_id` of a data store `actor` may read (their own), to download: the read
    is logged (subject `datastore_item`, purpose `datastore_download`), and so is a refused
    one (`datastore_download_refused`: another person's item or none), which is NotFound."""
    try:
        item = datastore_item_get_for_actor(actor=actor, item_id=item_id)
    except NotFound:
        data_access_record(
            actor=actor,
            subject_type="datastore_item",
            subject_id=str(item_id),
            purpose="datastore_download_refused",
            now=now,
        )
        raise
    data_access_record(
        actor=actor,
        subject_type="datastore_item",
        subject_id=str(item.pk),
        purpose="datastore_download",
        now=now,
    )
    return item


# --- satisfaction (Decision 766/QĐ-TTg; for the supervisors' pages) --------------------------


@dataclass
class SatisfactionCounts:
    """The ratings of one handling unit in a period: how many, how many at each overall
    level, and per criterion how many answered it at each level."""

    unit_id: int
    unit_code: str
    unit_name: str
    ratings: int = 0
    overall: dict[str, int] = field(default_factory=dict)
    criteria: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def not_satisfied(self) -> int:
        return self.overall.get(SatisfactionLevel.NOT_SATISFIED, 0)


def satisfaction_counts(
    *, start: dt.datetime, end: dt.datetime, unit_ids: Iterable[int] | None = None
) -> list[SatisfactionCounts]:
    """Ratings given in [start, end), per handling unit (the unit when rated), ordered by unit
    code; only `unit_ids` when given (the caller decides whose units a person may see: no
    personal data is returned). One query."""
    ratings = DossierRating.objects.filter(rated_at__gte=start, rated_at__lt=end)
    if unit_ids is not None:
        ratings = ratings.filter(unit_id__in=list(unit_ids))
    levels = SatisfactionLevel.values
    aggregates: dict[str, Any] = {"n": Count("id")}
    for level in levels:
        aggregates[f"overall__{level}"] = Count("id", filter=Q(overall=level))
        for code in RATING_CRITERIA_CODES:
            aggregates[f"{code}__{level}"] = Count("id", filter=Q(**{code: level}))
    rows = cast(
        Iterable[dict[str, Any]],
        ratings.values("unit_id", "unit__code", "unit__name")
        .annotate(**aggregates)
        .order_by("unit__code"),
    )
    return [
        SatisfactionCounts(
            unit_id=row["unit_id"],
            unit_code=row["unit__code"],
            unit_name=row["unit__name"],
            ratings=row["n"],
            overall={level: row[f"overall__{level}"] for level in levels},
            criteria={
                code: {level: row[f"{code}__{level}"] for level in levels}
                for code in RATING_CRITERIA_CODES
            },
        )
        for row in rows
    ]
