"""How much each procedure is used: the dossiers filed under it in the last 12 months, handed
to the catalog (`procedure_use_counts_set`), which ranks search results with it. Run daily
(`refresh_procedure_use`, beat job "refresh-procedure-use")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from motcua.catalog.services import procedure_use_counts_set

from ..models import Dossier

USE_WINDOW = dt.timedelta(days=365)


def procedure_use_refresh(*, now: dt.datetime) -> int:
    """Count dossiers submitted in (now - 365 days, now] per procedure and store the counts on
    the catalog. Returns how many procedures' counts changed."""
    counts = dict(
        Dossier.objects.filter(submitted_at__gt=now - USE_WINDOW, submitted_at__lte=now)
        .values("procedure_version__procedure_id")
        .annotate(n=Count("id"))
        .values_list("procedure_version__procedure_id", "n")
    )
    return procedure_use_counts_set(counts=counts, now=now)
