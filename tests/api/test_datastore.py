"""The data store API: the caller's items, reusing one in a dossier, national data instead of
a paper; access (someone else's dossier or item: 404)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import Component, Procedure
from motcua.core.models import DataAccessLog
from motcua.documents.models import DataStoreItem, NationalDemoRecord
from motcua.documents.services import datastore_item_add, file_store
from motcua.dossiers.models import DossierComponentSource, DossierEvent, DossierFile
from motcua.organisation.models import Unit
from tests.api.conftest import bearer
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db

SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}


@pytest.fixture(autouse=True)
def _world(procedure: Procedure, ward: Unit, citizen: User, other_citizen: User) -> None:
    """The citizens' identities are verified; version 2 asks for an identity card (CC),
    replaceable by population data."""
    other_citizen.personal_id = "001190000777"  # the factory's sequence may repeat citizen's
    for user in (citizen, other_citizen):
        user.identity_verified_at = timezone.now()
        user.save(update_fields=["identity_verified_at", "personal_id"])
    Component.objects.create(
        version=procedure.versions.get(number=2),
        order=3,
        code="CC",
        name="Giấy tờ tùy thân",
        accepted_forms=["national_data", "original_to_compare"],
        national_database="population",
        document_kind="identity_card",
    )


def item_of(
    user: User, *, kind: str = "identity_card", until: dt.date | None = None
) -> DataStoreItem:
    stored = file_store(
        actor=None, upload=io.BytesIO(pdf_bytes()), name="cccd.pdf", now=timezone.now()
    )
    return datastore_item_add(
        owner_key=user.personal_id,
        kind=kind,
        title="Thẻ căn cước",
        issuer="Bộ Công an",
        valid_until=until,
        source_dossier_code="H26.1-260101-0001",
        file=stored,
        now=timezone.now(),
    )


def dossier_of(client: Client, user: User) -> str:
    response = client.post(
        "/api/v1/dossiers", SUBMIT, content_type="application/json", **bearer(user)
    )
    assert response.status_code == 201, response.content[:300]
    code: str = response.json()["code"]
    return code


def post(client: Client, path: str, body: dict[str, Any], user: User) -> Any:
    return client.post(path, body, content_type="application/json", **bearer(user))


def test_the_caller_sees_their_own_items_only(
    client: Client, citizen: User, other_citizen: User
) -> None:
    mine = item_of(citizen, until=dt.date(2040, 1, 1))
    expired = item_of(citizen, until=dt.date(2020, 1, 1))
    item_of(other_citizen)

    response = client.get("/api/v1/me/data-store", **bearer(citizen))

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == [expired.pk, mine.pk]
    first = items[1]
    assert first == {
        "id": mine.pk,
        "kind": "identity_card",
        "title": "Thẻ căn cước",
        "issuer": "Bộ Công an",
        "valid_from": None,
        "valid_until": "2040-01-01",
        "valid": True,
        "origin": "result",
        "source_dossier": "H26.1-260101-0001",
        "file": mine.file_id,
        "content_type": "application/pdf",
        "size": mine.file.size,
        "sha256": mine.file.sha256,
        "added_at": first["added_at"],
    }
    assert items[0]["valid"] is False
    # their own paper downloads without a dossier; someone else's is 404
    assert client.get(f"/api/v1/files/{mine.file_id}", **bearer(citizen)).status_code == 200
    assert client.get(f"/api/v1/files/{mine.file_id}", **bearer(other_citizen)).status_code == 404


def test_an_unverified_account_has_an_empty_store(client: Client, citizen: User) -> None:
    item_of(citizen)
    citizen.identity_verified_at = None
    citizen.save(update_fields=["identity_verified_at"])
    response = client.get("/api/v1/me/data-store", **bearer(citizen))
    assert response.json() == {"items": []}


def test_reuse_attaches_the_paper_and_records_it(client: Client, citizen: User) -> None:
    item = item_of(citizen)
    code = dossier_of(client, citizen)

    response = post(
        client,
        f"/api/v1/dossiers/{code}/reuse",
        {"item": item.pk, "component": "CC", "expected_version": 1},
        citizen,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["id"], body["component"], body["kind"], body["sha256"]) == (
        item.file_id,
        "CC",
        "component",
        item.file.sha256,
    )
    assert DossierComponentSource.objects.get(dossier__code=code).source == "reused"
    assert DossierEvent.objects.filter(dossier__code=code, action="component_reuse").count() == 1
    listed = client.get(f"/api/v1/dossiers/{code}/files", **bearer(citizen)).json()["items"]
    assert [f["id"] for f in listed] == [item.file_id]


def test_reuse_refusals(client: Client, citizen: User, other_citizen: User) -> None:
    code = dossier_of(client, citizen)
    theirs = item_of(other_citizen)
    expired = item_of(citizen, until=dt.date(2020, 1, 1))
    wrong = item_of(citizen, kind="birth_certificate")
    path = f"/api/v1/dossiers/{code}/reuse"

    cases = [
        ({"item": theirs.pk, "component": "CC"}, 404, "not_found"),
        ({"item": expired.pk, "component": "CC"}, 400, "datastore_item_expired"),
        ({"item": wrong.pk, "component": "CC"}, 400, "datastore_kind_mismatch"),
        ({"item": wrong.pk, "component": "XX"}, 400, "unknown_component"),
        ({"item": wrong.pk, "component": "CC", "x": 1}, 422, "invalid"),
    ]
    for body, status, error in cases:
        response = post(client, path, body, citizen)
        assert (response.status_code, response.json()["code"]) == (status, error), body
    assert not DossierFile.objects.filter(dossier__code=code).exists()
    assert not DossierComponentSource.objects.exists()


def test_someone_elses_dossier_is_404(client: Client, citizen: User, other_citizen: User) -> None:
    code = dossier_of(client, citizen)
    item = item_of(other_citizen)
    for path, body in (
        (f"/api/v1/dossiers/{code}/reuse", {"item": item.pk, "component": "CC"}),
        (f"/api/v1/dossiers/{code}/national-data", {"component": "CC"}),
    ):
        response = post(client, path, body, other_citizen)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not DossierComponentSource.objects.exists()
    assert not DataAccessLog.objects.filter(subject_type="national_data").exists()


def test_national_data_fills_the_component(client: Client, citizen: User) -> None:
    NationalDemoRecord.objects.create(
        database="population",
        subject_key=citizen.personal_id,
        reference="DC-1",
        fields={"full_name": "Nguyễn Văn An"},
    )
    code = dossier_of(client, citizen)

    response = post(client, f"/api/v1/dossiers/{code}/national-data", {"component": "CC"}, citizen)

    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("component", "database", "reference", "fields", "connector")} == {
        "component": "CC",
        "database": "population",
        "reference": "DC-1",
        "fields": {"full_name": "Nguyễn Văn An"},
        "connector": "demo",
    }
    assert body["version"] == 2
    assert body["fetched_at"].endswith("+07:00")


def test_national_data_refusals(client: Client, citizen: User) -> None:
    code = dossier_of(client, citizen)
    path = f"/api/v1/dossiers/{code}/national-data"
    response = post(client, path, {"component": "GCS"}, citizen)
    assert (response.status_code, response.json()["code"]) == (400, "national_data_not_accepted")
    response = post(client, path, {"component": "CC"}, citizen)  # no record seeded
    assert (response.status_code, response.json()["code"]) == (409, "national_record_not_found")
    response = client.post(path, {"component": "CC"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
