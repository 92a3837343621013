"""Model predicates, QuerySet filters and database constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from motcua.dossiers.models import Dossier, DossierEvent, DossierStatus, Suspension

from .helpers import MON, processing, received, submitted, vn


def test_predicates_follow_the_status_and_the_appointment(world):
    dossier = processing(world)  # appointment Mon 9 Mar 09:00
    assert not dossier.is_paused
    assert not dossier.is_finished
    assert not dossier.is_overdue(vn(2026, 3, 9, 9, 0))
    assert dossier.is_overdue(vn(2026, 3, 9, 9, 1))
    dossier.new_appointment_at = vn(2026, 3, 13, 17)
    assert not dossier.is_overdue(vn(2026, 3, 10))
    dossier.status = DossierStatus.STOPPED
    assert dossier.is_paused
    assert not dossier.is_overdue(vn(2026, 3, 20))
    dossier.status = DossierStatus.RETURNED
    assert dossier.is_finished
    assert not dossier.is_overdue(vn(2026, 3, 20))
    assert dossier.channel_name == "counter"


def test_queryset_filters(world):
    registered = submitted(world)
    in_progress = received(world)
    branch = submitted(world, receiving_unit=world.branch, handling_unit=world.other_ward)

    assert set(Dossier.objects.in_progress()) == {in_progress}
    assert set(Dossier.objects.open()) == {registered, in_progress, branch}
    assert set(Dossier.objects.overdue(vn(2026, 3, 9, 10))) == {in_progress}
    assert set(Dossier.objects.overdue(vn(2026, 3, 9, 8))) == set()
    assert set(Dossier.objects.for_units({world.other_ward.pk})) == {branch}
    assert set(Dossier.objects.of_applicant(world.citizen.pk)) == {registered, in_progress, branch}
    assert Dossier.objects.paused().count() == 0
    assert Dossier.objects.finished().count() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"status": 11},
        {"status": 0},
        {"version": 0},
        {"channel": 4},
        {"status": DossierStatus.PROCESSING},
    ],  # processing without received_at
)
def test_constraints_reject_impossible_rows(world, change):
    dossier = submitted(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(**change)


def test_codes_are_unique(world):
    dossier = submitted(world)
    other = submitted(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=other.pk).update(code=dossier.code)


def test_events_are_append_only(world):
    dossier = submitted(world, now=MON)
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=dossier).update(reason="sửa")
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(dossier=dossier).delete()
    assert DossierEvent.objects.get(dossier=dossier).reason == ""


def test_a_suspension_reads_its_start_day_in_vietnam_time():
    # 17:30 UTC on 1 March is 00:30 on 2 March in Việt Nam.
    pause = Suspension(
        dossier_id=7, kind="stop", started_at=dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)
    )
    assert str(pause) == "7 stop 02/03/2026"
