"""The data store in `documents`: adding an item (idempotent per file and owner, checked),
and who reads which store."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationError
from motcua.core.models import AuditEvent
from motcua.documents.models import DataStoreItem, StoredFile
from motcua.documents.selectors import (
    datastore_file_get_for_actor,
    datastore_item_get_for_actor,
    datastore_items_for,
    datastore_items_for_actor,
    datastore_owner_keys,
)
from motcua.documents.services import datastore_item_add, file_store
from tests.factories import CitizenFactory, UserFactory

from .samples import pdf_bytes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
PERSON = "001090012345"
COMPANY = "0109876543"


def _file() -> StoredFile:
    return file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="giay.pdf", now=NOW)


def _add(stored: StoredFile, owner: str = PERSON, **kw: object) -> DataStoreItem:
    kw.setdefault("kind", "birth_certificate")
    kw.setdefault("title", "Giấy khai sinh")
    return datastore_item_add(owner_key=owner, file=stored, now=NOW, **kw)  # type: ignore[arg-type]


def test_an_item_is_added_once_per_file_and_owner() -> None:
    stored = _file()
    first = _add(
        stored,
        owner="0010 9001 2345",
        issuer="UBND Phường Hoàn Kiếm",
        valid_until=dt.date(2030, 1, 1),
        source_dossier_code="00070-260302-0001",
    )
    again = _add(stored, title="Another title")

    assert again.pk == first.pk
    assert (again.owner_key, again.title, again.issuer, again.origin) == (
        PERSON,
        "Giấy khai sinh",
        "UBND Phường Hoàn Kiếm",
        "result",
    )
    assert DataStoreItem.objects.count() == 1
    audit = AuditEvent.objects.get(action="datastore_item_add")
    assert audit.object_id == str(first.pk)
    assert audit.after["valid_until"] == "2030-01-01"
    # the same file may be in two stores (a certified copy for the principal and the company)
    assert _add(stored, owner=COMPANY).pk != first.pk


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"owner": "12345"}, "datastore_owner_invalid"),
        ({"owner": "999090012345"}, "datastore_owner_invalid"),
        ({"kind": " "}, "datastore_kind_required"),
        (
            {"valid_from": dt.date(2026, 1, 2), "valid_until": dt.date(2026, 1, 1)},
            "datastore_validity_reversed",
        ),
    ],
)
def test_an_item_is_checked(kw: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _add(_file(), **kw)
    assert caught.value.code == code
    assert caught.value.errors[0]["message"]
    assert not DataStoreItem.objects.exists()


def test_validity_filters_by_the_local_date() -> None:
    valid = _add(_file(), valid_until=dt.date(2026, 3, 2))
    _add(_file(), valid_until=dt.date(2026, 3, 1))
    _add(_file(), valid_from=dt.date(2026, 3, 3))
    forever = _add(_file())
    assert set(datastore_items_for(owner_key=PERSON, now=NOW)) == {valid, forever}
    assert datastore_items_for(owner_key=PERSON).count() == 4
    assert list(datastore_items_for(owner_key=PERSON, kind="identity_card")) == []


def test_an_account_reads_the_store_of_its_verified_number_only() -> None:
    person: User = CitizenFactory(personal_id=PERSON, identity_verified_at=NOW)
    unverified: User = CitizenFactory(personal_id=PERSON)
    company: User = UserFactory(
        kind=User.Kind.ORGANISATION, organisation_id_number=COMPANY, identity_verified_at=NOW
    )
    staff: User = UserFactory(kind=User.Kind.STAFF, personal_id=PERSON, identity_verified_at=NOW)
    mine = _add(_file())
    theirs = _add(_file(), owner=COMPANY, kind="business_registration")

    assert datastore_owner_keys(user=person) == [PERSON]
    assert datastore_owner_keys(user=unverified) == []
    assert datastore_owner_keys(user=company) == [COMPANY]
    assert datastore_owner_keys(user=staff) == []
    assert list(datastore_items_for_actor(actor=person)) == [mine]
    assert list(datastore_items_for_actor(actor=company)) == [theirs]
    assert datastore_item_get_for_actor(actor=person, item_id=mine.pk) == mine
    assert datastore_file_get_for_actor(actor=person, file_id=mine.file_id) == mine.file
    for actor, item in ((person, theirs), (unverified, mine), (staff, mine)):
        with pytest.raises(NotFound):
            datastore_item_get_for_actor(actor=actor, item_id=item.pk)
        with pytest.raises(NotFound):
            datastore_file_get_for_actor(actor=actor, file_id=item.file_id)
