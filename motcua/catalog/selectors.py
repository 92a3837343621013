"""Reads of the procedure catalog. The catalog is public (domain.md §2: procedures are
published), so these selectors need no actor."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.core.generation_cache import Generation, GenerationCache
from motcua.organisation.models import Unit
from motcua.organisation.selectors import UNITS_GENERATION

from . import search
from .models import (
    Component,
    Field,
    LifeEvent,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessStep,
)
from .text import fold

# Bumped by every write to procedures and versions (`catalog_cache_invalidate`): the catalog
# services and the admin. A unit write empties the cache too (the competent unit rides along).
CATALOG_GENERATION = Generation("catalog")
_versions_in_force: GenerationCache[ProcedureVersion] = GenerationCache(
    CATALOG_GENERATION, depends_on=(UNITS_GENERATION,)
)


_version_steps: GenerationCache[tuple[ProcessStep, ...]] = GenerationCache(
    CATALOG_GENERATION, depends_on=(UNITS_GENERATION,)
)


_version_components: GenerationCache[tuple[tuple[str, str], ...]] = GenerationCache(
    CATALOG_GENERATION
)


def catalog_cache_invalidate() -> None:
    """Procedures or versions changed (now, or when the current transaction commits): forget
    the cached versions in force in every process."""
    _versions_in_force.invalidate_on_write()


def catalog_cache_clear() -> None:
    """Drop this process's cached versions (tests call it between cases)."""
    _versions_in_force.clear()
    _version_steps.clear()
    _version_components.clear()


def _published_versions() -> QuerySet[ProcedureVersion]:
    return ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED).order_by(
        "-number"
    )


def procedure_list(
    *,
    q: str | None = None,
    field: str | None = None,
    level: str | None = None,
    online_level: str | None = None,
) -> QuerySet[Procedure]:
    """Active procedures, by code.

    `q` matches the code or the name, ignoring case and Vietnamese diacritics ("dang ky khai
    sinh" finds "Đăng ký khai sinh"); every word must match. `field` is a field code;
    `online_level` filters on the published version still in force (open-ended validity).
    Each procedure carries `field`, `competent_unit` and `published_versions` (newest first):
    listing them costs three queries whatever their number.
    """
    qs = Procedure.objects.filter(is_active=True).select_related("field", "competent_unit")
    if q:
        for word in fold(q).split():
            qs = qs.filter(
                Q(search_text__contains=word) | Q(code__icontains=word) | Q(name__icontains=word)
            )
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if online_level:
        qs = qs.filter(
            Exists(
                ProcedureVersion.objects.filter(
                    procedure=OuterRef("pk"),
                    status=ProcedureVersion.Status.PUBLISHED,
                    valid_to__isnull=True,
                    online_level=online_level,
                )
            )
        )
    return qs.prefetch_related(
        Prefetch("versions", queryset=_published_versions(), to_attr="published_versions")
    ).order_by("code")


@dataclass
class SearchPage:
    """One page of `procedure_search`: the procedures (as `procedure_list` gives them), how
    many match in all, and when nothing matched, names of the closest procedures."""

    items: list[Procedure]
    total: int
    suggestions: list[str] = field(default_factory=list)


def _filtered(
    *,
    field: str | None,
    life_event: str | None,
    unit: str | None,
    unit_kind: str | None,
    level: str | None,
    online_level: str | None,
) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(is_active=True)
    if field:
        qs = qs.filter(field__code=field)
    if life_event:
        qs = qs.filter(life_events__code=life_event)
    if level:
        qs = qs.filter(level=level)
    if unit_kind:
        # A JSON list of plain codes: the quoted code is in its text on both databases.
        qs = qs.filter(competent_unit_kinds__icontains=f'"{unit_kind}"')
    if unit:
        found = Unit.objects.filter(code=unit).values_list("pk", "kind").first()
        if found is None:
            return qs.none()
        pk, kind = found
        qs = qs.filter(
            Q(competent_unit_id=pk)
            | Q(competent_unit__isnull=True, competent_unit_kinds__icontains=f'"{kind}"')
        )
    if online_level:
        qs = qs.filter(
            Exists(
                ProcedureVersion.objects.filter(
                    procedure=OuterRef("pk"),
                    status=ProcedureVersion.Status.PUBLISHED,
                    valid_to__isnull=True,
                    online_level=online_level,
                )
            )
        )
    return qs


