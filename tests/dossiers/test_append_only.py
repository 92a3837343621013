"""The dossier trail is append-only: the model refuses to change or delete an event, the
database (PostgreSQL trigger) refuses raw UPDATE and DELETE."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from motcua.core.errors import AppendOnlyViolation
from motcua.dossiers.models import DossierEvent
from tests.append_only import triggers_install

from .helpers import MON, submitted


def test_an_event_cannot_be_saved_again_or_deleted(world):
    dossier = submitted(world, now=MON)
    event = DossierEvent.objects.get(dossier=dossier)
    event.reason = "sửa"

    with pytest.raises(AppendOnlyViolation, match="save"):
        event.save()
    with pytest.raises(AppendOnlyViolation, match="delete"):
        event.delete()
    with pytest.raises(AppendOnlyViolation, match="bulk_update"):
        DossierEvent.objects.bulk_update([event], ["reason"])

    assert list(DossierEvent.objects.values_list("dossier", "seq", "reason")) == [
        (dossier.pk, 1, "")
    ]


@pytest.mark.postgres
def test_postgres_refuses_raw_update_and_delete_of_an_event(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…): its triggers")
    triggers_install()
    dossier = submitted(world, now=MON)
    event = DossierEvent.objects.get(dossier=dossier)

    for sql in (
        "UPDATE dossiers_dossierevent SET reason = 'sửa' WHERE id = %s",
        "DELETE FROM dossiers_dossierevent WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])

    assert list(DossierEvent.objects.values_list("pk", "reason")) == [(event.pk, "")]
