"""procedure_use_refresh: dossiers of the last 12 months per procedure, onto the catalog."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_search
from motcua.dossiers.services import procedure_use_refresh

from .helpers import MON, submitted


def test_counts_the_dossiers_of_the_last_twelve_months(world):
    for _ in range(3):
        submitted(world)
    procedure = world.version.procedure
    idle = Procedure.objects.create(
        code="1.009999", name="Thủ tục khác", field=procedure.field, level="commune", use_count=7
    )

    assert procedure_use_refresh(now=MON + dt.timedelta(days=300)) == 2
    assert Procedure.objects.get(pk=procedure.pk).use_count == 3
    assert Procedure.objects.get(pk=idle.pk).use_count == 0  # nothing filed: back to 0
    assert procedure_use_refresh(now=MON + dt.timedelta(days=300)) == 0  # nothing changed

    # A year later the dossiers are out of the window; before they were filed, too.
    procedure_use_refresh(now=MON + dt.timedelta(days=366))
    assert Procedure.objects.get(pk=procedure.pk).use_count == 0
    procedure_use_refresh(now=MON - dt.timedelta(minutes=1))
    assert Procedure.objects.get(pk=procedure.pk).use_count == 0


def test_the_command_refreshes_and_search_ranks_with_it(world, capsys):
    submitted(world)
    call_command("refresh_procedure_use", now=(MON + dt.timedelta(days=1)).isoformat())

    assert "1 thủ tục" in capsys.readouterr().out
    procedure = Procedure.objects.get(pk=world.version.procedure.pk)
    assert procedure.use_count == 1
    assert procedure_search(q=None, limit=5).items[0].use_count == 1
