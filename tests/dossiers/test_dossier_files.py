"""Files of a dossier: who may add one when, the component's limits, the event, the read."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from motcua.catalog.models import Component
from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from motcua.core.models import DataAccessLog, OutboxMessage
from motcua.documents.models import StoredFile
from motcua.dossiers.models import DossierEvent, DossierFile, DossierStatus
from motcua.dossiers.selectors import dossier_file_get_for_actor, dossier_files
from motcua.dossiers.services import dossier_file_add, dossier_receive, dossier_withdraw
from motcua.dossiers.services.suspensions import dossier_request_supplement
from tests.documents.samples import image_bytes, pdf_bytes, stored_names

from .helpers import MON, World, processing, state, submitted

LATER = MON + dt.timedelta(minutes=5)


def _add(dossier, actor, *, component="TP1", data=None, name="to khai.pdf"):  # type: ignore[no-untyped-def]
    return dossier_file_add(
        dossier=dossier,
        actor=actor,
        component=component,
        upload=io.BytesIO(pdf_bytes() if data is None else data),
        name=name,
        now=LATER,
    )


def _nothing_stored() -> None:
    assert StoredFile.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert stored_names() == []


def test_the_applicant_adds_a_file_to_a_registered_dossier(world: World) -> None:
    # given a dossier the citizen just filed (version 1)
    dossier = submitted(world)
    outbox = OutboxMessage.objects.count()

    # when the citizen adds the form's PDF
    link = _add(dossier, world.citizen)

    # then the file is linked, the version bumped and the change recorded
    assert (link.kind, link.component_code, link.added_by, link.added_at) == (
        "component",
        "TP1",
        world.citizen,
        LATER,
    )
    assert link.file.content_type == "application/pdf"
    assert dossier.version == 2
    event = DossierEvent.objects.get(dossier=dossier, seq=2)
    assert event.action == "file_add"
    assert event.actor_role == "applicant"
    assert event.after == {
        "file": link.file.pk,
        "component": "TP1",
        "name": "to khai.pdf",
        "sha256": link.file.sha256,
    }
    assert (event.status_before, event.status_after) == (1, 1)
    assert OutboxMessage.objects.count() == outbox + 1
    assert OutboxMessage.objects.latest("id").topic == "dossier.file_add"
    assert list(dossier_files(dossier=dossier)) == [link]


def test_the_applicant_may_add_while_a_supplement_is_asked(world: World) -> None:
    dossier = submitted(world)
    dossier = dossier_request_supplement(
        dossier=dossier,
        actor=world.officer,
        items=[{"component": "TP2", "reason": "Thiếu"}],
        now=MON + dt.timedelta(minutes=1),
    )
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED

    link = _add(dossier, world.citizen, component="TP2", data=image_bytes("JPEG"), name="a.jpg")

    assert link.file.content_type == "image/jpeg"


def test_the_applicant_may_not_add_once_received(world: World) -> None:
    dossier = dossier_receive(dossier=submitted(world), actor=world.officer, now=MON)
    before = state(dossier)

    with pytest.raises(IllegalTransition) as caught:
        _add(dossier, world.citizen)

    assert caught.value.code == "files_locked"
    assert caught.value.status == 409
    assert state(dossier) == before
    _nothing_stored()


def test_an_officer_of_the_unit_adds_while_processing(world: World) -> None:
    dossier = processing(world)

    link = _add(dossier, world.specialist, component="TP2")

    assert link.added_by == world.specialist
    assert DossierEvent.objects.filter(dossier=dossier, action="file_add").get().actor_role == (
        "specialist"
    )


def test_no_one_adds_to_a_finished_dossier(world: World) -> None:
    dossier = dossier_withdraw(dossier=submitted(world), actor=world.citizen, reason="x", now=MON)
    before = state(dossier)

    with pytest.raises(IllegalTransition):
        _add(dossier, world.officer)

    assert state(dossier) == before
    _nothing_stored()


@pytest.mark.parametrize("who", ["other_citizen", "other_officer", "supervisor", "stranger"])
def test_others_may_not_add(world: World, who: str) -> None:
    dossier = submitted(world)
    before = state(dossier)

    with pytest.raises(PermissionDenied):
        _add(dossier, getattr(world, who))

    assert state(dossier) == before
    _nothing_stored()


def test_the_component_must_be_one_of_the_version(world: World) -> None:
    dossier = submitted(world)
    before = state(dossier)

    with pytest.raises(ValidationError) as caught:
        _add(dossier, world.citizen, component="TP9")

    assert caught.value.code == "unknown_component"
    assert caught.value.errors == [
        {
            "field": "component",
            "code": "unknown_component",
            "message": "Thành phần hồ sơ “TP9” không thuộc thủ tục của hồ sơ này.",
        }
    ]
    assert state(dossier) == before
    _nothing_stored()


def test_the_components_types_and_limit_apply(world: World) -> None:
    Component.objects.filter(version=world.version, code="TP1").update(
        allowed_types=["application/pdf"], max_bytes=2_000
    )
    dossier = submitted(world)
    before = state(dossier)

    with pytest.raises(ValidationError) as wrong_type:
        _add(dossier, world.citizen, data=image_bytes("PNG"))
    with pytest.raises(ValidationError) as too_large:
        _add(dossier, world.citizen, data=pdf_bytes(padding=3_000))

    assert wrong_type.value.code == "file_type_not_allowed"
    assert wrong_type.value.render() == "Loại tệp không được chấp nhận: chỉ nhận PDF."
    assert too_large.value.code == "file_too_large"
    assert state(dossier) == before
    _nothing_stored()


def test_a_failure_after_storing_removes_the_bytes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = submitted(world)
    before = state(dossier)

    def boom(**kw: object) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr("motcua.dossiers.services.files.commit_change", boom)
    with pytest.raises(RuntimeError):
        _add(dossier, world.citizen)

    assert state(dossier) == before
    _nothing_stored()


def test_a_staff_read_of_a_file_is_logged_the_applicants_is_not(world: World) -> None:
    dossier = submitted(world)
    link = _add(dossier, world.citizen)

    own = dossier_file_get_for_actor(actor=world.citizen, file_id=link.file.pk, now=LATER)
    assert own == link
    assert DataAccessLog.objects.count() == 0

    dossier_file_get_for_actor(actor=world.officer, file_id=link.file.pk, now=LATER)
    row = DataAccessLog.objects.get()
    assert (row.actor, row.subject_type, row.subject_id, row.purpose) == (
        world.officer,
        "file",
        str(link.file.pk),
        "file_download",
    )


@pytest.mark.parametrize("who", ["other_citizen", "other_officer", "stranger"])
def test_a_file_of_a_dossier_one_may_not_see_is_not_found(world: World, who: str) -> None:
    link = _add(submitted(world), world.citizen)

    with pytest.raises(NotFound):
        dossier_file_get_for_actor(actor=getattr(world, who), file_id=link.file.pk, now=LATER)
    with pytest.raises(NotFound):
        dossier_file_get_for_actor(actor=world.citizen, file_id=link.file.pk + 1, now=LATER)
    assert DataAccessLog.objects.count() == 0


def test_scanned_pages_become_one_pdf_of_the_component(world: World) -> None:
    dossier = submitted(world)
    pages = [io.BytesIO(image_bytes("JPEG", size=(10 + i, 20))) for i in range(4)]

    link = dossier_file_add(
        dossier=dossier, actor=world.citizen, component="TP1", upload=pages, name=None, now=LATER
    )

    assert (link.file.content_type, link.file.pages, link.file.name) == (
        "application/pdf",
        4,
        "tep.pdf",
    )
    assert dossier.version == 2


def test_scanned_pages_need_a_component_that_takes_pdf(world: World) -> None:
    Component.objects.filter(version=world.version, code="TP1").update(allowed_types=["image/jpeg"])
    dossier = submitted(world)
    before = state(dossier)

    with pytest.raises(ValidationError) as caught:
        dossier_file_add(
            dossier=dossier,
            actor=world.citizen,
            component="TP1",
            upload=[io.BytesIO(image_bytes("JPEG")), io.BytesIO(image_bytes("JPEG"))],
            now=LATER,
        )

    assert caught.value.code == "file_type_not_allowed"
    assert state(dossier) == before
    _nothing_stored()


def test_the_dossier_admin_shows_its_files_and_the_event(world: World) -> None:
    from django.test import Client

    from tests.factories import UserFactory

    dossier = submitted(world)
    link = _add(dossier, world.citizen)
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    page = client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/").content.decode()

    assert "Tệp của hồ sơ" in page
    assert "to khai.pdf" in page
    assert link.file.sha256 in page  # the file_add event's after
    assert link.file.storage_name not in page
