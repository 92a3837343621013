"""Online applications being written (motcua.dossiers.services.drafts): prefilled, saved at
every step, components uploaded / reused / national data, submitted once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import OnlineLevel, ProcedureVersion
from motcua.core.errors import NotFound, ValidationError
from motcua.core.models import DataAccessLog
from motcua.documents.models import DataStoreItem, NationalDemoRecord, StoredFile
from motcua.dossiers.models import (
    ApplicationDraft,
    ComponentSource,
    Dossier,
    DossierComponentSource,
    DossierEvent,
    DossierStatus,
    DraftStatus,
)
from motcua.dossiers.selectors import draft_get_for_actor
from motcua.dossiers.services import (
    draft_attach_file,
    draft_reuse_item,
    draft_save_step,
    draft_start,
    draft_submit,
    draft_use_national_data,
)
from motcua.dossiers.services.drafts import (
    draft_problems,
    draft_resume_step,
    draft_steps,
    eform_pages,
)
from tests.documents.samples import pdf_bytes

from .drafts_world import LATER, apply_world
from .factories import ProcedureVersionFactory
from .helpers import MON, World

__all__ = ["apply_world"]


def _pdf(name: str = "chung-sinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _item(w: World) -> DataStoreItem:
    return DataStoreItem.objects.get(owner_key=w.citizen.personal_id)


def _complete(w: World) -> ApplicationDraft:
    """A draft with every step answered: for myself, at the ward, the form, TP1 reused, TP2
    uploaded, TP3 not filed, result at the counter."""
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    c = w.citizen
    draft_save_step(draft=draft, actor=c, step="who", data={"for_someone_else": False}, now=MON)
    draft_save_step(
        draft=draft, actor=c, step="place", data={"receiving_unit": str(w.ward.pk)}, now=MON
    )
    draft_save_step(draft=draft, actor=c, step="form-1", data={"request": "Cấp bản sao"}, now=MON)
    draft_reuse_item(draft=draft, actor=c, component_code="TP1", item_id=_item(w).pk, now=MON)
    draft_attach_file(draft=draft, actor=c, component_code="TP2", upload=_pdf(), now=MON)
    draft_save_step(draft=draft, actor=c, step="component-TP3", data={"choice": "none"}, now=MON)
    draft_save_step(
        draft=draft, actor=c, step="delivery", data={"result_delivery": "counter"}, now=MON
    )
    draft_save_step(draft=draft, actor=c, step="fees", data={}, now=MON)
    return draft


# --- the journey's shape and prefill ------------------------------------------------------


def test_the_steps_follow_the_procedure(apply_world: World) -> None:
    draft = draft_start(actor=apply_world.citizen, procedure_version=apply_world.version, now=MON)
    assert [s.key for s in draft_steps(draft)] == [
        "who",
        "place",
        "form-1",
        "component-TP1",
        "component-TP2",
        "component-TP3",
        "delivery",
        "fees",
        "check",
    ]


def test_a_long_form_is_cut_at_its_field_groups() -> None:
    def f(name: str) -> dict[str, Any]:
        return {"name": name, "label": name}

    names = ["full_name", "phone", "email", "relationship", "address"]
    names += [f"child_{n}" for n in ("name", "birth", "gender")]
    names += [f"mother_{n}" for n in ("name", "birth", "id", "residence")]
    version = ProcedureVersion(eform={"fields": [f(n) for n in names]})
    pages = [[s["name"] for s in page] for page in eform_pages(version)]
    assert pages == [names[:5], names[5:8], names[8:]]


def test_a_new_draft_is_prefilled_from_the_verified_identity(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    assert draft.form_data == {
        "full_name": "Nguyễn Văn An",
        "personal_id": w.citizen.personal_id,
        "phone": w.citizen.phone,
    }
    assert draft.step == "who"
    assert draft.status == DraftStatus.EDITING


def test_a_returning_citizen_types_nothing_they_typed_before(apply_world: World) -> None:
    w = apply_world
    first = _complete(w)
    draft_save_step(
        draft=first,
        actor=w.citizen,
        step="delivery",
        data={"result_delivery": "post", "delivery_address": "5 Lý Thái Tổ, Hà Nội"},
        now=MON,
    )
    draft_submit(draft=first, actor=w.citizen, declaration=True, now=MON)

    again = draft_start(actor=w.citizen, procedure_version=w.version, now=LATER)

    assert again.pk != first.pk
    assert again.form_data["request"] == "Cấp bản sao"  # from the last dossier
    assert again.receiving_unit == w.ward  # where they filed last time
    assert again.result_delivery == "post"
    assert again.delivery_address == "5 Lý Thái Tổ, Hà Nội"


def test_starting_again_resumes_the_open_draft(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    draft_save_step(
        draft=draft, actor=w.citizen, step="who", data={"for_someone_else": False}, now=MON
    )

    again = draft_start(actor=w.citizen, procedure_version=w.version, now=LATER)

    assert again.pk == draft.pk
    assert draft_resume_step(again) == "place"
    assert ApplicationDraft.objects.count() == 1


def test_a_procedure_not_offered_online_is_refused(apply_world: World) -> None:
    version = ProcedureVersionFactory(online_level=OnlineLevel.NONE)
    with pytest.raises(ValidationError) as caught:
        draft_start(actor=apply_world.citizen, procedure_version=version, now=MON)
    assert caught.value.code == "online_not_allowed"
    assert ApplicationDraft.objects.count() == 0


# --- saving steps -------------------------------------------------------------------------


def test_an_invalid_id_number_is_refused_and_what_was_typed_is_kept(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)

    with pytest.raises(ValidationError) as caught:
        draft_save_step(
            draft=draft,
            actor=w.citizen,
            step="form-1",
            data={"request": "Cấp bản sao", "spouse_id": "12345"},
            now=MON,
        )

    assert [e["field"] for e in caught.value.errors] == ["spouse_id"]
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert stored.form_data["request"] == "Cấp bản sao"
    assert stored.form_data["spouse_id"] == "12345"
    assert "form-1" not in stored.steps_done
    assert stored.step == "form-1"


def test_a_valid_page_moves_on(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    draft_save_step(
        draft=draft, actor=w.citizen, step="form-1", data={"request": "Cấp bản sao"}, now=MON
    )
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert stored.step == "component-TP1"
    assert stored.steps_done == ["form-1"]


def test_a_locked_value_cannot_be_changed(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    # the page does not show an input for a verified value: one posted anyway is ignored
    draft_save_step(
        draft=draft,
        actor=w.citizen,
        step="form-1",
        data={"full_name": "Người Khác", "request": "x"},
        now=MON,
    )
    assert ApplicationDraft.objects.get(pk=draft.pk).form_data["full_name"] == "Nguyễn Văn An"


def test_filing_for_someone_else_checks_the_principal(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    with pytest.raises(ValidationError) as caught:
        draft_save_step(
            draft=draft,
            actor=w.citizen,
            step="who",
            data={
                "for_someone_else": True,
                "representative": {"principal_name": "Trần Thị Bình", "principal_id_number": "99"},
            },
            now=MON,
        )
    fields = {e["field"] for e in caught.value.errors}
    assert "representative.principal_id_number" in fields
    assert "representative.authorisation_document" in fields

    draft_save_step(
        draft=draft,
        actor=w.citizen,
        step="who",
        data={
            "for_someone_else": True,
            "representative": {
                "principal_name": "Trần Thị Bình",
                "principal_id_number": w.other_citizen.personal_id,
                "relationship": "mẹ",
            },
        },
        now=MON,
    )
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert stored.for_someone_else is True
    assert stored.representative["principal_id_number"] == w.other_citizen.personal_id
    assert "who" in stored.steps_done


def test_a_wrong_file_type_is_refused_and_the_draft_keeps_everything(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    draft_reuse_item(
        draft=draft, actor=w.citizen, component_code="TP1", item_id=_item(w).pk, now=MON
    )
    files = StoredFile.objects.count()
    png = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")

    with pytest.raises(ValidationError) as caught:
        draft_attach_file(draft=draft, actor=w.citizen, component_code="TP2", upload=png, now=MON)

    assert caught.value.code == "file_type_not_allowed"
    assert StoredFile.objects.count() == files
    assert ApplicationDraft.objects.get(pk=draft.pk).components == {
        "TP1": {"source": "reused", "item": _item(w).pk, "name": "Thẻ căn cước"}
    }


def test_a_missing_mandatory_component_is_refused(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    with pytest.raises(ValidationError) as caught:
        draft_save_step(draft=draft, actor=w.citizen, step="component-TP2", data={}, now=MON)
    assert caught.value.code == "component_missing"
    with pytest.raises(ValidationError):
        draft_save_step(
            draft=draft, actor=w.citizen, step="component-TP2", data={"choice": "none"}, now=MON
        )
    problems = draft_problems(draft=ApplicationDraft.objects.get(pk=draft.pk), now=MON)
    assert [p["step"] for p in problems if p["code"] == "component_missing"] == [
        "component-TP1",
        "component-TP2",
    ]


def test_someone_elses_item_is_not_found(apply_world: World) -> None:
    w = apply_world
    w.other_citizen.identity_verified_at = MON
    w.other_citizen.save()
    draft = draft_start(actor=w.other_citizen, procedure_version=w.version, now=MON)
    with pytest.raises(NotFound):
        draft_reuse_item(
            draft=draft, actor=w.other_citizen, component_code="TP1", item_id=_item(w).pk, now=MON
        )


def test_national_data_only_where_the_catalog_allows(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    with pytest.raises(ValidationError) as caught:
        draft_use_national_data(draft=draft, actor=w.citizen, component_code="TP2", now=MON)
    assert caught.value.code == "national_data_not_accepted"
    draft_use_national_data(draft=draft, actor=w.citizen, component_code="TP1", now=MON)
    assert ApplicationDraft.objects.get(pk=draft.pk).components["TP1"]["source"] == "national_data"


def test_someone_elses_draft_is_not_found_and_the_attempt_logged(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    with pytest.raises(NotFound):
        draft_get_for_actor(actor=w.other_citizen, draft_id=draft.pk, now=MON)
    log = DataAccessLog.objects.get()
    assert (log.actor_id, log.subject_type, log.subject_id, log.purpose) == (
        w.other_citizen.pk,
        "application_draft",
        str(draft.pk),
        "draft_view",
    )
    with pytest.raises(NotFound):
        draft_save_step(
            draft=draft,
            actor=w.other_citizen,
            step="who",
            data={"for_someone_else": False},
            now=MON,
        )
    assert ApplicationDraft.objects.get(pk=draft.pk).for_someone_else is None


# --- submit -------------------------------------------------------------------------------


def test_submit_files_the_dossier_with_every_component_in_one_go(apply_world: World) -> None:
    w = apply_world
    draft = _complete(w)

    dossier = draft_submit(draft=draft, actor=w.citizen, declaration=True, now=LATER)

    assert dossier.status == DossierStatus.REGISTERED
    assert dossier.applicant == w.citizen
    assert dossier.receiving_unit == w.ward
    assert dossier.form_data == {
        "full_name": "Nguyễn Văn An",
        "personal_id": w.citizen.personal_id,
        "phone": w.citizen.phone,
        "request": "Cấp bản sao",
    }
    sources = {
        s.component_code: s.source for s in DossierComponentSource.objects.filter(dossier=dossier)
    }
    assert sources == {"TP1": ComponentSource.REUSED, "TP2": ComponentSource.UPLOADED}
    assert list(
        DossierEvent.objects.filter(dossier=dossier)
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["submit", "component_reuse", "file_add"]
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert (stored.status, stored.dossier_id, stored.submitted_at) == (
        DraftStatus.SUBMITTED,
        dossier.pk,
        LATER,
    )


def test_a_double_submit_gives_one_dossier(apply_world: World) -> None:
    w = apply_world
    draft = _complete(w)
    first = draft_submit(draft=draft, actor=w.citizen, declaration=True, now=LATER)
    stale = ApplicationDraft.objects.get(pk=draft.pk)
    stale.status = DraftStatus.EDITING  # a second request holding the page from before
    second = draft_submit(draft=stale, actor=w.citizen, declaration=True, now=LATER)
    assert second.pk == first.pk
    assert Dossier.objects.count() == 1


def test_submit_with_national_data_fetches_the_record(apply_world: World) -> None:
    w = apply_world
    draft = _complete(w)
    draft_use_national_data(draft=draft, actor=w.citizen, component_code="TP1", now=MON)
    dossier = draft_submit(draft=draft, actor=w.citizen, declaration=True, now=LATER)
    source = DossierComponentSource.objects.get(dossier=dossier, component_code="TP1")
    assert (source.source, source.record_reference) == (ComponentSource.NATIONAL_DATA, "DC-42")


def test_submit_needs_the_declaration_and_nothing_is_filed(apply_world: World) -> None:
    w = apply_world
    draft = _complete(w)
    with pytest.raises(ValidationError) as caught:
        draft_submit(draft=draft, actor=w.citizen, declaration=False, now=LATER)
    assert caught.value.code == "declaration_required"
    assert Dossier.objects.count() == 0
    assert ApplicationDraft.objects.get(pk=draft.pk).status == DraftStatus.EDITING


def test_an_incomplete_draft_is_not_submitted(apply_world: World) -> None:
    w = apply_world
    draft = draft_start(actor=w.citizen, procedure_version=w.version, now=MON)
    with pytest.raises(ValidationError) as caught:
        draft_submit(draft=draft, actor=w.citizen, declaration=True, now=LATER)
    steps = {e["step"] for e in caught.value.errors}
    assert {"who", "place", "form-1", "component-TP1", "component-TP2", "delivery"} == steps
    assert Dossier.objects.count() == 0


def test_a_failure_while_filing_leaves_no_dossier(apply_world: World) -> None:
    """One transaction: a component refused at submit (the national record is gone) rolls
    the dossier back; the draft is still there to fix."""
    w = apply_world
    draft = _complete(w)
    draft_use_national_data(draft=draft, actor=w.citizen, component_code="TP1", now=MON)
    NationalDemoRecord.objects.all().delete()
    with pytest.raises(Exception) as caught:
        draft_submit(draft=draft, actor=w.citizen, declaration=True, now=LATER)
    assert getattr(caught.value, "code", "") == "national_record_not_found"
    assert Dossier.objects.count() == 0
    assert ApplicationDraft.objects.get(pk=draft.pk).status == DraftStatus.EDITING
