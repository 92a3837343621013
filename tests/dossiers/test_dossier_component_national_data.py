"""A component replaceable by national data is filled from the national database, without an
upload, through whichever connector is configured: the demo one and the HTTP one pass the
same tests (motcua.dossiers.services.datastore)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationError
from motcua.core.models import DataAccessLog, OutboxMessage
from motcua.documents.models import NationalDemoRecord
from motcua.documents.nationaldata.base import (
    NationalDataNotConfigured,
    NationalDataUnavailable,
    NationalRecordNotFound,
)
from motcua.dossiers.models import (
    ComponentSource,
    DossierComponentSource,
    DossierEvent,
    DossierFile,
)
from motcua.dossiers.selectors import dossier_reuse_counts
from motcua.dossiers.services import dossier_component_from_national_data, dossier_withdraw
from tests.documents.nationaldata.fake_server import fake_national_database

from .factories import ComponentFactory
from .helpers import MON, World, state, submitted

LATER = MON + dt.timedelta(minutes=5)
FIELDS = {"full_name": "Nguyễn Văn An", "permanent_residence": "12 Hàng Bạc, Hà Nội"}


@pytest.fixture
def national_world(world: World) -> World:
    ComponentFactory(
        version=world.version,
        order=3,
        code="TP3",
        name="Giấy tờ tùy thân (xuất trình)",
        accepted_forms=["national_data", "original_to_compare"],
        national_database="population",
        document_kind="identity_card",
        required=False,
    )
    return world


@pytest.fixture(params=["demo", "http"])
def connector(
    request: pytest.FixtureRequest, national_world: World, settings: Any
) -> Iterator[str]:
    """The citizen's population record, served by the demo connector or over HTTP."""
    number = national_world.citizen.personal_id
    if request.param == "demo":
        NationalDemoRecord.objects.create(
            database="population", subject_key=number, reference="DC-42", fields=FIELDS
        )
        settings.MOTCUA_NATIONAL_DATA = {"*": {"connector": "demo"}}
        yield "demo"
        return
    records = {("population", number): {"reference": "DC-42", "fields": FIELDS}}
    with fake_national_database(records=records) as fake:
        settings.MOTCUA_NATIONAL_DATA = {
            "population": {
                "connector": "http",
                "options": {"base_url": fake.base_url, "token": fake.token, "retries": 0},
            }
        }
        yield "http"


def _fill(dossier, actor, component="TP3", **kw):  # type: ignore[no-untyped-def]
    return dossier_component_from_national_data(
        dossier=dossier, actor=actor, component_code=component, now=LATER, **kw
    )


def test_the_component_is_filled_from_the_national_database_without_an_upload(
    national_world: World, connector: str
) -> None:
    w = national_world
    dossier = submitted(w)
    outbox = OutboxMessage.objects.count()

    row = _fill(dossier, w.citizen, expected_version=1)

    assert (row.source, row.component_code, row.national_database) == (
        ComponentSource.NATIONAL_DATA,
        "TP3",
        "population",
    )
    assert (row.record_reference, row.record_data, row.connector) == ("DC-42", FIELDS, connector)
    assert (row.fetched_at, row.added_by, row.file) == (LATER, w.citizen, None)
    assert not DossierFile.objects.filter(dossier=dossier).exists()  # no upload asked
    assert dossier.version == 2
    event = DossierEvent.objects.get(dossier=dossier, seq=2)
    assert event.action == "component_national_data"
    assert event.after == {
        "component": "TP3",
        "database": "population",
        "reference": "DC-42",
        "connector": connector,
    }
    assert OutboxMessage.objects.count() == outbox + 1
    # the read of the person's national record is logged (never the data itself)
    log = DataAccessLog.objects.get(subject_type="national_data")
    assert (log.actor, log.subject_id, log.purpose) == (
        w.citizen,
        f"population:{w.citizen.personal_id}",
        "dossier_component",
    )
    counts = dossier_reuse_counts(start=MON - dt.timedelta(days=1), end=MON + dt.timedelta(days=1))
    assert (counts.reused, counts.national_data, counts.reusing) == (0, 1, 1)


def test_nothing_held_is_refused_the_read_logged_and_the_dossier_unchanged(
    national_world: World, connector: str
) -> None:
    w = national_world
    dossier = submitted(w, applicant=w.other_citizen)  # no record for this one
    before = state(dossier)

    with pytest.raises(NationalRecordNotFound):
        _fill(dossier, w.other_citizen)

    assert state(dossier) == before
    assert not DossierComponentSource.objects.exists()
    assert DataAccessLog.objects.filter(subject_type="national_data").count() == 1


def test_a_component_the_catalog_does_not_let_national_data_replace_is_refused(
    national_world: World,
) -> None:
    w = national_world
    dossier = submitted(w)
    before = state(dossier)
    with pytest.raises(ValidationError) as caught:
        _fill(dossier, w.citizen, component="TP1")
    assert caught.value.code == "national_data_not_accepted"
    assert state(dossier) == before
    assert not DataAccessLog.objects.filter(subject_type="national_data").exists()


def test_an_unconfigured_database_asks_for_the_paper(national_world: World, settings: Any) -> None:
    w = national_world
    settings.MOTCUA_NATIONAL_DATA = {}
    dossier = submitted(w)
    before = state(dossier)
    with pytest.raises(NationalDataNotConfigured):
        _fill(dossier, w.citizen)
    assert state(dossier) == before


def test_a_database_that_does_not_answer_changes_nothing(
    national_world: World, settings: Any
) -> None:
    w = national_world
    with fake_national_database(failures=[503]) as fake:
        settings.MOTCUA_NATIONAL_DATA = {
            "*": {"connector": "http", "options": {"base_url": fake.base_url, "retries": 0}}
        }
        dossier = submitted(w)
        before = state(dossier)
        with pytest.raises(NationalDataUnavailable):
            _fill(dossier, w.citizen)
    assert state(dossier) == before
    assert not DataAccessLog.objects.filter(subject_type="national_data").exists()


def test_a_closed_dossier_and_a_stranger_are_refused(national_world: World, connector: str) -> None:
    w = national_world
    dossier = submitted(w)
    with pytest.raises(PermissionDenied):
        _fill(dossier, w.other_citizen)
    dossier = dossier_withdraw(dossier=dossier, actor=w.citizen, reason="Không cần", now=MON)
    with pytest.raises(IllegalTransition) as caught:
        _fill(dossier, w.citizen)
    assert caught.value.code == "files_locked"
    assert not DataAccessLog.objects.filter(subject_type="national_data").exists()
