"""`dossier_rate`: the applicant rates a settled dossier once (Circular 01/2018/TT-VPCP), with
its event in the same transaction; `satisfaction_counts` per unit and period."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from motcua.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationError
from motcua.core.models import OutboxMessage
from motcua.dossiers.applicant_selectors import satisfaction_counts
from motcua.dossiers.models import DossierEvent, DossierRating, DossierStatus
from motcua.dossiers.services import dossier_issue_result, dossier_rate, dossier_withdraw

from .helpers import at_leader_step, processing, state, vn

ISSUED = vn(2026, 3, 4, 16)
RATED = vn(2026, 3, 5, 9)


def settled(world):
    return dossier_issue_result(dossier=at_leader_step(world), actor=world.leader, now=ISSUED)


def test_the_applicant_rates_a_settled_dossier_and_the_trail_says_so(world):
    dossier = settled(world)
    version = dossier.version

    rating = dossier_rate(
        dossier=dossier,
        actor=world.citizen,
        overall="satisfied",
        criteria={"staff_attitude": "very_satisfied", "settlement_time": "not_satisfied"},
        comment="  Cán bộ nhiệt tình.  ",
        now=RATED,
    )

    rating.refresh_from_db()
    assert rating.overall == "satisfied"
    assert rating.criteria() == {
        "settlement_time": "not_satisfied",
        "staff_attitude": "very_satisfied",
    }
    assert rating.online_service == ""  # not answered
    assert rating.comment == "Cán bộ nhiệt tình."
    assert rating.unit == world.ward
    assert rating.procedure_version == world.version
    assert rating.rated_by == world.citizen
    assert rating.rated_at == RATED
    event = DossierEvent.objects.get(dossier=dossier, action="rate")
    assert event.seq == version + 1
    assert event.actor == world.citizen
    assert event.actor_role == "applicant"
    assert event.status_before == event.status_after == DossierStatus.FINISHED
    assert event.after["overall"] == "satisfied"
    assert event.after["rating"] == rating.pk
    assert OutboxMessage.objects.filter(topic="dossier.rate").count() == 1
    assert dossier.version == version + 1


def test_a_second_rating_is_refused_and_the_first_stays(world):
    dossier = settled(world)
    dossier_rate(dossier=dossier, actor=world.citizen, overall="satisfied", now=RATED)
    before = state(dossier)

    with pytest.raises(Conflict) as caught:
        dossier_rate(dossier=dossier, actor=world.citizen, overall="not_satisfied", now=RATED)

    assert caught.value.code == "rating_exists"
    assert state(dossier) == before
    assert list(DossierRating.objects.values_list("overall", flat=True)) == ["satisfied"]
    assert DossierEvent.objects.filter(dossier=dossier, action="rate").count() == 1


def test_the_database_keeps_one_rating_per_dossier(world):
    dossier = settled(world)
    rating = dossier_rate(dossier=dossier, actor=world.citizen, overall="satisfied", now=RATED)

    with pytest.raises(IntegrityError), transaction.atomic():
        DossierRating.objects.create(
            dossier=dossier,
            unit=rating.unit,
            procedure_version=rating.procedure_version,
            overall="satisfied",
            rated_by=world.citizen,
            rated_at=RATED,
        )


@pytest.mark.parametrize("status", ["processing", "withdrawn"])
def test_an_unsettled_dossier_cannot_be_rated(world, status):
    dossier = processing(world)
    if status == "withdrawn":
        dossier = dossier_withdraw(
            dossier=dossier, actor=world.citizen, reason="Không cần nữa", now=RATED
        )
    before = state(dossier)

    with pytest.raises(IllegalTransition) as caught:
        dossier_rate(dossier=dossier, actor=world.citizen, overall="satisfied", now=RATED)

    assert caught.value.code == "not_rateable"
    assert state(dossier) == before
    assert not DossierRating.objects.exists()


@pytest.mark.parametrize("who", ["other_citizen", "officer", "leader"])
def test_only_the_applicant_rates(world, who):
    dossier = settled(world)
    before = state(dossier)

    with pytest.raises(PermissionDenied):
        dossier_rate(dossier=dossier, actor=getattr(world, who), overall="satisfied", now=RATED)

    assert state(dossier) == before
    assert not DossierRating.objects.exists()


@pytest.mark.parametrize(
    ("overall", "criteria", "comment", "field", "code"),
    [
        ("", {}, "", "overall", "required"),
        ("happy", {}, "", "overall", "invalid_choice"),
        ("satisfied", {"speed": "satisfied"}, "", "criteria.speed", "unknown_criterion"),
        ("satisfied", {"publicity": "meh"}, "", "criteria.publicity", "invalid_choice"),
        ("satisfied", {}, "x" * 2001, "comment", "too_long"),
    ],
)
def test_bad_input_is_refused_field_by_field(world, overall, criteria, comment, field, code):
    dossier = settled(world)
    before = state(dossier)

    with pytest.raises(ValidationError) as caught:
        dossier_rate(
            dossier=dossier,
            actor=world.citizen,
            overall=overall,
            criteria=criteria,
            comment=comment,
            now=RATED,
        )

    assert [(e["field"], e["code"]) for e in caught.value.errors] == [(field, code)]
    assert state(dossier) == before


def test_satisfaction_counts_per_unit_and_period(world):
    first = settled(world)
    dossier_rate(
        dossier=first,
        actor=world.citizen,
        overall="not_satisfied",
        criteria={"staff_attitude": "not_satisfied"},
        now=RATED,
    )

    [row] = satisfaction_counts(start=vn(2026, 3, 1), end=vn(2026, 4, 1))

    assert (row.unit_code, row.ratings, row.not_satisfied) == ("00070", 1, 1)
    assert row.overall == {"very_satisfied": 0, "satisfied": 0, "not_satisfied": 1}
    assert row.criteria["staff_attitude"] == {
        "very_satisfied": 0,
        "satisfied": 0,
        "not_satisfied": 1,
    }
    assert row.criteria["publicity"] == {"very_satisfied": 0, "satisfied": 0, "not_satisfied": 0}
    assert satisfaction_counts(start=vn(2026, 4, 1), end=vn(2026, 5, 1)) == []
    assert satisfaction_counts(start=vn(2026, 3, 1), end=vn(2026, 4, 1), unit_ids=[0]) == []


def test_the_admin_lists_ratings_read_only(world, admin_client):
    dossier = settled(world)
    rating = dossier_rate(dossier=dossier, actor=world.citizen, overall="satisfied", now=RATED)

    listing = admin_client.get("/admin/dossiers/dossierrating/")
    page = admin_client.get(f"/admin/dossiers/dossierrating/{rating.pk}/change/")

    assert listing.status_code == 200
    assert dossier.code in listing.content.decode()
    assert page.status_code == 200
    assert admin_client.get("/admin/dossiers/dossierrating/add/").status_code == 403


def test_a_simultaneous_second_rating_loses_to_the_constraint(world, monkeypatch):
    """Two requests that both passed the "already rated?" check: the unique constraint
    decides, and the loser gets the same answer with nothing written."""
    dossier = settled(world)
    dossier_rate(dossier=dossier, actor=world.citizen, overall="satisfied", now=RATED)
    before = state(dossier)
    monkeypatch.setattr(
        "motcua.dossiers.services.ratings.DossierRating.objects.filter",
        lambda **kw: DossierRating.objects.none(),
    )

    with pytest.raises(Conflict) as caught:
        dossier_rate(dossier=dossier, actor=world.citizen, overall="not_satisfied", now=RATED)

    assert caught.value.code == "rating_exists"
    assert state(dossier) == before
    assert DossierEvent.objects.filter(dossier=dossier, action="rate").count() == 1
