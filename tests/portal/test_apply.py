"""The apply-online pages (`/apply/`, motcua.portal.apply): sign-in required, one thing per
page saved at every POST, bad input explained without losing anything, one dossier per
draft, the receipt and form 01."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import OnlineLevel
from motcua.core.models import DataAccessLog
from motcua.documents.models import DataStoreItem
from motcua.dossiers.models import ApplicationDraft, Dossier, DossierStatus, DraftStatus
from motcua.dossiers.services import dossier_receive
from tests.documents.samples import pdf_bytes
from tests.dossiers.drafts_world import apply_world
from tests.dossiers.factories import ProcedureVersionFactory
from tests.dossiers.helpers import World, _fresh_clock_cache, calendar, world

__all__ = ["_fresh_clock_cache", "apply_world", "calendar", "world"]


@pytest.fixture
def citizen(apply_world: World, client: Client) -> Client:
    client.force_login(apply_world.citizen)
    return client


def _start(client: Client, w: World) -> ApplicationDraft:
    code = w.version.procedure.code
    response = client.post(reverse("portal:apply_start", args=[code]))
    draft = ApplicationDraft.objects.get(owner=w.citizen)
    assert response.status_code == 302
    assert response["Location"] == f"/apply/{draft.pk}/who/"
    return draft


def _url(draft: ApplicationDraft, step: str) -> str:
    return f"/apply/{draft.pk}/{step}/"


def _walk(client: Client, w: World) -> ApplicationDraft:
    """Every page answered through the pages, up to the check page."""
    draft = _start(client, w)
    item = DataStoreItem.objects.get(owner_key=w.citizen.personal_id)
    posts = [
        ("who", {"who": "self"}),
        ("place", {"receiving_unit": str(w.ward.pk)}),
        ("form-1", {"request": "Cấp bản sao", "phone": w.citizen.phone}),
        ("component-TP1", {"how": f"reuse:{item.pk}"}),
        (
            "component-TP2",
            {
                "how": "upload",
                "file": SimpleUploadedFile("cs.pdf", pdf_bytes(), content_type="application/pdf"),
            },
        ),
        ("component-TP3", {"how": "none"}),
        ("delivery", {"result_delivery": "counter"}),
        ("fees", {}),
    ]
    for step, data in posts:
        response = client.post(_url(draft, step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    assert response["Location"] == _url(draft, "check")
    return draft


def test_signing_in_is_required_and_brings_the_person_back(apply_world: World) -> None:
    code = apply_world.version.procedure.code
    response = Client().get(f"/apply/{code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/apply/{code}/"


def test_the_start_page_lists_what_to_prepare(citizen: Client, apply_world: World) -> None:
    response = citizen.get(f"/apply/{apply_world.version.procedure.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Giấy chứng sinh" in body
    assert "cơ sở dữ liệu quốc gia" in body
    assert ApplicationDraft.objects.count() == 0  # a GET creates nothing


def test_a_procedure_not_offered_online_gets_a_clear_page(
    citizen: Client, apply_world: World
) -> None:
    version = ProcedureVersionFactory(online_level=OnlineLevel.NONE, method="Nộp tại quầy")
    response = citizen.post(f"/apply/{version.procedure.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "không nhận hồ sơ trực tuyến" in body
    assert "Nộp tại quầy" in body
    assert ApplicationDraft.objects.count() == 0


def test_an_unknown_procedure_is_404(citizen: Client) -> None:
    assert citizen.get("/apply/KHONG.CO/").status_code == 404


def test_the_form_page_is_prefilled_and_verified_values_locked(
    citizen: Client, apply_world: World
) -> None:
    draft = _start(citizen, apply_world)
    body = citizen.get(_url(draft, "form-1")).content.decode()
    assert "Nguyễn Văn An" in body
    assert "Đã xác thực qua VNeID" in body
    assert 'name="full_name"' not in body  # locked: shown, not an input
    assert f'value="{apply_world.citizen.phone}"' in body


def test_the_whole_journey_files_one_dossier_and_shows_the_receipt(
    citizen: Client, apply_world: World
) -> None:
    w = apply_world
    draft = _walk(citizen, w)
    check = citizen.get(_url(draft, "check")).content.decode()
    assert "Cấp bản sao" in check
    assert "Dùng giấy tờ đã lưu: Thẻ căn cước" in check
    assert 'name="declaration" value="1">' in check  # never pre-ticked
    assert "Thanh toán khi được yêu cầu" in check
    assert "đã thanh toán”" in check
    assert "paid" not in check.lower()

    response = citizen.post(_url(draft, "check"), {"declaration": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/apply/{draft.pk}/done/"
    again = citizen.post(_url(draft, "check"), {"declaration": "1"})  # a double click
    assert again["Location"] == f"/apply/{draft.pk}/done/"
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.REGISTERED

    receipt = citizen.get(f"/apply/{draft.pk}/done/").content.decode()
    assert dossier.code in receipt
    assert "8 giờ làm việc" in receipt
    assert f'href="/my/{dossier.code}/"' in receipt
    assert "form-01.pdf" not in receipt  # not accepted yet


def test_a_wrong_file_type_is_explained_and_nothing_else_is_lost(
    citizen: Client, apply_world: World
) -> None:
    draft = _start(citizen, apply_world)
    citizen.post(_url(draft, "form-1"), {"request": "Cấp bản sao"})
    text = SimpleUploadedFile("cs.txt", b"hello", content_type="text/plain")
    response = citizen.post(_url(draft, "component-TP2"), {"how": "upload", "file": text})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Loại tệp không được chấp nhận: chỉ nhận PDF." in body
    assert 'class="error-summary"' in body
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert stored.form_data["request"] == "Cấp bản sao"
    assert "TP2" not in stored.components


def test_a_missing_mandatory_component_is_explained(citizen: Client, apply_world: World) -> None:
    draft = _start(citizen, apply_world)
    response = citizen.post(_url(draft, "component-TP2"), {"how": "upload"})
    assert response.status_code == 400
    assert "Chọn tệp cần tải lên." in response.content.decode()
    check = citizen.get(_url(draft, "check")).content.decode()
    assert "Cần nộp “Giấy chứng sinh”" in check
    response = citizen.post(_url(draft, "check"), {"declaration": "1"})
    assert response.status_code == 400
    assert Dossier.objects.count() == 0


def test_an_invalid_id_number_is_explained_and_kept(citizen: Client, apply_world: World) -> None:
    draft = _start(citizen, apply_world)
    response = citizen.post(_url(draft, "form-1"), {"request": "x", "spouse_id": "123"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'href="#form-spouse_id"' in body
    assert 'value="123"' in body
    assert ApplicationDraft.objects.get(pk=draft.pk).form_data["spouse_id"] == "123"


def test_an_expired_session_keeps_the_draft_and_resumes_at_the_same_step(
    apply_world: World, client: Client
) -> None:
    w = apply_world
    client.force_login(w.citizen)
    draft = _start(client, w)
    client.post(_url(draft, "who"), {"who": "self"})
    client.post(_url(draft, "place"), {"receiving_unit": str(w.ward.pk)})
    client.logout()  # the session expired

    response = client.post(_url(draft, "form-1"), {"request": "lost with the session"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/apply/{draft.pk}/form-1/"

    client.force_login(w.citizen)
    resumed = client.get(f"/apply/{w.version.procedure.code}/")
    assert resumed["Location"] == _url(draft, "form-1")
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert stored.receiving_unit == w.ward
    assert stored.steps_done == ["who", "place"]
    listing = client.get("/apply/").content.decode()
    assert "Hồ sơ đang soạn" in listing
    assert f'href="/apply/{draft.pk}/form-1/"' in listing


def test_another_persons_draft_is_404_and_the_attempt_logged(
    apply_world: World, client: Client
) -> None:
    w = apply_world
    client.force_login(w.citizen)
    draft = _start(client, w)
    other = Client()
    other.force_login(w.other_citizen)

    assert other.get(_url(draft, "who")).status_code == 404
    assert other.post(_url(draft, "who"), {"who": "other"}).status_code == 404
    assert other.get(f"/apply/{draft.pk}/done/").status_code == 404

    assert ApplicationDraft.objects.get(pk=draft.pk).for_someone_else is None
    logs = DataAccessLog.objects.filter(subject_type="application_draft", actor=w.other_citizen)
    assert logs.count() == 3
    assert set(logs.values_list("subject_id", flat=True)) == {str(draft.pk)}


def test_filing_for_someone_else(citizen: Client, apply_world: World) -> None:
    w = apply_world
    draft = _start(citizen, w)
    response = citizen.post(
        _url(draft, "who"),
        {
            "who": "other",
            "rep_principal_kind": "person",
            "rep_principal_name": "Trần Thị Bình",
            "rep_principal_id_number": w.other_citizen.personal_id,
            "rep_relationship": "mẹ",
        },
    )
    assert response.status_code == 302
    stored = ApplicationDraft.objects.get(pk=draft.pk)
    assert stored.representative["principal_name"] == "Trần Thị Bình"
    # the principal's papers are not the account's: none offered for reuse
    body = citizen.get(_url(draft, "component-TP1")).content.decode()
    assert "Dùng giấy tờ đã lưu" not in body


def test_form_01_is_offered_after_acceptance(citizen: Client, apply_world: World) -> None:
    w = apply_world
    draft = _walk(citizen, w)
    citizen.post(_url(draft, "check"), {"declaration": "1"})
    dossier = Dossier.objects.get()
    assert citizen.get(f"/apply/dossier/{dossier.code}/form-01.pdf").status_code == 409

    dossier_receive(dossier=dossier, actor=w.officer, now=dossier.submitted_at)

    receipt = citizen.get(f"/apply/{draft.pk}/done/").content.decode()
    assert f'href="/apply/dossier/{dossier.code}/form-01.pdf"' in receipt
    response = citizen.get(f"/apply/dossier/{dossier.code}/form-01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    other = Client()
    other.force_login(w.other_citizen)
    assert other.get(f"/apply/dossier/{dossier.code}/form-01.pdf").status_code == 404


def test_a_submitted_draft_goes_to_its_receipt(citizen: Client, apply_world: World) -> None:
    draft = _walk(citizen, apply_world)
    citizen.post(_url(draft, "check"), {"declaration": "1"})
    assert ApplicationDraft.objects.get(pk=draft.pk).status == DraftStatus.SUBMITTED
    response = citizen.get(_url(draft, "who"))
    assert response["Location"] == f"/apply/{draft.pk}/done/"
    assert re.search(r"Đã nộp hồ sơ", citizen.get(response["Location"]).content.decode())


def test_the_pages_speak_english_when_asked(citizen: Client, apply_world: World) -> None:
    draft = _start(citizen, apply_world)
    citizen.cookies.load({"django_language": "en"})
    body = citizen.get(_url(draft, "who")).content.decode()
    assert "Who are you applying for?" in body
    assert "Save and continue" in body
    response = citizen.post(_url(draft, "who"), {})
    assert "Choose whether you apply for yourself or for someone else." in response.content.decode()


def test_post_delivery_needs_an_address_and_national_data_needs_no_upload(
    citizen: Client, apply_world: World
) -> None:
    draft = _start(citizen, apply_world)
    response = citizen.post(
        _url(draft, "delivery"), {"result_delivery": "post", "delivery_address": " "}
    )
    assert response.status_code == 400
    assert "Ghi địa chỉ nhận kết quả qua bưu chính." in response.content.decode()
    assert ApplicationDraft.objects.get(pk=draft.pk).result_delivery == "post"  # kept

    response = citizen.post(_url(draft, "component-TP1"), {"how": "national"})
    assert response.status_code == 302
    check = citizen.get(_url(draft, "check")).content.decode()
    assert "Khai thác từ cơ sở dữ liệu quốc gia (không cần nộp giấy)" in check
    assert "Cần nộp “Thẻ căn cước”" not in check


def test_the_fees_step_shows_the_assessed_lines_and_the_claim_is_charged(
    citizen: Client, apply_world: World
) -> None:
    from motcua.catalog.models import Fee
    from motcua.payments.models import FeeLine

    w = apply_world
    Fee.objects.create(
        version=w.version,
        order=1,
        name="Phí cấp bản sao",
        amount_vnd=8_000,
        exemptions=[{"category": "poor", "percent": 50, "basis": "NQ HĐND"}],
    )
    draft = _walk(citizen, w)
    body = citizen.get(_url(draft, "fees")).content.decode()
    assert "8.000 đồng" in body
    assert 'name="fee_claims" value="poor"' in body
    # an unknown claim is refused, nothing saved
    response = citizen.post(_url(draft, "fees"), {"fee_claims": ["rich"]})
    assert response.status_code == 400
    assert "Chọn đối tượng miễn, giảm trong danh sách." in response.content.decode()
    draft.refresh_from_db()
    assert draft.fee_claims == []
    # the claim is saved and shown as the exemption with its reason, and the net
    citizen.post(_url(draft, "fees"), {"fee_claims": ["poor"]})
    draft.refresh_from_db()
    assert draft.fee_claims == ["poor"]
    check = citizen.get(_url(draft, "check")).content.decode()
    assert "Hộ nghèo (50%): NQ HĐND" in check
    assert "4.000 đồng" in check
    assert "paid" not in check.lower()
    citizen.post(_url(draft, "check"), {"declaration": "1"})
    dossier = Dossier.objects.get()
    assert dossier.fee_claims == ["poor"]
    lines = FeeLine.objects.filter(dossier_code=dossier.code)
    assert [(x.gross_vnd, x.exempt_vnd, x.net_vnd, x.state) for x in lines] == [
        (8_000, 4_000, 4_000, "unpaid")
    ]
