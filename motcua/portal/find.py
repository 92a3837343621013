"""Finding a procedure (docs/portal.md): the search page `/procedures/?q=` with its filters,
the browse pages (a field, a life event, a unit: the same list with one filter fixed), the
procedure page `/procedures/<code>/` and the list of service points.

The search is `catalog.selectors.procedure_search` (one code path on PostgreSQL and SQLite,
docs/search.md). With htmx, typing in the search box asks for the results region only
(`HX-Target: results`): the same view, the same query string, the region's template; without
JavaScript the form submits and the whole page comes back with the same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from motcua.catalog.models import Level, OnlineLevel
from motcua.catalog.selectors import (
    SearchPage,
    competent_unit_list,
    field_by_code,
    field_list,
    life_event_by_code,
    life_event_list,
    procedure_public_get,
    procedure_search,
)
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.organisation.models import Unit
from motcua.organisation.selectors import service_point_list, unit_active_by_code

PAGE_SIZE = 20
SERVICE_POINTS_PAGE_SIZE = 25
QUERY_MAX = 200
FILTERS = ("field", "life_event", "unit", "level", "online_level")
#: Online levels one may filter by ("information only" procedures cannot be filed online).
ONLINE_CHOICES = (OnlineLevel.FULL, OnlineLevel.PARTIAL)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _filters(request: HttpRequest, fixed: dict[str, str]) -> dict[str, str | None]:
    """The filters asked for; values outside their list are ignored (a filter that no link
    of ours writes, not an error worth a page)."""
    values: dict[str, str | None] = {
        name: (request.GET.get(name) or "").strip()[:40] or None for name in FILTERS
    }
    if values["level"] not in Level.values:
        values["level"] = None
    if values["online_level"] not in ONLINE_CHOICES:
        values["online_level"] = None
    values.update(fixed)
    return values


@dataclass(frozen=True)
class Browse:
    """A browse page: the list with one filter fixed, under its own heading."""

    filter_name: str
    value: str
    title: str


def _search_page(request: HttpRequest, *, browse: Browse | None = None) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:QUERY_MAX]
    fixed = {browse.filter_name: browse.value} if browse else {}
    filters = _filters(request, fixed)
    number = _page_number(request)

    def search(number: int) -> SearchPage:
        return procedure_search(
            q=q,
            field=filters["field"],
            life_event=filters["life_event"],
            unit=filters["unit"],
            level=filters["level"],
            online_level=filters["online_level"],
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
            browse_by_use=True,
        )

    found = search(number)
    paginator = Paginator(range(found.total), PAGE_SIZE)
    if found.total and number > paginator.num_pages:  # past the end: the last page
        number = paginator.num_pages
        found = search(number)
    page: Page[int] = paginator.get_page(number)
    today = clock.local(clock.now()).date()
    # The version in force among those the search prefetched (published, newest first).
    rows = [
        (p, next((v for v in p.published_versions if v.is_valid_on(today)), None))  # type: ignore[attr-defined]  # prefetched
        for p in found.items
    ]
    context: dict[str, Any] = {
        "nav": "procedures",
        "q": q,
        "filters": filters,
        "browse": browse,
        "found": found,
        "rows": rows,
        "page": page,
        "first": (number - 1) * PAGE_SIZE + 1,
        "last": (number - 1) * PAGE_SIZE + len(found.items),
        "active_filters": any(v for k, v in filters.items() if k not in fixed),
    }
    partial = request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-Target") == "results"
    )
    if partial:
        response = render(request, "portal/procedures/_results.html", context)
    else:
        context.update(
            fields=field_list(),
            life_events=life_event_list(),
            units=competent_unit_list(),
            levels=Level.choices,
            online_levels=[(c.value, c.label) for c in ONLINE_CHOICES],
        )
        response = render(request, "portal/procedures/list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require_safe
def procedure_list(request: HttpRequest) -> HttpResponse:
    """`/procedures/?q=&field=&life_event=&unit=&level=&online_level=&page=`."""
    return _search_page(request)


@require_safe
def field_procedures(request: HttpRequest, code: str) -> HttpResponse:
    field = field_by_code(code=code)
    if field is None:
        raise Http404
    return _search_page(request, browse=Browse("field", field.code, field.name))


@require_safe
def life_event_procedures(request: HttpRequest, code: str) -> HttpResponse:
    event = life_event_by_code(code=code)
    if event is None:
        raise Http404
    return _search_page(request, browse=Browse("life_event", event.code, event.name))


@require_safe
def unit_procedures(request: HttpRequest, code: str) -> HttpResponse:
    unit: Unit | None = unit_active_by_code(code=code)
    if unit is None:
        raise Http404
    return _search_page(request, browse=Browse("unit", unit.code, unit.name))


@require_safe
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The procedure page: the version in force's public parts."""
    today = clock.local(clock.now()).date()
    try:
        shown = procedure_public_get(code=code, on=today)
    except NotFound:
        return render(
            request,
            "portal/procedures/not_found.html",
            {"code": code, "nav": "procedures"},
            status=404,
        )
    version = shown.version
    context: dict[str, Any] = {
        "nav": "procedures",
        "procedure": shown.procedure,
        "version": version,
        "upcoming": shown.upcoming,
        "online": shown.online,
        "components": list(version.components.all()) if version else [],
        "fees": list(version.fees.all()) if version else [],
        "today": today,
        "different_online_time": bool(
            version
            and version.online_time is not None
            and version.online_time != version.counter_time
        ),
    }
    return render(request, "portal/procedures/detail.html", context)


@require_safe
def service_points(request: HttpRequest) -> HttpResponse:
    """`/service-points/?q=`: where a dossier may be filed (any of them, any procedure)."""
    q = (request.GET.get("q") or "").strip()[:QUERY_MAX]
    paginator = Paginator(service_point_list(q=q), SERVICE_POINTS_PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    context = {"nav": "procedures", "q": q, "page": page, "points": page.object_list}
    return render(request, "portal/service_points.html", context)
