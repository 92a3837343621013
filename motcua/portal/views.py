from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import field_list, life_event_list, procedure_search
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.organisation.models import ServicePoint, Unit

POPULAR = 8


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The portal's front door: the search box, the life events, the most used procedures,
    the fields, how it works, the public look-up and verification, and a few figures."""
    context = {
        "nav": "home",
        "life_events": life_event_list(),
        "popular": procedure_search(q=None, limit=POPULAR, browse_by_use=True).items,
        "fields": field_list(),
        "procedures": Procedure.objects.filter(is_active=True).count(),
        "communes": Unit.objects.filter(is_active=True, level=Unit.Level.COMMUNE).count(),
        "service_points": ServicePoint.objects.filter(is_active=True).count(),
        "dossiers": Dossier.objects.exclude(status=DossierStatus.REGISTERED).count(),
    }
    return render(request, "portal/home.html", context)


@cache
def _favicon_svg() -> bytes:
    return (Path(__file__).parent / "static" / "portal" / "favicon.svg").read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for on every site: the SVG icon itself (the pages
    name it with `<link rel="icon">`), served here so it never depends on static files."""
    response = HttpResponse(_favicon_svg(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
