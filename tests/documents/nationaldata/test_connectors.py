"""The national-data connectors: the demo one (seeded rows) and the HTTP one (a fake national
database on 127.0.0.1) pass the same contract; the registry picks them from settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from motcua.core.clock import VN_TZ
from motcua.documents.models import NationalDemoRecord
from motcua.documents.nationaldata.base import (
    Connector,
    NationalDataNotConfigured,
    NationalDataUnavailable,
    NationalRecordNotFound,
)
from motcua.documents.nationaldata.contrib.demo import DemoConnector
from motcua.documents.nationaldata.contrib.http import HttpConnector
from motcua.documents.nationaldata.registry import connector_for, national_record_fetch

from .fake_server import FakeNationalDatabase, fake_national_database

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
SUBJECT = "001090012345"
FIELDS = {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-12"}


@dataclass
class Seeded:
    """A connector that knows one record: population / SUBJECT -> DC-1."""

    connector: Connector
    fake: FakeNationalDatabase | None = None


@pytest.fixture(params=["demo", "http"])
def seeded(request: pytest.FixtureRequest) -> Iterator[Seeded]:
    if request.param == "demo":
        NationalDemoRecord.objects.create(
            database="population", subject_key=SUBJECT, reference="DC-1", fields=FIELDS
        )
        yield Seeded(DemoConnector())
        return
    records = {("population", SUBJECT): {"reference": "DC-1", "fields": FIELDS}}
    with fake_national_database(records=records) as fake:
        yield Seeded(
            HttpConnector(base_url=fake.base_url, token=fake.token, timeout=2, retries=1), fake
        )


# --- the contract: every connector -------------------------------------------------------


def test_contract_a_known_subject_answers_its_record(seeded: Seeded) -> None:
    record = seeded.connector.fetch(
        database="population", subject_key=SUBJECT, purpose="dossier_component", now=NOW
    )
    assert (record.database, record.subject_key, record.reference) == (
        "population",
        SUBJECT,
        "DC-1",
    )
    assert record.fields == FIELDS
    assert record.fetched_at == NOW
    assert record.connector == seeded.connector.name


def test_contract_an_unknown_subject_is_not_found(seeded: Seeded) -> None:
    with pytest.raises(NationalRecordNotFound) as caught:
        seeded.connector.fetch(
            database="population", subject_key="001090099999", purpose="x", now=NOW
        )
    assert (caught.value.code, caught.value.status) == ("national_record_not_found", 409)


def test_contract_another_database_does_not_answer_for_this_one(seeded: Seeded) -> None:
    with pytest.raises(NationalRecordNotFound):
        seeded.connector.fetch(database="civil_status", subject_key=SUBJECT, purpose="x", now=NOW)


# --- the HTTP connector's own behaviour ---------------------------------------------------


def test_http_sends_the_token_and_keeps_the_number_out_of_the_url() -> None:
    records = {("population", SUBJECT): {"reference": "DC-1", "fields": {}}}
    with fake_national_database(records=records) as fake:
        HttpConnector(base_url=fake.base_url, token=fake.token).fetch(
            database="population", subject_key=SUBJECT, purpose="dossier_component", now=NOW
        )
    (sent,) = fake.requests
    assert sent["path"] == "/api/population/lookup"
    assert sent["authorization"] == "Bearer secret-token"
    assert sent["body"] == {"subject_key": SUBJECT, "purpose": "dossier_component"}


def test_http_retries_a_server_error_then_answers() -> None:
    records = {("population", SUBJECT): {"reference": "DC-1", "fields": {}}}
    with fake_national_database(records=records, failures=[503]) as fake:
        record = HttpConnector(base_url=fake.base_url, token=fake.token, retries=1).fetch(
            database="population", subject_key=SUBJECT, purpose="x", now=NOW
        )
    assert record.reference == "DC-1"
    assert len(fake.requests) == 2


def test_http_gives_up_after_its_retries() -> None:
    with (
        fake_national_database(failures=[500, 502, 503]) as fake,
        pytest.raises(NationalDataUnavailable) as caught,
    ):
        HttpConnector(base_url=fake.base_url, token=fake.token, retries=2).fetch(
            database="population", subject_key=SUBJECT, purpose="x", now=NOW
        )
    assert (caught.value.code, caught.value.status) == ("national_data_unavailable", 503)
    assert len(fake.requests) == 3


def test_http_a_refused_token_is_unavailable_without_retrying() -> None:
    with fake_national_database() as fake, pytest.raises(NationalDataUnavailable):
        HttpConnector(base_url=fake.base_url, token="wrong", retries=3).fetch(
            database="population", subject_key=SUBJECT, purpose="x", now=NOW
        )
    assert len(fake.requests) == 1


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"fields": {}}', b'{"reference": 5}'])
def test_http_an_answer_of_the_wrong_shape_is_unavailable(body: bytes) -> None:
    with fake_national_database(raw_body=body) as fake, pytest.raises(NationalDataUnavailable):
        HttpConnector(base_url=fake.base_url, token=fake.token, retries=0).fetch(
            database="population", subject_key=SUBJECT, purpose="x", now=NOW
        )


def test_http_a_closed_port_is_unavailable() -> None:
    with fake_national_database() as fake:
        url = fake.base_url
    with pytest.raises(NationalDataUnavailable):
        HttpConnector(base_url=url, timeout=1, retries=0).fetch(
            database="population", subject_key=SUBJECT, purpose="x", now=NOW
        )


def test_http_needs_an_http_url() -> None:
    with pytest.raises(ValueError):
        HttpConnector(base_url="file:///etc/passwd")


# --- the registry -------------------------------------------------------------------------


def test_the_registry_takes_the_connector_of_the_database_or_the_default(settings: Any) -> None:
    settings.MOTCUA_NATIONAL_DATA = {
        "population": {"connector": "http", "options": {"base_url": "http://127.0.0.1:9/x"}},
        "*": {"connector": "demo"},
    }
    assert isinstance(connector_for(database="population"), HttpConnector)
    assert isinstance(connector_for(database="land"), DemoConnector)


def test_an_unconfigured_database_is_refused(settings: Any) -> None:
    settings.MOTCUA_NATIONAL_DATA = {"population": {"connector": "demo"}}
    with pytest.raises(NationalDataNotConfigured) as caught:
        national_record_fetch(database="land", subject_key=SUBJECT, purpose="x", now=NOW)
    assert caught.value.code == "national_data_not_configured"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings.base import national_data_config

    monkeypatch.setenv("MOTCUA_NATIONAL_DATA_URL", "https://csdl.example.vn/v1")
    monkeypatch.setenv("MOTCUA_NATIONAL_DATA_TOKEN", "t")
    monkeypatch.setenv("MOTCUA_NATIONAL_DATA_TIMEOUT", "3")
    monkeypatch.setenv("MOTCUA_NATIONAL_DATA_RETRIES", "1")
    monkeypatch.setenv("MOTCUA_NATIONAL_DATA_DATABASES", "population, civil_status")
    config = national_data_config("http")
    assert set(config) == {"population", "civil_status"}
    assert config["population"] == {
        "connector": "http",
        "options": {
            "base_url": "https://csdl.example.vn/v1",
            "token": "t",
            "timeout": 3.0,
            "retries": 1,
        },
    }
    assert national_data_config("") == {}
