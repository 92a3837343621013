"""The applicant's pages under /my/: who sees what (404 and a logged attempt for anyone
else's dossier), the list (groups, what to do, pagination, the query budget), exactly the
applicant's actions as forms (a supplement asks only for the requested components), a
conflict that keeps what was typed, results, forms, the rating once, reports and the data
store."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core.models import DataAccessLog
from motcua.documents.services import datastore_item_add, file_store
from motcua.dossiers.models import (
    CertifiedCopyReport,
    DossierFile,
    DossierRating,
    DossierStatus,
)
from motcua.dossiers.services import (
    dossier_issue_result,
    dossier_request_supplement,
)
from tests.documents.samples import pdf_bytes
from tests.dossiers.helpers import (
    MON,
    at_leader_step,
    hk_receipt_series,
    received,
    state,
    submitted,
    vn,
)

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _asking_tp1(world):
    """Received, then a supplement asked for the component TP1 only (status 5)."""
    dossier = received(world)
    return dossier_request_supplement(
        dossier=dossier,
        actor=world.officer,
        items=[{"component": "TP1", "reason": "Bản chụp bị mờ."}],
        now=vn(2026, 3, 2, 10),
    )


def _settled(world):
    return dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 16)
    )


def _pdf(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


# --- access -----------------------------------------------------------------------------------


def test_the_pages_ask_to_sign_in(world):
    response = Client().get("/my/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/my/")


def test_another_persons_dossier_is_not_found_and_the_attempt_is_logged(world):
    dossier = received(world)

    response = _client(world.other_citizen).get(f"/my/{dossier.code}/")

    assert response.status_code == 404
    assert dossier.applicant_name not in response.content.decode()
    [log] = DataAccessLog.objects.filter(actor=world.other_citizen)
    assert (log.subject_type, log.subject_id, log.purpose) == (
        "dossier",
        dossier.code,
        "dossier_view_refused",
    )


def test_staff_of_the_unit_do_not_read_it_here_either(world):
    dossier = received(world)

    response = _client(world.officer).get(f"/my/{dossier.code}/")

    assert response.status_code == 404


def test_the_applicant_reads_their_dossier_and_nothing_is_logged(world):
    dossier = received(world)

    response = _client(world.citizen).get(f"/my/{dossier.code}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert dossier.code in page
    assert "Hồ sơ đã được tiếp nhận" in page
    assert "09/03/2026" in page  # the appointment, dd/mm/yyyy (5 working days)
    assert world.officer.display_name not in page  # the unit, never the officer
    assert not DataAccessLog.objects.exists()


# --- the list -------------------------------------------------------------------------------


def test_the_list_is_mine_newest_first_with_what_to_do(world):
    older = received(world, now=vn(2026, 3, 2, 9))
    asked = _asking_tp1(world)
    newest = submitted(world, now=vn(2026, 3, 3, 9))
    submitted(world, applicant=world.other_citizen, now=vn(2026, 3, 3, 10))

    response = _client(world.citizen).get("/my/")

    page = response.content.decode()
    codes = [older.code, asked.code, newest.code]
    positions = [page.index(code) for code in codes]
    # submitted at the same instant, `older` first: the later id comes first
    assert positions[2] < positions[1] < positions[0]
    assert "Bổ sung hồ sơ" in page
    assert page.count('href="/my/0') >= 3
    assert "Trần Thị Bình" not in page


def test_the_groups_filter_the_list(world):
    asked = _asking_tp1(world)
    running = received(world, now=vn(2026, 3, 2, 11))
    client = _client(world.citizen)

    action = client.get("/my/?group=action").content.decode()
    running_page = client.get("/my/?group=in_progress").content.decode()
    finished = client.get("/my/?group=finished").content.decode()

    assert asked.code in action
    assert running.code not in action
    assert running.code in running_page
    assert asked.code not in running_page
    assert asked.code not in finished
    assert running.code not in finished


def test_the_list_is_paginated(world):
    codes = [
        submitted(world, now=vn(2026, 3, 2, 9) + dt.timedelta(minutes=10 * i)).code
        for i in range(21)
    ]
    client = _client(world.citizen)

    first = client.get("/my/").content.decode()
    second = client.get("/my/?page=2").content.decode()

    assert codes[-1] in first
    assert codes[0] not in first
    assert codes[0] in second
    assert codes[-1] not in second
    assert "Trang 2 / 2" in second


def test_the_list_costs_at_most_ten_queries(world, django_assert_max_num_queries):
    for hour in range(9, 12):
        submitted(world, now=vn(2026, 3, 2, hour))
    _asking_tp1(world)
    client = _client(world.citizen)
    client.get("/my/")  # warm the caches a running server has

    with django_assert_max_num_queries(10):
        response = client.get("/my/")

    assert response.status_code == 200


# --- actions ----------------------------------------------------------------------------------


def test_exactly_the_applicants_actions_are_offered_and_only_the_asked_components(world):
    dossier = _asking_tp1(world)

    page = _client(world.citizen).get(f"/my/{dossier.code}/").content.decode()

    assert f'action="/my/{dossier.code}/act/supplement/"' in page
    assert f'action="/my/{dossier.code}/act/withdraw/"' in page
    assert page.count("/act/") == 2
    assert 'name="files[TP1]"' in page
    assert 'name="files[TP2]"' not in page
    assert "Bản chụp bị mờ." in page  # what is missing and why


def test_a_received_dossier_offers_only_the_withdrawal(world):
    dossier = received(world)

    page = _client(world.citizen).get(f"/my/{dossier.code}/").content.decode()

    assert page.count("/act/") == 1
    assert f"/my/{dossier.code}/act/withdraw/" in page


def test_the_supplement_uploads_the_asked_component(world):
    dossier = _asking_tp1(world)

    response = _client(world.citizen).post(
        f"/my/{dossier.code}/act/supplement/",
        {"expected_version": dossier.version, "reason": "Đã chụp lại", "files[TP1]": _pdf()},
    )

    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    [link] = DossierFile.objects.filter(dossier=dossier)
    assert link.component_code == "TP1"


def test_a_file_for_a_component_not_asked_is_refused_and_nothing_changes(world):
    dossier = _asking_tp1(world)
    before = state(dossier)

    response = _client(world.citizen).post(
        f"/my/{dossier.code}/act/supplement/",
        {"expected_version": dossier.version, "files[TP1]": _pdf(), "files[TP2]": _pdf("x.pdf")},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Chỉ nộp tệp cho các thành phần được yêu cầu bổ sung (không có: TP2)." in page
    assert "Thành phần này không được yêu cầu bổ sung." in page
    assert state(dossier) == before
    assert not DossierFile.objects.exists()


def test_a_dossier_changed_meanwhile_answers_a_conflict_and_keeps_what_was_typed(world):
    dossier = _asking_tp1(world)
    stale = dossier.version - 1
    before = state(dossier)

    response = _client(world.citizen).post(
        f"/my/{dossier.code}/act/withdraw/",
        {"expected_version": stale, "reason": "Tôi đã chuyển nơi ở"},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "vừa được cơ quan cập nhật" in page
    assert "Tôi đã chuyển nơi ở</textarea>" in page
    assert state(dossier) == before


def test_the_withdrawal_needs_a_reason_then_gives_form_05(world):
    dossier = received(world)
    client = _client(world.citizen)

    refused = client.post(
        f"/my/{dossier.code}/act/withdraw/", {"expected_version": dossier.version}
    )
    assert refused.status_code == 400
    done = client.post(
        f"/my/{dossier.code}/act/withdraw/",
        {"expected_version": dossier.version, "reason": "Không còn nhu cầu"},
    )

    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WITHDRAWN
    page = client.get(f"/my/{dossier.code}/").content.decode()
    assert f"/my/{dossier.code}/forms/05.pdf" in page
    assert "/act/" not in page
    form = client.get(f"/my/{dossier.code}/forms/05.pdf")
    assert form.status_code == 200
    assert form["Content-Type"] == "application/pdf"


def test_an_action_the_portal_does_not_take_is_not_found(world):
    dossier = received(world)

    response = _client(world.citizen).post(
        f"/my/{dossier.code}/act/receive/", {"expected_version": dossier.version}
    )

    assert response.status_code == 404


# --- results, forms --------------------------------------------------------------------------


def test_the_signed_result_downloads_with_its_verification_code(world):
    dossier = _settled(world)
    [link] = DossierFile.objects.filter(dossier=dossier, kind="result")
    client = _client(world.citizen)

    page = client.get(f"/my/{dossier.code}/").content.decode()
    download = client.get(f"/my/{dossier.code}/files/{link.file_id}/")

    assert f"/my/{dossier.code}/files/{link.file_id}/" in page
    code = dossier.events.get(action="issue_result").after["verify_code"]
    assert f"/verify/{code}/" in page
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        _client(world.other_citizen).get(f"/my/{dossier.code}/files/{link.file_id}/").status_code
        == 404
    )


def test_form_01_is_given_and_form_06_is_not(world):
    dossier = received(world)
    client = _client(world.citizen)

    assert client.get(f"/my/{dossier.code}/forms/01.pdf").status_code == 200
    assert client.get(f"/my/{dossier.code}/forms/06.pdf").status_code == 404
    assert client.get(f"/my/{dossier.code}/forms/04.pdf").status_code == 409  # none issued


# --- rating -----------------------------------------------------------------------------------


def test_a_settled_dossier_is_rated_once(world):
    dossier = _settled(world)
    client = _client(world.citizen)
    assert client.get(f"/my/{dossier.code}/rating/").status_code == 200

    response = client.post(
        f"/my/{dossier.code}/rating/",
        {"overall": "very_satisfied", "criteria.staff_attitude": "satisfied", "comment": "Tốt"},
    )
    again = client.post(f"/my/{dossier.code}/rating/", {"overall": "not_satisfied"}, follow=True)

    assert response.status_code == 302
    [rating] = DossierRating.objects.all()
    assert (rating.overall, rating.staff_attitude, rating.comment) == (
        "very_satisfied",
        "satisfied",
        "Tốt",
    )
    assert "mỗi hồ sơ chỉ đánh giá một lần" in again.content.decode()
    assert DossierRating.objects.get().overall == "very_satisfied"


def test_a_rating_without_the_overall_level_says_so_and_keeps_the_rest(world):
    dossier = _settled(world)

    response = _client(world.citizen).post(
        f"/my/{dossier.code}/rating/", {"criteria.publicity": "satisfied", "comment": "Nhanh"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Chọn mức độ hài lòng chung." in page
    assert 'value="satisfied" checked' in page
    assert "Nhanh</textarea>" in page
    assert not DossierRating.objects.exists()


def test_an_unsettled_dossier_has_no_rating_form(world):
    dossier = received(world)

    response = _client(world.citizen).get(f"/my/{dossier.code}/rating/")

    assert response.status_code == 302
    assert response["Location"] == f"/my/{dossier.code}/"


# --- certified copies -----------------------------------------------------------------------


def test_a_report_of_a_certified_copy_demand_is_filed_and_listed(world):
    dossier = received(world)
    client = _client(world.citizen)

    response = client.post(
        f"/my/{dossier.code}/certified-copy-report/",
        {"component": "TP2", "note": "Cán bộ yêu cầu bản sao chứng thực"},
    )
    again = client.post(f"/my/{dossier.code}/certified-copy-report/", {"component": "TP2"})
    reports = client.get("/my/reports/").content.decode()

    assert response.status_code == 302
    assert again.status_code == 409
    [report] = CertifiedCopyReport.objects.all()
    assert (report.component_code, report.reported_by) == ("TP2", world.citizen)
    assert "Giấy tờ chứng minh" in reports
    assert dossier.code in reports
    assert "Phản ánh của tôi" in _client(world.other_citizen).get("/my/reports/").content.decode()
    assert dossier.code not in _client(world.other_citizen).get("/my/reports/").content.decode()


# --- the data store -------------------------------------------------------------------------


def _store(owner: str, title: str, **kw):
    stored = file_store(actor=None, upload=io.BytesIO(pdf_bytes()), name="p.pdf", now=MON)
    return datastore_item_add(
        owner_key=owner, kind="identity_card", title=title, file=stored, now=MON, **kw
    )


def test_my_data_store_lists_marks_expired_and_logs_downloads(world):
    citizen = world.citizen
    type(citizen).objects.filter(pk=citizen.pk).update(identity_verified_at=MON)
    citizen.refresh_from_db()
    old = _store(citizen.personal_id, "Chứng minh nhân dân cũ", valid_until=dt.date(2021, 6, 30))
    _store(citizen.personal_id, "Thẻ căn cước", issuer="Bộ Công an")
    theirs = _store(world.other_citizen.personal_id, "Căn cước của người khác")
    client = _client(citizen)

    page = client.get("/my/documents/").content.decode()
    download = client.get(f"/my/documents/{old.pk}/")
    refused = client.get(f"/my/documents/{theirs.pk}/")

    assert "Thẻ căn cước" in page
    assert "Bộ Công an" in page
    assert "Hết hạn" in page
    assert "30/06/2021" in page
    assert "người khác" not in page
    assert download.status_code == 200
    assert refused.status_code == 404
    purposes = sorted(
        DataAccessLog.objects.filter(actor=citizen).values_list("purpose", "subject_id")
    )
    assert purposes == [
        ("datastore_download", str(old.pk)),
        ("datastore_download_refused", str(theirs.pk)),
    ]


def test_the_signed_receipts_are_listed_and_download_for_the_applicant_only(world):
    from motcua.dossiers.services.receipts import dossier_receipt_issue
    from motcua.payments.services import fee_line_add, fee_lines_pay

    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(world)
    line = fee_line_add(
        dossier_code=dossier.code,
        collecting_unit=world.ward,
        name="Lệ phí",
        kind="charge",
        timing="before",
        unit_amount_vnd=25_000,
        now=MON,
    )
    receipt = dossier_receipt_issue(
        payment=fee_lines_pay(lines=[line], method="cash", reference="PT-9", now=MON), now=MON
    )
    address = f"/my/{dossier.code}/receipts/{receipt.pk}.pdf"

    page = _client(world.citizen).get(f"/my/{dossier.code}/").content.decode()
    assert "Tải biên lai HK26-0000001 (PDF)" in page
    assert "25.000\u00a0đ, lập ngày" in page
    assert address in page
    assert f"/verify/{receipt.verify_code}/" in page
    download = _client(world.citizen).get(address)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert _client(world.other_citizen).get(address).status_code == 404
    assert _client(world.citizen).get(f"/my/{dossier.code}/receipts/999.pdf").status_code == 404


def test_the_applicant_pays_online_through_the_sandbox_bank_and_the_page_tells_the_truth(world):
    from urllib.parse import parse_qsl, urlsplit

    from motcua.paygate_demo.views import bank_result
    from motcua.payments.models import FeeLine, Receipt
    from motcua.payments.services import fee_line_add

    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(world)
    fee_line_add(
        dossier_code=dossier.code, collecting_unit=world.ward, name="Lệ phí", kind="charge",
        timing="before", unit_amount_vnd=30_000, now=MON,
    )  # fmt: skip
    client = _client(world.citizen)
    page = client.get(f"/my/{dossier.code}/").content.decode()
    assert '<p class="amount-due__figures">30.000\u00a0đ</p>' in page
    assert "Ba mươi nghìn đồng" in page
    assert f'action="/my/{dossier.code}/pay/"' in page

    to_bank = client.post(f"/my/{dossier.code}/pay/")
    assert to_bank.status_code == 302
    assert to_bank["Location"].startswith("/demo-bank/pay/")
    fields = dict(parse_qsl(urlsplit(to_bank["Location"]).query))
    back = f"/my/{dossier.code}/payment/return/"
    assert fields["vnp_ReturnUrl"].endswith(back)

    # coming back without the bank's result (or with a forged one) says nothing is paid yet
    waiting = client.get(back).content.decode()
    assert "Đang chờ ngân hàng xác nhận" in waiting
    forged = {**bank_result(fields, paid=True), "vnp_Amount": "100"}
    assert "Đang chờ ngân hàng xác nhận" in client.get(back, forged).content.decode()
    assert FeeLine.objects.get(dossier_code=dossier.code).state == "pending"

    # the bank's signed result: paid once, with its receipt, however often the page loads
    result = bank_result(fields, paid=True)
    for _ in range(3):
        done = client.get(back, result).content.decode()
        assert "Đã thanh toán" in done
        assert "Tải biên lai HK26-0000001 (PDF)" in done
    assert FeeLine.objects.get(dossier_code=dossier.code).state == "paid"
    assert Receipt.objects.filter(dossier_code=dossier.code).count() == 1
    page = client.get(f"/my/{dossier.code}/").content.decode()
    assert f'action="/my/{dossier.code}/pay/"' not in page
    assert "Tải biên lai" in page
    # someone else's dossier: not found
    assert _client(world.other_citizen).post(f"/my/{dossier.code}/pay/").status_code == 404


def test_the_gateway_is_named_in_the_readers_language_on_the_pay_and_return_pages(world):
    from urllib.parse import parse_qsl, urlsplit

    from motcua.paygate_demo.views import bank_result
    from motcua.payments.services import fee_line_add

    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(world)
    fee_line_add(
        dossier_code=dossier.code, collecting_unit=world.ward, name="Lệ phí", kind="charge",
        timing="before", unit_amount_vnd=30_000, now=MON,
    )  # fmt: skip
    client = _client(world.citizen)
    page = client.get(f"/my/{dossier.code}/").content.decode()
    assert "Thanh toán qua Cổng thanh toán thử nghiệm." in page
    assert "sandbox" not in page.split('id="fees-section"')[1].split("</section>")[0]
    english = _client(world.citizen)
    english.cookies["django_language"] = "en"
    assert (
        "Pay through Test payment gateway." in english.get(f"/my/{dossier.code}/").content.decode()
    )

    fields = dict(parse_qsl(urlsplit(client.post(f"/my/{dossier.code}/pay/")["Location"]).query))
    back = f"/my/{dossier.code}/payment/return/"
    cancelled = client.get(back, bank_result(fields, paid=False)).content.decode()
    assert "Cổng thanh toán: Cổng thanh toán thử nghiệm." in cancelled

    fields = dict(parse_qsl(urlsplit(client.post(f"/my/{dossier.code}/pay/")["Location"]).query))
    done = client.get(back, bank_result(fields, paid=True)).content.decode()
    assert "Qua Cổng thanh toán thử nghiệm." in done
    # the receipt on the dossier page says how it was paid, in either language
    page = client.get(f"/my/{dossier.code}/").content.decode()
    assert "Trực tuyến qua Cổng thanh toán thử nghiệm" in page
    page = english.get(f"/my/{dossier.code}/").content.decode()
    assert "Online via Test payment gateway" in page