def _with_versions(qs: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return qs.select_related("field", "competent_unit").prefetch_related(
        Prefetch("versions", queryset=_published_versions(), to_attr="published_versions")
    )


def procedure_search(
    *,
    q: str | None,
    field: str | None = None,
    life_event: str | None = None,
    unit: str | None = None,
    unit_kind: str | None = None,
    level: str | None = None,
    online_level: str | None = None,
    limit: int = 20,
    offset: int = 0,
    suggest: int = 3,
    browse_by_use: bool = False,
) -> SearchPage:
    """Active procedures matching a query as people type it (accents, case and a typo
    ignored: "khai sjnh" finds "Đăng ký khai sinh"), best first: relevance, then use (dossiers
    in the last 12 months), then code; without a query, the filtered procedures by code.

    Filters: `field` (field code), `life_event` (life event code), `unit` (a unit code: the
    procedures it settles, named as competent unit or by its kind), `unit_kind`, `level`,
    `online_level` (as `procedure_list`). With `browse_by_use`, browsing without a query
    lists the most used first (the portal), else by code (the API). PostgreSQL ranks in SQL
    (tsvector and trigram GIN indexes), SQLite over the FTS5 candidates in Python:
    `motcua.catalog.search`. Items carry `field`, `competent_unit` and `published_versions`
    like `procedure_list`'s.
    """
    qs = _filtered(
        field=field,
        life_event=life_event,
        unit=unit,
        unit_kind=unit_kind,
        level=level,
        online_level=online_level,
    )
    words = search.query_words(q or "")
    if not words:
        total = qs.count()
        order = ("-use_count", "code") if browse_by_use else ("code",)
        items = list(_with_versions(qs).order_by(*order)[offset : offset + limit])
        return SearchPage(items=items, total=total)
    q_folded = " ".join(words)
    if connection.vendor == "postgresql":
        with search.pg_index_scans():
            # The words as typed (prefixes); typos only when they find nothing.
            matching = search.pg_matching(qs, words=words, q_folded=q_folded, typos=False)
            total = matching.count()
            if total == 0:
                matching = search.pg_matching(qs, words=words, q_folded=q_folded, typos=True)
                total = matching.count()
            # The page's ids first, without joins: joined, the planner walked every field's
            # procedures through the field index, matching each row (5x slower).
            page = list(matching.values_list("pk", flat=True)[offset : offset + limit])
        by_pk = {p.pk: p for p in _with_versions(Procedure.objects.filter(pk__in=page))}
        items = [by_pk[pk] for pk in page]
        suggestions = (
            [name for name, _score in search.pg_near(qs, words=words, limit=suggest)]
            if total == 0 and suggest
            else []
        )
        return SearchPage(items=items, total=total, suggestions=suggestions)
    matched, near = search.sqlite_rank(qs, words=words, q_folded=q_folded)
    page = [s.pk for s in matched[offset : offset + limit]]
    by_pk = {p.pk: p for p in _with_versions(Procedure.objects.filter(pk__in=page))}
    suggestions = []
    if not matched and suggest:
        names = dict(
            Procedure.objects.filter(pk__in=[s.pk for s in near[:suggest]]).values_list(
                "pk", "name"
            )
        )
        suggestions = [names[s.pk] for s in near[:suggest]]
    return SearchPage(items=[by_pk[pk] for pk in page], total=len(matched), suggestions=suggestions)


def life_event_list() -> list[LifeEvent]:
    """Every life event, in order, each with `procedure_count` (active procedures)."""
    return list(
        LifeEvent.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__is_active=True))
        ).order_by("order", "code")
    )


