"""The catalog admin writes through the services: a published version is read-only, every
change leaves an audit event and bumps the catalog cache."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.catalog import edits
from motcua.catalog.admin import VERSION_FIELDSETS
from motcua.catalog.models import Field, LifeEvent, Procedure, ProcedureVersion, ProcessStep
from motcua.catalog.schema import VERSION_FIELDS
from motcua.catalog.services import catalog_import, life_events_ensure
from motcua.core.models import AuditEvent
from tests.catalog.factories import document, procedure_doc
from tests.catalog.formdata import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        username="quantri", password="x", email="qt@example.vn"
    )
    client.force_login(user)
    return client


@pytest.fixture
def bumps(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(edits, "catalog_cache_invalidate", lambda: calls.append("bump"))
    return calls


def _version(status: str) -> ProcedureVersion:
    return ProcedureVersion.objects.get(status=status)


def _change_url(version: ProcedureVersion) -> str:
    return reverse("admin:catalog_procedureversion_change", args=[version.pk])


def _snapshot(version: ProcedureVersion) -> tuple:
    version.refresh_from_db()
    return (
        [getattr(version, f) for f in VERSION_FIELDS],
        list(version.components.values_list("code", "name", "accepted_forms")),
        list(version.steps.values_list("order", "name", "allotment_hours")),
        list(version.fees.values_list("name", "amount_vnd")),
    )


def test_a_published_version_is_shown_read_only_with_a_new_draft_button(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    version = _version("published")

    page = admin_client.get(_change_url(version)).content.decode()

    assert 'name="_save"' not in page
    assert 'name="legal_basis"' not in page
    assert 'name="steps-0-allotment_hours"' not in page
    assert 'name="components-0-accepted_forms"' not in page
    assert "Tạo dự thảo mới từ phiên bản này" in page
    assert "chỉ để xem, không sửa được" in page
    assert "Khai thác từ cơ sở dữ liệu quốc gia; Bản chính để đối chiếu" in page


def test_posting_to_a_published_version_is_refused_and_nothing_changes(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    version = _version("published")
    before = _snapshot(version)
    events = AuditEvent.objects.count()

    response = admin_client.post(
        _change_url(version),
        {"legal_basis": "Luật mới", "counter_time": "1", "time_unit": "working_days"},
    )

    assert response.status_code == 403
    assert _snapshot(version) == before
    assert AuditEvent.objects.count() == events


def test_a_published_version_cannot_be_deleted_in_the_admin(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    version = _version("published")
    url = reverse("admin:catalog_procedureversion_delete", args=[version.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert ProcedureVersion.objects.filter(pk=version.pk).exists()


def test_the_new_draft_button_copies_this_version(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    version = _version("published")

    response = admin_client.post(
        reverse("admin:catalog_procedureversion_new_draft", args=[version.pk])
    )

    draft = _version("draft")
    assert response.status_code == 302
    assert response["Location"] == _change_url(draft)
    assert (draft.number, draft.legal_basis) == (2, version.legal_basis)
    assert draft.steps.count() == 5
    event = AuditEvent.objects.get(action="procedure_version.create_draft")
    assert (event.object_id, event.after, event.actor.username) == (
        "1.001022 v2",
        {"copied_from": "v1"},
        "quantri",
    )
    assert (
        admin_client.get(
            reverse("admin:catalog_procedureversion_new_draft", args=[version.pk])
        ).status_code
        == 405
    )


def test_editing_a_draft_goes_through_the_services_with_audit_events(admin_client, now, bumps):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = _version("draft")
    url = _change_url(version)
    data = form_data(admin_client.get(url).content.decode(), "procedureversion_form")
    data["legal_basis"] = "Luật Hộ tịch 2014\nNghị định 120/2025/NĐ-CP"
    data["supplement_restarts_clock"] = "on"
    data["steps-2-allotment_hours"] = "10"
    data["fees-0-DELETE"] = "on"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    version.refresh_from_db()
    assert version.legal_basis == ["Luật Hộ tịch 2014", "Nghị định 120/2025/NĐ-CP"]
    assert version.supplement_restarts_clock is True
    assert version.steps.get(order=3).allotment_hours == Decimal(10)
    assert not version.fees.exists()
    events = {e.action: e for e in AuditEvent.objects.filter(actor__username="quantri")}
    assert set(events) == {"procedure_version.update", "process_step.update", "fee.delete"}
    update = events["procedure_version.update"]
    assert update.object_id == "1.001022 v1"
    assert update.before == {
        "supplement_restarts_clock": False,
        "legal_basis": ["Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"],
    }
    assert update.after["supplement_restarts_clock"] is True
    assert events["process_step.update"].before == {"allotment_hours": "12.00"}
    assert events["process_step.update"].after == {"allotment_hours": "10"}
    assert events["fee.delete"].before["name"] == "Lệ phí"
    assert len(bumps) == 3


def test_the_eform_is_edited_as_rows_and_as_raw_json(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = _version("draft")
    url = _change_url(version)
    page = admin_client.get(url).content.decode()
    assert 'name="eform-0-name" value="full_name"' in page
    data = form_data(page, "procedureversion_form")
    data.update(
        {
            "eform-1-name": "gender",
            "eform-1-label": "Giới tính",
            "eform-1-type": "choice",
            "eform-1-required": "on",
            "eform-1-choices": "nam | Nam\nnu | Nữ",
            "eform-2-name": "note",
            "eform-2-label": "Ghi chú",
            "eform-2-type": "textarea",
        }
    )

    assert admin_client.post(url, data).status_code == 302

    version.refresh_from_db()
    assert version.eform == {
        "fields": [
            {
                "name": "full_name",
                "label": "Họ và tên",
                "type": "text",
                "required": True,
                "prefill": "profile.full_name",
            },
            {
                "name": "gender",
                "label": "Giới tính",
                "type": "choice",
                "required": True,
                "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
            },
            {"name": "note", "label": "Ghi chú", "type": "textarea", "required": False},
        ]
    }

    data = form_data(admin_client.get(url).content.decode(), "procedureversion_form")
    data["eform-raw"] = json.dumps({"fields": [{"name": "x", "label": "X", "type": "date"}]})
    assert admin_client.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.eform == {"fields": [{"name": "x", "label": "X", "type": "date"}]}


def test_a_malformed_raw_eform_is_refused_and_nothing_changes(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = _version("draft")
    before = _snapshot(version)
    url = _change_url(version)
    data = form_data(admin_client.get(url).content.decode(), "procedureversion_form")
    data["eform-raw"] = '{"fields": [{"label": "no name"}]}'

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "cần có tên và nhãn" in response.content.decode()
    assert _snapshot(version) == before


def test_the_page_shows_the_steps_against_the_legal_time(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = _version("draft")
    page = admin_client.get(_change_url(version)).content.decode()
    assert "Các bước cộng lại 24 giờ làm việc, trong thời hạn 24 giờ làm việc" in page
    assert 'data-limit="24"' in page
    assert "catalog/timefit.js" in page

    ProcessStep.objects.filter(version=version, order=3).update(allotment_hours=20)
    page = admin_client.get(_change_url(version)).content.decode()
    assert "VƯỢT thời hạn 24 giờ làm việc (8 giờ)" in page
    assert page.count('class="step-over"') == 2  # step 3 ends at hour 24; 4 and 5 after


def test_every_version_field_is_on_the_page_once():
    def flat(items):
        for item in items:
            yield from (item if isinstance(item, tuple) else (item,))

    shown = [f for _title, opts in VERSION_FIELDSETS for f in flat(opts["fields"])]
    assert len(shown) == len(set(shown))
    assert set(VERSION_FIELDS) <= set(shown)


def test_adding_a_version_makes_the_next_draft(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    procedure = Procedure.objects.get()
    add = reverse("admin:catalog_procedureversion_add")
    data = form_data(admin_client.get(add).content.decode(), "procedureversion_form")
    data.update(
        {
            "procedure": str(procedure.pk),
            "valid_from": "01/04/2026",
            "time_unit": "working_days",
            "counter_time": "2",
            "supplement_wait_days": "15",
        }
    )

    response = admin_client.post(add, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    draft = _version("draft")
    assert (draft.number, draft.status, draft.counter_time) == (2, "draft", Decimal(2))
    assert AuditEvent.objects.get(action="procedure_version.create").object_id == "1.001022 v2"
    again = admin_client.post(add, data)
    assert again.status_code == 200
    assert "đã có phiên bản dự thảo số 2" in again.content.decode()


def test_a_field_name_exists_once_whatever_its_spelling(admin_client, now):
    Field.objects.create(code="HO_TICH", name="Hộ tịch")
    add = reverse("admin:catalog_field_add")

    response = admin_client.post(add, {"code": "HOTICH2", "name": "  HỘ   tich ", "name_en": ""})

    assert response.status_code == 200
    assert "Đã có lĩnh vực HO_TICH" in response.content.decode()
    assert list(Field.objects.values_list("code", flat=True)) == ["HO_TICH"]
    response = admin_client.post(add, {"code": "DAT_DAI", "name": "Đất  đai", "name_en": ""})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="field.create")
    assert (event.object_id, event.after["name"]) == ("DAT_DAI", "Đất đai")


def test_a_field_in_use_cannot_be_deleted(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    field = Field.objects.get(code="HO_TICH")
    url = reverse("admin:catalog_field_delete", args=[field.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    unused = Field.objects.get(code="CHUNG_THUC")
    url = reverse("admin:catalog_field_delete", args=[unused.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.get(action="field.delete").object_id == "CHUNG_THUC"
    assert not Field.objects.filter(code="CHUNG_THUC").exists()


def test_saving_a_procedure_records_the_change_and_its_search_text(admin_client, now):
    catalog_import(document=document(procedure_doc()), now=now)
    procedure = Procedure.objects.get()
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    data = form_data(admin_client.get(url).content.decode(), "procedure_form")
    data["name"] = "Đăng ký nhận cha, mẹ, con (mới)"

    assert admin_client.post(url, data).status_code == 302

    procedure.refresh_from_db()
    assert "dang ky nhan cha, me, con (moi)" in procedure.search_text
    event = AuditEvent.objects.get(action="procedure.update")
    assert event.after == {"name": "Đăng ký nhận cha, mẹ, con (mới)"}
    delete = reverse("admin:catalog_procedure_delete", args=[procedure.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Procedure.objects.filter(pk=procedure.pk).exists()


def test_a_draft_is_published_from_its_page_with_the_same_checks(admin_client, now):
    catalog_import(document=document(procedure_doc(status="draft")), now=now)
    version = _version("draft")
    ProcessStep.objects.filter(version=version, order=3).update(allotment_hours=20)
    url = reverse("admin:catalog_procedureversion_publish", args=[version.pk])
    assert "Công bố phiên bản này" in admin_client.get(_change_url(version)).content.decode()

    refused = admin_client.post(url, follow=True).content.decode()

    assert "Bước 4 kết thúc ở giờ làm việc thứ 32" in refused
    version.refresh_from_db()
    assert version.status == "draft"
    ProcessStep.objects.filter(version=version, order=3).update(allotment_hours=12)
    admin_client.post(url)
    version.refresh_from_db()
    assert version.status == "published"
    assert AuditEvent.objects.get(action="procedure_version.publish").actor.username == "quantri"


def test_life_events_are_edited_on_the_procedure_page_with_an_audit_event(admin_client, now):
    life_events_ensure()
    catalog_import(document=document(procedure_doc(life_events=["birth"])), now=now)
    procedure = Procedure.objects.get()
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    data = form_data(admin_client.get(url).content.decode(), "procedure_form")
    birth, marriage = (LifeEvent.objects.get(code=c).pk for c in ("birth", "marriage"))
    assert data["life_events"] == str(birth)  # shown checked
    data["life_events"] = [str(birth), str(marriage)]

    assert admin_client.post(url, data).status_code == 302

    assert sorted(procedure.life_events.values_list("code", flat=True)) == ["birth", "marriage"]
    event = AuditEvent.objects.get(action="procedure.life_events")
    assert (event.before, event.after) == (
        {"life_events": ["birth"]},
        {"life_events": ["birth", "marriage"]},
    )
    assert admin_client.post(url, data).status_code == 302  # unchanged: no second event
    assert AuditEvent.objects.filter(action="procedure.life_events").count() == 1
