"""Reusing a paper of the data store in a new dossier, and component files entering the
store at reception (motcua.dossiers.services.datastore)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from motcua.accounts.models import User
from motcua.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from motcua.core.models import DataAccessLog, OutboxMessage
from motcua.documents.models import DataStoreItem, DataStoreOrigin, StoredFile
from motcua.documents.services import datastore_item_add, file_store
from motcua.dossiers.models import (
    ComponentSource,
    DossierComponentSource,
    DossierEvent,
    DossierFile,
)
from motcua.dossiers.selectors import dossier_reuse_counts
from motcua.dossiers.services import (
    dossier_component_reuse,
    dossier_file_add,
    dossier_receive,
    dossier_withdraw,
)
from tests.documents.samples import pdf_bytes

from .factories import ComponentFactory
from .helpers import MON, World, received, state, submitted

LATER = MON + dt.timedelta(minutes=5)


@pytest.fixture
def reuse_world(world: World) -> World:
    """The citizen's identity is verified; the version's TP3 asks for an identity card."""
    for user in (world.citizen, world.other_citizen):
        user.identity_verified_at = MON - dt.timedelta(days=30)
        user.save(update_fields=["identity_verified_at"])
    ComponentFactory(
        version=world.version,
        order=3,
        code="TP3",
        name="Thẻ căn cước",
        document_kind="identity_card",
        required=False,
    )
    return world


def _item(
    owner: User, *, kind: str = "identity_card", until: dt.date | None = None
) -> DataStoreItem:
    stored = file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="cccd.pdf", now=MON)
    return datastore_item_add(
        owner_key=owner.personal_id,
        kind=kind,
        title="Thẻ căn cước",
        issuer="Cục Cảnh sát QLHC về TTXH",
        valid_until=until,
        file=stored,
        now=MON,
    )


def _reuse(dossier, actor, item, component="TP3", **kw):  # type: ignore[no-untyped-def]
    return dossier_component_reuse(
        dossier=dossier,
        actor=actor,
        item_id=item.pk,
        component_code=component,
        now=LATER,
        **kw,
    )


def test_a_stored_identity_card_is_reused_in_a_new_dossier_and_the_reuse_recorded(
    reuse_world: World,
) -> None:
    w = reuse_world
    item = _item(w.citizen, until=dt.date(2030, 1, 1))
    dossier = submitted(w)
    outbox = OutboxMessage.objects.count()
    files_before = StoredFile.objects.count()

    link = _reuse(dossier, w.citizen, item, expected_version=1)

    # the stored file itself is the component's file: nothing uploaded again
    assert (link.file_id, link.component_code, link.kind) == (item.file_id, "TP3", "component")
    assert StoredFile.objects.count() == files_before
    source = DossierComponentSource.objects.get(dossier=dossier)
    assert (source.source, source.datastore_item, source.file, source.component_code) == (
        ComponentSource.REUSED,
        item,
        link,
        "TP3",
    )
    assert dossier.version == 2
    event = DossierEvent.objects.get(dossier=dossier, seq=2)
    assert event.action == "component_reuse"
    assert event.actor_role == "applicant"
    assert event.after == {
        "item": item.pk,
        "kind": "identity_card",
        "component": "TP3",
        "file": item.file_id,
        "sha256": item.file.sha256,
        "source_dossier": "",
    }
    assert OutboxMessage.objects.count() == outbox + 1
    assert OutboxMessage.objects.latest("id").topic == "dossier.component_reuse"
    # the applicant's own paper: no access-log row
    assert not DataAccessLog.objects.filter(subject_type="datastore_item").exists()
    # and the quality index sees a dossier reusing a digitised component
    counts = dossier_reuse_counts(start=MON - dt.timedelta(days=1), end=MON + dt.timedelta(days=1))
    assert (counts.dossiers, counts.reused, counts.national_data, counts.reusing) == (1, 1, 0, 1)
    assert (
        dossier_reuse_counts(
            start=MON - dt.timedelta(days=1),
            end=MON + dt.timedelta(days=1),
            unit_ids=[w.other_ward.pk],
        ).dossiers
        == 0
    )


def test_someone_elses_item_is_not_found_and_nothing_changes(reuse_world: World) -> None:
    w = reuse_world
    theirs = _item(w.other_citizen)
    dossier = submitted(w)
    before = state(dossier)

    with pytest.raises(NotFound) as caught:
        _reuse(dossier, w.citizen, theirs)

    assert caught.value.code == "not_found"
    assert state(dossier) == before
    assert DossierFile.objects.filter(dossier=dossier).count() == 0
    assert DossierComponentSource.objects.count() == 0


def test_an_unverified_account_cannot_reach_the_store_of_the_number_it_claims(
    reuse_world: World,
) -> None:
    w = reuse_world
    w.citizen.identity_verified_at = None
    w.citizen.save(update_fields=["identity_verified_at"])
    item = _item(w.citizen)
    dossier = submitted(w)
    with pytest.raises(NotFound):
        _reuse(dossier, w.citizen, item)


def test_an_expired_item_is_refused(reuse_world: World) -> None:
    w = reuse_world
    item = _item(w.citizen, until=dt.date(2026, 3, 1))  # the day before MON
    dossier = submitted(w)
    before = state(dossier)

    with pytest.raises(ValidationError) as caught:
        _reuse(dossier, w.citizen, item)

    assert caught.value.code == "datastore_item_expired"
    assert "01/03/2026" in caught.value.render()
    assert state(dossier) == before


def test_an_item_valid_until_today_is_still_accepted(reuse_world: World) -> None:
    w = reuse_world
    item = _item(w.citizen, until=dt.date(2026, 3, 2))
    dossier = submitted(w)
    assert _reuse(dossier, w.citizen, item).file_id == item.file_id


def test_a_paper_of_another_kind_is_refused(reuse_world: World) -> None:
    w = reuse_world
    item = _item(w.citizen, kind="birth_certificate")
    dossier = submitted(w)
    before = state(dossier)
    with pytest.raises(ValidationError) as caught:
        _reuse(dossier, w.citizen, item)
    assert caught.value.code == "datastore_kind_mismatch"
    assert state(dossier) == before


def test_a_component_without_a_kind_takes_only_its_own_earlier_filing(reuse_world: World) -> None:
    w = reuse_world
    own = _item(w.citizen, kind=f"{w.version.procedure.code}/TP2")
    dossier = submitted(w)
    assert _reuse(dossier, w.citizen, own, component="TP2").component_code == "TP2"
    with pytest.raises(ValidationError) as caught:
        _reuse(dossier, w.citizen, own, component="TP1")
    assert caught.value.code == "datastore_kind_mismatch"


def test_the_same_item_twice_is_a_conflict(reuse_world: World) -> None:
    w = reuse_world
    item = _item(w.citizen)
    dossier = submitted(w)
    _reuse(dossier, w.citizen, item)
    before = state(dossier)
    with pytest.raises(Conflict) as caught:
        _reuse(dossier, w.citizen, item)
    assert caught.value.code == "datastore_item_already_attached"
    assert state(dossier) == before


def test_a_closed_dossier_refuses_reuse(reuse_world: World) -> None:
    w = reuse_world
    item = _item(w.citizen)
    dossier = submitted(w)
    dossier = dossier_withdraw(dossier=dossier, actor=w.citizen, reason="Không cần", now=MON)
    before = state(dossier)
    with pytest.raises(IllegalTransition) as caught:
        _reuse(dossier, w.citizen, item)
    assert caught.value.code == "files_locked"
    assert state(dossier) == before


def test_a_stranger_may_not_reuse(reuse_world: World) -> None:
    w = reuse_world
    item = _item(w.citizen)
    dossier = submitted(w)
    with pytest.raises(PermissionDenied):
        _reuse(dossier, w.other_citizen, item)


def test_the_officer_reuses_the_applicants_paper_at_the_counter_and_the_read_is_logged(
    reuse_world: World,
) -> None:
    w = reuse_world
    item = _item(w.citizen)
    dossier = received(w, applicant_id_number=w.citizen.personal_id)

    link = _reuse(dossier, w.officer, item)

    assert link.added_by == w.officer
    log = DataAccessLog.objects.get(subject_type="datastore_item")
    assert (log.actor, log.subject_id, log.purpose) == (w.officer, str(item.pk), "component_reuse")


def test_uploaded_components_enter_the_owners_store_at_reception(reuse_world: World) -> None:
    w = reuse_world
    dossier = submitted(w)
    link = dossier_file_add(
        dossier=dossier,
        actor=w.citizen,
        component="TP3",
        upload=io.BytesIO(pdf_bytes()),
        name="cccd.pdf",
        now=LATER,
    )
    assert DossierComponentSource.objects.get(file=link).source == ComponentSource.UPLOADED
    # not before the one-stop accepted it
    assert not DataStoreItem.objects.exists()

    dossier_receive(dossier=dossier, actor=w.officer, now=LATER + dt.timedelta(minutes=1))

    item = DataStoreItem.objects.get()
    assert (item.owner_key, item.kind, item.title, item.file_id, item.origin) == (
        w.citizen.personal_id,
        "identity_card",
        "Thẻ căn cước",
        link.file_id,
        DataStoreOrigin.COMPONENT,
    )
    assert item.source_dossier_code == dossier.code
    assert item.valid_until is None

    # and a later dossier of another procedure asking for the same kind reuses it
    second = submitted(w, now=LATER + dt.timedelta(hours=1))
    assert _reuse(second, w.citizen, item).file_id == link.file_id


def test_a_file_added_after_reception_enters_the_store_at_once(reuse_world: World) -> None:
    w = reuse_world
    dossier = received(w, applicant_id_number=w.citizen.personal_id)
    link = dossier_file_add(
        dossier=dossier,
        actor=w.officer,
        component="TP1",
        upload=io.BytesIO(pdf_bytes()),
        name="to khai.pdf",
        now=LATER,
    )
    item = DataStoreItem.objects.get(file=link.file)
    assert item.kind == f"{w.version.procedure.code}/TP1"
    assert item.owner_key == w.citizen.personal_id


def test_filed_for_someone_else_the_papers_are_the_principals(reuse_world: World) -> None:
    w = reuse_world
    principal = w.other_citizen.personal_id
    dossier = submitted(
        w,
        representative={
            "principal_name": "Trần Thị Bình",
            "principal_id_number": principal,
            "relationship": "mẹ",
        },
    )
    # the representative's own identity card is not the principal's
    mine = _item(w.citizen)
    with pytest.raises(NotFound):
        _reuse(dossier, w.citizen, mine)
    dossier_file_add(
        dossier=dossier,
        actor=w.citizen,
        component="TP3",
        upload=io.BytesIO(pdf_bytes()),
        name="cccd.pdf",
        now=LATER,
    )
    dossier_receive(dossier=dossier, actor=w.officer, now=LATER)
    assert DataStoreItem.objects.filter(owner_key=principal).count() == 1


def test_an_item_not_yet_valid_is_refused(reuse_world: World) -> None:
    w = reuse_world
    stored = file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="cccd.pdf", now=MON)
    item = datastore_item_add(
        owner_key=w.citizen.personal_id,
        kind="identity_card",
        title="Thẻ căn cước mới",
        valid_from=dt.date(2026, 3, 3),
        file=stored,
        now=MON,
    )
    dossier = submitted(w)
    before = state(dossier)
    with pytest.raises(ValidationError) as caught:
        _reuse(dossier, w.citizen, item)
    assert caught.value.code == "datastore_item_not_yet_valid"
    assert state(dossier) == before
