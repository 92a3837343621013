"""The portal's /my/data/ pages and the workspace's /workspace/privacy/ queue: sign-in,
someone else's request (404, logged), the reads page, the downloads (recorded), the request
form, the staff queue (roles, deadline colours, filters) and the answer."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.accounts.models import ConsentRecord
from motcua.accounts.services import consent_give
from motcua.core.models import AuditEvent, DataAccessLog
from motcua.dossiers.selectors import dossier_get_for_actor
from motcua.privacy.models import DataSubjectRequest, RequestStatus
from motcua.privacy.services import data_request_submit
from tests.dossiers.helpers import MON, World, submitted, vn

from .helpers import privacy_officer

pytestmark = pytest.mark.django_db

PAGES = [
    "/my/data/",
    "/my/data/reads/",
    "/my/data/export.json",
    "/my/data/export.pdf",
    "/my/data/requests/",
    "/my/data/requests/new/",
]


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _request(world: World, person=None, **kw) -> DataSubjectRequest:  # type: ignore[no-untyped-def]
    kw.setdefault("kind", "restrict")
    kw.setdefault("scope", "data_store")
    kw.setdefault("reason", "Không dùng lại giấy tờ của tôi.")
    kw.setdefault("now", MON)
    return data_request_submit(person=person or world.citizen, **kw)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_needs_sign_in(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_what_is_held_shows_every_source_and_the_consent_withdraw_button(world: World) -> None:
    dossier = submitted(world)
    consent_give(person=world.citizen, purpose="account", text_version="v1", now=MON)
    response = _client(world.citizen).get("/my/data/")
    page = response.content.decode()
    assert response.status_code == 200
    for title in (
        "Thông tin tài khoản",
        "Hồ sơ thủ tục hành chính",
        "Kho dữ liệu cá nhân",
        "Giấy tờ đã phát hành cho bạn",
        "Ghi chép tại quầy và đường dây nóng",
    ):
        assert title in page
    assert dossier.code in page
    assert "/my/data/consents/account/withdraw/" in page
    assert "/my/data/consents/dossier_processing/withdraw/" not in page  # never given
    assert len(response.content) < 150 * 1024


def test_withdrawing_a_consent_records_it(world: World) -> None:
    consent_give(person=world.citizen, purpose="account", text_version="v1", now=MON)
    client = _client(world.citizen)
    response = client.post("/my/data/consents/account/withdraw/")
    assert response.status_code == 302
    latest = ConsentRecord.objects.filter(person=world.citizen).order_by("-pk").first()
    assert latest is not None
    assert latest.decision == "withdrawn"
    again = client.post("/my/data/consents/account/withdraw/", follow=True)
    assert "Bạn chưa đồng ý mục đích này." in again.content.decode()
    assert client.post("/my/data/consents/nonsense/withdraw/").status_code == 404


def test_who_read_it_lists_unit_role_purpose_channel(world: World) -> None:
    dossier = submitted(world)
    dossier_get_for_actor(actor=world.officer, code=dossier.code, now=vn(2026, 3, 2, 10, 5))
    page = _client(world.citizen).get("/my/data/reads/").content.decode()
    assert "02/03/2026 10:05" in page
    assert "Cán bộ một cửa, Phường Hoàn Kiếm" in page
    assert "Mở hồ sơ để xem hoặc xử lý" in page
    assert world.officer.full_name not in page


def test_reads_are_paginated(world: World) -> None:
    dossier = submitted(world)
    for minute in range(30):
        dossier_get_for_actor(
            actor=world.officer, code=dossier.code, now=vn(2026, 3, 2, 10, minute)
        )
    client = _client(world.citizen)
    first = client.get("/my/data/reads/").content.decode()
    assert "02/03/2026 10:29" in first
    assert "02/03/2026 10:04" not in first
    assert "Trang 1 / 2" in first
    second = client.get("/my/data/reads/?page=2").content.decode()
    assert "02/03/2026 10:04" in second


def test_json_export_is_a_recorded_attachment(world: World) -> None:
    submitted(world)
    response = _client(world.citizen).get("/my/data/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-ca-nhan.json"'
    data = json.loads(response.content)
    assert data["schema"] == "motcua.personal-data/1"
    assert data["sections"]["dossiers"]["count"] == 1
    assert (
        AuditEvent.objects.filter(
            action="personal_data.export", actor=world.citizen, after={"format": "json"}
        ).count()
        == 1
    )


def test_pdf_export_is_a_pdf_with_the_persons_data(world: World) -> None:
    import io

    from pypdf import PdfReader

    dossier = submitted(world)
    response = _client(world.citizen).get("/my/data/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Nguyễn Văn An".upper() in text.upper()
    assert dossier.code in text
    assert AuditEvent.objects.filter(
        action="personal_data.export", after={"format": "pdf"}
    ).exists()


def test_filing_a_request_shows_its_deadline(world: World) -> None:
    client = _client(world.citizen)
    with freeze_time(MON):
        response = client.post(
            "/my/data/requests/new/",
            {"kind": "restrict", "scope": "data_store", "reason": "Tạm dừng dùng lại giấy tờ."},
        )
        page = client.get(response["Location"]).content.decode()
    request = DataSubjectRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/my/data/requests/{request.pk}/"
    assert request.person == world.citizen
    assert "17/03/2026 17:00" in page
    assert "Hạn chế xử lý dữ liệu" in page


def test_a_bad_request_form_keeps_what_was_typed(world: World) -> None:
    response = _client(world.citizen).post(
        "/my/data/requests/new/", {"scope": "profile", "reason": "Sửa địa chỉ của tôi"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Chọn loại yêu cầu." in page
    assert "Sửa địa chỉ của tôi" in page
    assert not DataSubjectRequest.objects.exists()


def test_someone_elses_request_is_not_found_and_the_attempt_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    theirs = _request(world, person=world.other_citizen)
    with caplog.at_level(logging.WARNING, logger="motcua.privacy"):
        response = _client(world.citizen).get(f"/my/data/requests/{theirs.pk}/")
    assert response.status_code == 404
    assert theirs.reason not in response.content.decode()
    assert f"data request {theirs.pk} not found for account {world.citizen.pk}" in caplog.text
    assert world.other_citizen.full_name not in caplog.text


# --- the workspace --------------------------------------------------------------------------


def test_the_queue_is_for_privacy_officers_only(world: World) -> None:
    _request(world)
    assert _client(world.officer).get("/workspace/privacy/").status_code == 403
    assert _client(world.supervisor).get("/workspace/privacy/1/").status_code == 403
    assert _client(world.citizen).get("/workspace/privacy/").status_code == 403
    officer = privacy_officer(world)
    response = _client(officer).get("/workspace/privacy/")
    assert response.status_code == 200
    assert "/workspace/privacy/" in _client(officer).get("/workspace/").content.decode()
    assert "/workspace/privacy/" not in _client(world.officer).get("/workspace/").content.decode()


def test_the_queue_sorts_by_deadline_and_colours_the_countdown(world: World) -> None:
    officer = privacy_officer(world)
    fresh = _request(world, now=vn(2026, 3, 12, 9))  # due 27/03
    soon = _request(world, kind="delete", now=vn(2026, 3, 2, 9))  # due 17/03: 2 days left
    late = _request(world, kind="correct", scope="profile", now=vn(2026, 2, 20, 9))  # due 09/03
    done = _request(world, kind="withdraw_consent", now=vn(2026, 2, 10, 9))
    done.status, done.answered_at, done.answer = RequestStatus.ANSWERED, MON, "Xong."
    done.outcome = "done"
    done.save()
    client = _client(officer)
    with freeze_time(vn(2026, 3, 15, 9)):
        page = client.get("/workspace/privacy/").content.decode()
        everything = client.get("/workspace/privacy/?status=").content.decode()
        answered = client.get("/workspace/privacy/?status=answered").content.decode()
    order = [page.index(f">#{r.pk}<") for r in (late, soon, fresh)]
    assert order == sorted(order)
    assert f">#{done.pk}<" not in page  # the default filter: not yet answered
    assert "countdown--late tag--late" in page
    assert "Quá hạn 6 ngày" in page
    assert "countdown--soon tag--alert" in page
    assert "Còn 2 ngày" in page
    assert "countdown--ok tag--ok" in page
    assert "Còn 12 ngày" in page
    assert f">#{done.pk}<" in everything
    assert f">#{done.pk}<" in answered
    assert f">#{fresh.pk}<" not in answered
    assert world.citizen.full_name not in page  # no names in the list


def test_opening_a_request_shows_the_persons_data_and_logs_the_read(world: World) -> None:
    officer = privacy_officer(world)
    dossier = submitted(world)
    request = _request(world)
    page = _client(officer).get(f"/workspace/privacy/{request.pk}/").content.decode()
    assert dossier.code in page
    assert request.reason in page
    log = DataAccessLog.objects.get(actor=officer)
    assert (log.subject_type, log.subject_id, log.purpose) == (
        "person",
        str(world.citizen.pk),
        "data_request",
    )
    reads = _client(world.citizen).get("/my/data/reads/").content.decode()
    assert "Xử lý yêu cầu của bạn về dữ liệu cá nhân" in reads
    assert _client(officer).get("/workspace/privacy/99999/").status_code == 404


def test_the_handler_takes_and_answers_and_the_person_sees_it(world: World) -> None:
    officer = privacy_officer(world)
    request = _request(world)
    client = _client(officer)
    assert client.post(f"/workspace/privacy/{request.pk}/assign/").status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.handled_by == officer
    refused = client.post(
        f"/workspace/privacy/{request.pk}/answer/", {"outcome": "partly", "answer": "Một phần."}
    )
    assert refused.status_code == 400
    assert "Nêu căn cứ pháp lý" in refused.content.decode()
    request.refresh_from_db()
    assert request.is_open
    response = client.post(
        f"/workspace/privacy/{request.pk}/answer/",
        {"outcome": "done", "legal_basis": "", "answer": "Đã dừng dùng lại giấy tờ trong kho."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    mine = _client(world.citizen).get(f"/my/data/requests/{request.pk}/").content.decode()
    assert "Đã dừng dùng lại giấy tờ trong kho." in mine
    assert "Đã trả lời" in mine


def test_the_pages_switch_to_english(world: World) -> None:
    submitted(world)
    client = _client(world.citizen)
    page = client.get("/my/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My personal data" in page
    assert "1 dossiers you filed or that were filed under your identification number." in page
    officer = privacy_officer(world)
    _request(world)
    queue = _client(officer).get("/workspace/privacy/", HTTP_ACCEPT_LANGUAGE="en")
    assert "days late" in queue.content.decode()  # filed in March 2026, read now


def test_the_officer_extends_and_the_person_sees_why(world: World) -> None:
    officer = privacy_officer(world)
    request = _request(world)
    client = _client(officer)
    empty = client.post(f"/workspace/privacy/{request.pk}/extend/", {"extend-reason": ""})
    assert empty.status_code == 400
    assert "Nêu lý do gia hạn cho người yêu cầu." in empty.content.decode()
    done = client.post(
        f"/workspace/privacy/{request.pk}/extend/", {"extend-reason": "Cần đối chiếu lưu trữ."}
    )
    assert done.status_code == 302
    page = client.get(f"/workspace/privacy/{request.pk}/").content.decode()
    assert "Gia hạn thêm 15 ngày" not in page  # once only
    mine = _client(world.citizen).get(f"/my/data/requests/{request.pk}/").content.decode()
    assert "01/04/2026 17:00" in mine
    assert "Cần đối chiếu lưu trữ." in mine
