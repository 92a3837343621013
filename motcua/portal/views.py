from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.organisation.models import ServicePoint, Unit


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "procedures": Procedure.objects.filter(is_active=True).count(),
        "communes": Unit.objects.filter(is_active=True, level=Unit.Level.COMMUNE).count(),
        "service_points": ServicePoint.objects.filter(is_active=True).count(),
        "dossiers": Dossier.objects.exclude(status=DossierStatus.REGISTERED).count(),
    }
    return render(request, "portal/home.html", context)