def field_list() -> list[Field]:
    """Every field with at least one active procedure, by name, each with `procedure_count`."""
    return list(
        Field.objects.annotate(
            procedure_count=Count("procedures", filter=Q(procedures__is_active=True))
        )
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def competent_unit_list() -> list[Unit]:
    """The units named as competent unit of an active procedure (departments, the Service
    Center), by name: the agencies one can browse the catalog by."""
    return list(
        Unit.objects.filter(
            is_active=True,
            pk__in=Procedure.objects.filter(is_active=True, competent_unit__isnull=False).values(
                "competent_unit_id"
            ),
        ).order_by("name")
    )


def procedure_get(*, code: str) -> Procedure:
    """One procedure with every version and their components, fees and steps (steps with
    their named unit). Raises NotFound."""
    try:
        return (
            Procedure.objects.select_related("field", "competent_unit")
            .prefetch_related(
                Prefetch("versions", queryset=ProcedureVersion.objects.order_by("-number")),
                "versions__components",
                "versions__fees",
                Prefetch("versions__steps", queryset=ProcessStep.objects.select_related("unit")),
            )
            .get(code=code)
        )
    except Procedure.DoesNotExist:
        raise NotFound(
            _("Không có thủ tục mã %(code_value)s."),
            code="procedure_not_found",
            code_value=code,
        ) from None


def version_in_force(*, code: str, on: dt.date) -> ProcedureVersion | None:
    """The published version in force on a date for an active procedure code, without its
    components, fees and steps: what filing a dossier needs (the hot path).

    Cached in the process per (code, date) until the catalog or a unit is written
    (`catalog_cache_invalidate`, `units_cache_invalidate`): no query on a hit. Each call gets
    its own copy of the version (its procedure and competent unit are shared: read them only).
    """
    version = _versions_in_force.get((code, on), lambda: version_in_force_query(code=code, on=on))
    return copy.copy(version) if version is not None else None


def version_in_force_query(*, code: str, on: dt.date) -> ProcedureVersion | None:
    """`version_in_force` from the database, in one query."""
    return (
        _published_versions()
        .filter(procedure__code=code, procedure__is_active=True, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("procedure", "procedure__competent_unit")
        .first()
    )


def version_steps(*, version: ProcedureVersion) -> tuple[ProcessStep, ...]:
    """The internal process of a version, in order, with each step's unit. Cached in the
    process until the catalog or a unit is written (the steps of a published version never
    change; dossiers are filed only under published versions): no query on a hit. The steps
    are shared: read them only."""
    steps = _version_steps.get(
        version.pk,
        lambda: tuple(
            ProcessStep.objects.filter(version_id=version.pk)
            .select_related("unit")
            .order_by("order")
        ),
    )
    return steps or ()


def version_components(*, version_id: int) -> list[tuple[str, str]]:
    """(code, name) of a version's components, in order. Cached in the process until the
    catalog is written (the components of a published version never change; dossiers are
    filed only under published versions): no query on a hit."""
    rows = _version_components.get(
        version_id,
        lambda: tuple(
            Component.objects.filter(version_id=version_id)
            .order_by("order")
            .values_list("code", "name")
        ),
    )
    return list(rows or ())


def version_current(*, procedure: Procedure, on: dt.date) -> ProcedureVersion | None:
    """The published version in force on a date (the newest if validity periods overlap),
    with its components, fees and steps prefetched; None if the procedure has none."""
    return (
        _published_versions()
        .filter(procedure=procedure, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("procedure", "procedure__field")
        .prefetch_related(
            "components",
            "fees",
            Prefetch("steps", queryset=ProcessStep.objects.select_related("unit")),
        )
        .first()
    )


@dataclass
class ProcedurePage:
    """What the portal shows of one active procedure on a day: the published version in force
    (components, fees, steps prefetched; None if there is none) and the next published
    version when one is already announced (valid from a later day)."""

    procedure: Procedure
    version: ProcedureVersion | None
    upcoming: ProcedureVersion | None

    @property
    def online(self) -> bool:
        """Whether the version in force may be filed online (full-process or partial)."""
        return self.version is not None and self.version.online_level != OnlineLevel.NONE


def procedure_public_get(*, code: str, on: dt.date) -> ProcedurePage:
    """An active procedure as the public sees it on `on` (the portal's procedure page).
    Raises NotFound for an unknown or retired code."""
    procedure = (
        Procedure.objects.filter(code=code, is_active=True)
        .select_related("field", "competent_unit")
        .prefetch_related("life_events")
        .first()
    )
    if procedure is None:
        raise NotFound(
            _("Không có thủ tục mã %(code_value)s."),
            code="procedure_not_found",
            code_value=code,
        )
    version = version_current(procedure=procedure, on=on)
    upcoming = (
        _published_versions()
        .filter(procedure=procedure, valid_from__gt=on)
        .order_by("valid_from", "number")
        .first()
    )
    return ProcedurePage(procedure=procedure, version=version, upcoming=upcoming)


def field_by_code(*, code: str) -> Field | None:
    return Field.objects.filter(code=code).first()


def life_event_by_code(*, code: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(code=code).first()
