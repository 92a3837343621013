"""The demo data stores and national records: loaded again without duplicates, and usable
end to end: the demo citizen files a birth registration reusing the identity card in their
store, then fills the same component from the demo population record."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import VN_TZ
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import demo_accounts_load
from motcua.demo.datastore import CITIZENS_WITH_STORE, demo_datastore_load
from motcua.demo.dossiers import _form_data
from motcua.documents.models import DataStoreItem, NationalDemoRecord, StoredFile
from motcua.dossiers.models import ComponentSource, DossierComponentSource
from motcua.dossiers.services import (
    dossier_component_from_national_data,
    dossier_component_reuse,
    dossier_submit,
)
from motcua.organisation.models import Unit
from motcua.organisation.services import unit_tree_load

NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=VN_TZ)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> None:
    unit_tree_load(province_code="01")
    calendar_seed(years=[2025, 2026], now=NOW)
    catalog_load_demo(now=NOW)
    demo_accounts_load(now=NOW)


@pytest.mark.usefixtures("demo_city")
def test_the_demo_data_stores_load_once_and_serve_a_dossier() -> None:
    first = demo_datastore_load(now=NOW)
    again = demo_datastore_load(now=NOW)

    # congdan: 2 + 4 papers, each demo citizen 2, the company 1; nothing new the second time
    assert first.items == 6 + 2 * CITIZENS_WITH_STORE + 1
    assert again.items == 0
    assert DataStoreItem.objects.count() == first.items
    assert StoredFile.objects.count() == first.items
    assert NationalDemoRecord.objects.count() == first.records
    assert NationalDemoRecord.objects.filter(database="business_registration").count() == 1
    # the catalog names what kind of paper its identity components are
    assert catalog_load_demo(now=NOW).unchanged == catalog_load_demo(now=NOW).total

    citizen = User.objects.get(username="congdan")
    version = ProcedureVersion.objects.get(
        procedure__code="HN.DEMO.001", status=ProcedureVersion.Status.PUBLISHED
    )
    identity = version.components.get(code="TP04")
    assert (identity.document_kind, identity.national_database) == ("identity_card", "population")
    ward = Unit.objects.get(code="00070")
    dossier = dossier_submit(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=ward,
        form_data=_form_data(version, rng=random.Random(1), today=NOW.date(), ward="00070"),
        now=NOW,
    )
    card = DataStoreItem.objects.get(owner_key=citizen.personal_id, title="Thẻ căn cước")
    dossier_component_reuse(
        dossier=dossier, actor=citizen, item_id=card.pk, component_code="TP04", now=NOW
    )
    row = dossier_component_from_national_data(
        dossier=dossier, actor=citizen, component_code="TP04", now=NOW
    )
    assert row.record_data["personal_id"] == citizen.personal_id
    assert set(DossierComponentSource.objects.values_list("source", flat=True)) == {
        ComponentSource.REUSED,
        ComponentSource.NATIONAL_DATA,
    }
