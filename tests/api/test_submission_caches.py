"""The submission path caches the version in force and the receiving unit per process
(motcua.core.generation_cache): every write that changes them must be seen at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import Client, RequestFactory
from freezegun import freeze_time

import config.urls  # noqa: F401  (builds the API schemas before time is frozen)
from motcua.accounts.models import User
from motcua.catalog.admin import ProcedureAdmin, ProcedureVersionAdmin
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import CATALOG_GENERATION, catalog_cache_invalidate
from motcua.catalog.services import procedure_version_create_draft, procedure_version_publish
from motcua.core import clock
from motcua.core.errors import IllegalTransition
from motcua.dossiers.models import Dossier
from motcua.organisation.admin import UnitAdmin
from motcua.organisation.models import RoleAssignment, Unit
from motcua.organisation.selectors import UNITS_GENERATION, unit_active_by_code
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

BODY = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "Nguyễn An"}}


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with freeze_time("2026-02-13T03:00:00Z"):  # Friday 13 Feb 2026, 10:00 in Hà Nội
        yield


def post(client: Client, headers: dict[str, Any], body: Any = None, **extra: Any) -> Any:
    return client.post(
        "/api/v1/dossiers",
        json.dumps(body or BODY),
        content_type="application/json",
        **headers,
        **extra,
    )


def _admin_request(user: User) -> Any:
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def test_publishing_a_new_version_is_used_by_the_next_submission(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    headers = bearer(citizen)
    assert post(client, headers).json()["procedure"]["version"] == 2  # v2 now cached
    ProcedureVersion.objects.filter(procedure=procedure, number=3).delete()
    draft = procedure_version_create_draft(procedure=procedure, actor=None, now=clock.now())
    procedure_version_publish(version=draft, actor=None, now=clock.now())

    response = post(client, headers)

    assert response.status_code == 201, response.content
    assert response.json()["procedure"]["version"] == draft.number == 3


def test_a_procedure_deactivated_in_the_admin_is_refused_at_once(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    headers = bearer(citizen)
    assert post(client, headers).status_code == 201
    procedure.is_active = False
    ProcedureAdmin(Procedure, admin.site).save_model(_admin_request(officer), procedure, None, True)

    response = post(client, headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "procedure_not_found"


def test_a_published_version_cannot_be_edited_in_the_admin_and_is_served_unchanged(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    headers = bearer(citizen)
    assert post(client, headers).status_code == 201
    version = ProcedureVersion.objects.get(procedure=procedure, number=2)
    version.online_level = "none"
    with pytest.raises(IllegalTransition):
        ProcedureVersionAdmin(ProcedureVersion, admin.site).save_model(
            _admin_request(officer), version, None, True
        )

    response = post(client, headers)

    assert response.status_code == 201
    assert response.json()["procedure"]["version"] == 2
    assert ProcedureVersion.objects.get(pk=version.pk).online_level == "full"


def test_a_draft_edited_in_the_admin_and_published_is_seen_at_once(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    headers = bearer(citizen)
    assert post(client, headers).status_code == 201
    ProcedureVersion.objects.filter(procedure=procedure, number=3).delete()
    draft = procedure_version_create_draft(procedure=procedure, actor=None, now=clock.now())
    draft.online_level = "none"
    ProcedureVersionAdmin(ProcedureVersion, admin.site).save_model(
        _admin_request(officer), draft, None, True
    )
    procedure_version_publish(version=draft, actor=None, now=clock.now())

    response = post(client, headers)

    assert response.status_code == 400
    assert response.json()["code"] == "online_not_allowed"


@pytest.mark.parametrize("how", ["save", "delete"])
def test_a_unit_deactivated_or_deleted_in_the_admin_is_refused_at_once(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User, how: str
) -> None:
    headers = bearer(citizen)
    assert unit_active_by_code(code="00070") == ward  # cached (no dossier: it can be deleted)
    unit_admin = UnitAdmin(Unit, admin.site)
    if how == "save":
        ward.is_active = False
        unit_admin.save_model(_admin_request(officer), ward, None, True)
    else:  # a unit someone holds a role in is never deleted: the role goes first
        RoleAssignment.objects.filter(unit=ward).delete()
        unit_admin.delete_queryset(_admin_request(officer), Unit.objects.filter(pk=ward.pk))

    response = post(client, headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "receiving_unit"


def test_a_unit_renamed_in_the_admin_is_rendered_with_its_new_name(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, officer: User
) -> None:
    headers = bearer(citizen)
    assert post(client, headers).json()["receiving_unit"]["name"] == "Phường Hoàn Kiếm"
    ward.name = "Phường Hoàn Kiếm (mới)"
    UnitAdmin(Unit, admin.site).save_model(_admin_request(officer), ward, None, True)

    response = post(client, headers)

    assert response.json()["receiving_unit"]["name"] == "Phường Hoàn Kiếm (mới)"
    assert response.json()["handling_unit"]["name"] == "Phường Hoàn Kiếm (mới)"


@pytest.mark.parametrize("generation", [CATALOG_GENERATION, UNITS_GENERATION])
def test_a_bump_by_another_process_empties_the_cache(
    client: Client, procedure: Procedure, ward: Unit, citizen: User, generation: Any
) -> None:
    """Another worker bumps only the shared counter (Redis in production)."""
    headers = bearer(citizen)
    assert post(client, headers).status_code == 201
    # A write made behind the caches' back, announced by another process.
    Unit.objects.filter(pk=ward.pk).update(is_active=False)
    Procedure.objects.filter(pk=procedure.pk).update(is_active=False)
    cache.set(generation.shared_key, 12345, None)

    response = post(client, headers)

    assert response.status_code == 400


def test_a_retry_whose_rerun_fails_gets_the_first_response_and_takes_no_code(
    client: Client, procedure: Procedure, ward: Unit, other_ward: Unit, citizen: User
) -> None:
    """No look-up of the key first: the retry runs, fails, and still replays."""
    headers = bearer(citizen)
    first = post(client, headers, HTTP_IDEMPOTENCY_KEY="k-9")
    Procedure.objects.filter(pk=procedure.pk).update(is_active=False)
    catalog_cache_invalidate()

    again = post(client, headers, HTTP_IDEMPOTENCY_KEY="k-9")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_a_replayed_retry_gives_its_dossier_code_back(
    client: Client, procedure: Procedure, ward: Unit, citizen: User
) -> None:
    headers = bearer(citizen)
    first = post(client, headers, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, headers, HTTP_IDEMPOTENCY_KEY="k-1")
    other = post(client, headers, HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.json()["code"] == again.json()["code"] == "00070-260213-0001"
    assert other.json()["code"] == "00070-260213-0002"  # gap-free: the replay rolled back
    assert Dossier.objects.count() == 2
