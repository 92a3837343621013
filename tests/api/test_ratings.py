"""GET/POST /dossiers/{code}/rating: the applicant reads the survey and rates a settled
dossier once; machine-readable codes for every refusal."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import DossierRating
from motcua.dossiers.services import dossier_issue_result
from tests.api.conftest import bearer

# The dossier tests' world (a ward, its staff, two citizens) rather than the API's fixtures.
from tests.dossiers.helpers import _fresh_clock_cache, at_leader_step, calendar, received, vn, world

__all__ = ["_fresh_clock_cache", "calendar", "world"]

pytestmark = pytest.mark.django_db


def _settled(world):
    return dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 16)
    )


def _post(code: str, user, **body):
    return Client().post(
        f"/api/v1/dossiers/{code}/rating",
        {"overall": "satisfied", **body},
        content_type="application/json",
        **bearer(user),
    )


def test_the_applicant_reads_the_survey_rates_and_reads_the_rating(world):
    dossier = _settled(world)
    auth = bearer(world.citizen)

    before = Client().get(f"/api/v1/dossiers/{dossier.code}/rating", **auth).json()
    created = _post(
        dossier.code, world.citizen, criteria={"publicity": "very_satisfied"}, comment="Tốt"
    )
    after = Client().get(f"/api/v1/dossiers/{dossier.code}/rating", **auth).json()

    assert before["rateable"] is True
    assert before["rating"] is None
    assert [c["code"] for c in before["levels"]] == [
        "very_satisfied",
        "satisfied",
        "not_satisfied",
    ]
    assert len(before["criteria"]) == 9
    assert before["criteria"][0]["code"] == "settlement_time"
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["overall"] == "satisfied"
    assert body["criteria"] == {"publicity": "very_satisfied"}
    assert body["comment"] == "Tốt"
    assert after["rateable"] is False
    assert after["rating"]["overall"] == "satisfied"


def test_a_second_rating_is_409_rating_exists(world):
    dossier = _settled(world)
    assert _post(dossier.code, world.citizen).status_code == 201

    again = _post(dossier.code, world.citizen, overall="not_satisfied")

    assert again.status_code == 409
    assert again.json()["code"] == "rating_exists"
    assert DossierRating.objects.get().overall == "satisfied"


def test_an_unsettled_dossier_is_409_not_rateable(world):
    dossier = received(world)

    response = _post(dossier.code, world.citizen)

    assert response.status_code == 409
    assert response.json()["code"] == "not_rateable"
    assert not DossierRating.objects.exists()


def test_bad_levels_are_400_invalid_with_the_fields(world):
    dossier = _settled(world)

    response = _post(dossier.code, world.citizen, overall="wow", criteria={"speed": "satisfied"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("overall", "invalid_choice"),
        ("criteria.speed", "unknown_criterion"),
    ]


@pytest.mark.parametrize("who", ["other_citizen", "officer"])
def test_someone_else_gets_404_and_nothing_is_written(world, who):
    dossier = _settled(world)
    user = getattr(world, who)

    read = Client().get(f"/api/v1/dossiers/{dossier.code}/rating", **bearer(user))
    write = _post(dossier.code, user)

    assert read.status_code == 404
    assert read.json()["code"] == "not_found"
    assert write.status_code == 404
    assert not DossierRating.objects.exists()
