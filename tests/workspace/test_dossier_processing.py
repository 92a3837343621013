"""/workspace/dossiers/<code>/: the internal process, the process control slip (form 06), the
documents (shown inline, reads logged), the remaining time; returning to the previous step
and returning the result (counter receipt, post tracking number) through the page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.core.models import DataAccessLog
from motcua.dossiers.models import Dossier, DossierEvent, DossierStatus, StepRun
from motcua.dossiers.services import (
    dossier_file_add,
    dossier_issue_result,
    dossier_request_supplement,
)
from tests.documents.samples import pdf_bytes
from tests.dossiers.helpers import World, at_leader_step, processing, vn

pytestmark = pytest.mark.django_db

AT = vn(2026, 3, 3, 9)  # Tuesday


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _page(user, dossier: Dossier) -> str:  # type: ignore[no-untyped-def]
    with freeze_time(AT):
        response = _client(user).get(f"/workspace/dossiers/{dossier.code}/")
    assert response.status_code == 200
    return response.content.decode()


def _finished(world: World) -> Dossier:
    return dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 3, 16)
    )


def test_the_page_shows_the_process_the_slip_and_the_time_left(world: World) -> None:
    dossier = processing(world)  # review by the specialist, due Wed 4 Mar 10:00
    page = _page(world.specialist, dossier)
    # the internal process: every step in order, the current one marked, allotments
    for name in ("Tiếp nhận hồ sơ", "Phân công xử lý", "Thẩm định hồ sơ", "Lãnh đạo ký duyệt"):
        assert name in page
    assert 'aria-current="step"' in page
    current = page.split('aria-current="step"', 1)[1].split("</tr>", 1)[0]
    assert "Thẩm định hồ sơ" in current
    assert "16" in current
    assert "04/03/2026 10:00" in current
    assert world.specialist.display_name in current
    # the slip: the leader gave the review to the specialist at 10:00
    slip = page.split('id="slip"', 1)[1].split("</table>", 1)[0]
    assert "02/03/2026 10:00" in slip
    assert world.leader.display_name in slip
    assert world.specialist.display_name in slip
    assert "Trước hạn" in slip or "Đúng hạn" in slip  # the assignment step was classified
    # the remaining working time to the appointment
    assert "làm việc" in page.split('id="time-left"', 1)[1][:400]
    # the timeline in dd/mm/yyyy HH:MM with who
    assert "02/03/2026 10:00" in page.split("Quá trình xử lý", 1)[1]


def test_return_to_the_previous_step_needs_a_reason_and_marks_the_slip(world: World) -> None:
    dossier = at_leader_step(world)  # the leader's approval
    page = _page(world.leader, dossier)
    assert "Trả lại bước xử lý trước" in page
    client = _client(world.leader)
    url = f"/workspace/dossiers/{dossier.code}/actions/return_step/"
    with freeze_time(AT):
        refused = client.post(url, {"expected_version": dossier.version, "reason": ""})
    assert refused.status_code == 400
    assert "Cần ghi rõ lý do" in refused.content.decode()
    with freeze_time(AT):
        done = client.post(
            url, {"expected_version": dossier.version, "reason": "Thiếu ý kiến thẩm định"}
        )
    assert done.status_code == 302
    fresh = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
    assert fresh.status == DossierStatus.PROCESSING
    assert fresh.current_step is not None
    assert fresh.current_step.name == "Thẩm định hồ sơ"
    assert fresh.current_step.assignee == world.specialist  # who did it last
    returned = StepRun.objects.get(dossier=dossier, name="Lãnh đạo ký duyệt")
    assert returned.finished_at == AT
    assert "Trả lại bước “Thẩm định hồ sơ”: Thiếu ý kiến thẩm định" in returned.note
    event = DossierEvent.objects.filter(dossier=dossier).latest("seq")
    assert event.action == "return_step"
    assert event.reason == "Thiếu ý kiến thẩm định"
    page = _page(world.specialist, fresh)
    assert "Trả lại bước “Thẩm định hồ sơ”" in page  # on the slip
    assert "Trả lại bước xử lý trước" in page.split("Quá trình xử lý", 1)[1]  # the timeline


def test_the_first_processing_step_cannot_be_returned(world: World) -> None:
    from tests.dossiers.helpers import received

    dossier = received(world)  # status 2: the leader's assignment, after reception
    assert "Trả lại bước xử lý trước" not in _page(world.leader, dossier)


def test_return_by_post_needs_the_tracking_number(world: World) -> None:
    dossier = _finished(world)
    page = _page(world.officer, dossier)
    assert 'name="delivery"' in page
    assert "Gửi qua dịch vụ bưu chính công ích" in page
    client = _client(world.officer)
    url = f"/workspace/dossiers/{dossier.code}/actions/return_result/"
    with freeze_time(AT.replace(day=4)):
        refused = client.post(url, {"expected_version": dossier.version, "delivery": "post"})
        assert refused.status_code == 400
        assert "số hiệu bưu gửi" in refused.content.decode()
        done = client.post(
            url,
            {
                "expected_version": dossier.version,
                "delivery": "post",
                "tracking_number": "EL123456789VN",
            },
        )
    assert done.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RETURNED
    event = DossierEvent.objects.filter(dossier=dossier).latest("seq")
    assert event.after["receipt"] == {"delivery": "post", "tracking_number": "EL123456789VN"}
    page = _page(world.officer, dossier)
    assert "Phiếu trả kết quả" in page
    assert "EL123456789VN" in page


def test_return_at_the_counter_records_who_collected_it(world: World) -> None:
    dossier = _finished(world)
    with freeze_time(vn(2026, 3, 4, 9)):
        done = _client(world.officer).post(
            f"/workspace/dossiers/{dossier.code}/actions/return_result/",
            {
                "expected_version": dossier.version,
                "delivery": "counter",
                "collected_by": "Trần Văn Bình",
                "collected_id_number": "001099012345",
            },
        )
    assert done.status_code == 302
    receipt = DossierEvent.objects.filter(dossier=dossier).latest("seq").after["receipt"]
    assert receipt["collected_by"] == "Trần Văn Bình"
    assert receipt["collected_id_number"] == "001099012345"
    page = _page(world.officer, dossier)
    assert "Trần Văn Bình" in page
    assert "001099012345" in page
    assert "04/03/2026 09:00" in page.split("Phiếu trả kết quả", 1)[1]


def test_the_paused_clock_is_shown_during_a_supplement(world: World) -> None:
    dossier = dossier_request_supplement(
        dossier=processing(world),
        actor=world.specialist,
        items=[{"component": "TP1", "reason": "Thiếu chữ ký"}],
        now=vn(2026, 3, 2, 14),
    )
    page = _page(world.officer, dossier)
    block = page.split('id="time-left"', 1)[1][:600]
    assert "Tạm dừng tính thời gian giải quyết" in block
    assert "02/03/2026 14:00" in block


def test_a_pdf_opens_inline_with_the_read_logged(world: World) -> None:
    dossier = processing(world)
    link = dossier_file_add(
        dossier=dossier,
        actor=world.officer,
        component="TP1",
        upload=io.BytesIO(pdf_bytes(2)),
        name="to-khai.pdf",
        now=vn(2026, 3, 2, 11),
    )
    page = _page(world.specialist, dossier)
    url = f"/workspace/dossiers/{dossier.code}/files/{link.file_id}/"
    assert url in page
    assert "to-khai.pdf" in page
    assert "2 trang" in page
    before = DataAccessLog.objects.filter(subject_type="file").count()
    with freeze_time(AT):
        response = _client(world.specialist).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert DataAccessLog.objects.filter(subject_type="file").count() == before + 1
    # another unit: not found, and the file of another dossier's code is not found either
    with freeze_time(AT):
        assert _client(world.other_officer).get(url).status_code == 404
        other = processing(world, now=vn(2026, 3, 2, 13))
        wrong = f"/workspace/dossiers/{other.code}/files/{link.file_id}/"
        assert _client(world.specialist).get(wrong).status_code == 404


def test_a_specialist_cannot_issue_the_result_by_a_forged_post(world: World) -> None:
    dossier = at_leader_step(world)
    page = _page(world.specialist, dossier)
    assert "Ban hành kết quả" not in page.split('id="actions"', 1)[1].split("</h2>", 2)[1]
    with freeze_time(AT):
        response = _client(world.specialist).post(
            f"/workspace/dossiers/{dossier.code}/actions/issue_result/",
            {"expected_version": dossier.version, "outcome": "granted"},
        )
    assert response.status_code == 403
    assert "Bạn không có quyền ban hành kết quả hồ sơ này" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSING


def test_the_dossier_page_makes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    dossier = at_leader_step(world)
    for n in range(3):
        dossier_file_add(
            dossier=dossier,
            actor=world.officer,
            component="TP1",
            upload=io.BytesIO(pdf_bytes()),
            name=f"f{n}.pdf",
            now=vn(2026, 3, 3, 15, 10 + n),
        )
    client = _client(world.leader)
    with freeze_time(AT):
        client.get(f"/workspace/dossiers/{dossier.code}/")  # warm the caches
        # Issue 8: at most 10, whatever the number of steps, events and files (the session,
        # the user, the staff nav and the read's log included).
        with django_assert_max_num_queries(10):
            response = client.get(f"/workspace/dossiers/{dossier.code}/")
    page = response.content.decode()
    assert page.count("/files/") >= 3  # the three files are listed
    assert "Lãnh đạo ký duyệt" in page  # the slip and the process are there


def test_consult_another_unit_then_its_answer_lets_the_holder_go_on(world: World) -> None:
    dossier = processing(world)  # the specialist's review
    page = _page(world.specialist, dossier)
    assert "Xin ý kiến đơn vị khác" in page
    assert f'<option value="{world.other_ward.code}"' in page
    assert "ví dụ 15/12/2026 16:00" in page  # the deadline's field says how to type it
    assert 'type="datetime-local"' not in page  # not the browser's own order
    with freeze_time(AT):
        asked = _client(world.specialist).post(
            f"/workspace/dossiers/{dossier.code}/actions/consult/",
            {
                "expected_version": dossier.version,
                "to_unit": world.other_ward.code,
                "answer_by": "05/03/2026 17:00",  # as the page asks: dd/mm/yyyy HH:MM
                "reason": "Xin ý kiến về ranh giới thửa đất",
            },
        )
    assert asked.status_code == 302
    row = StepRun.objects.get(dossier=dossier, kind="consult")
    assert row.unit == world.other_ward
    assert row.due_at == vn(2026, 3, 5, 17)
    assert row.finished_at is None
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.current_step_id == dossier.current_step_id  # the holder keeps it
    page = _page(world.specialist, fresh)
    assert "Chuyển bước xử lý" not in page.split('id="actions"', 1)[1].split("Quy trình", 1)[0]
    assert "Đang chờ trả lời" in page
    # the consulted unit's leader sees the dossier and answers
    page = _page(world.other_leader, fresh)
    assert "Trả lời xin ý kiến" in page
    with freeze_time(vn(2026, 3, 4, 9)):
        answered = _client(world.other_leader).post(
            f"/workspace/dossiers/{dossier.code}/actions/answer_consult/",
            {"expected_version": fresh.version, "reason": "Thống nhất ranh giới"},
        )
    assert answered.status_code == 302
    row.refresh_from_db()
    assert row.finished_by == world.other_leader
    assert row.result == "early"
    assert "Thống nhất ranh giới" in row.note
    page = _page(world.specialist, Dossier.objects.get(pk=dossier.pk))
    assert "Chuyển bước xử lý" in page  # the holder may go on


def test_the_receipt_of_return_is_linked_after_the_counter_return(world: World) -> None:
    from motcua.dossiers.services import dossier_issue_result, dossier_return_result
    from tests.dossiers.helpers import at_leader_step
    from tests.pdftools import text_of

    dossier = at_leader_step(world)
    dossier = dossier_issue_result(dossier=dossier, actor=world.leader, now=vn(2026, 3, 5, 9))
    client = Client()
    client.force_login(world.officer)
    url = f"/workspace/dossiers/{dossier.code}/forms/return-receipt.pdf"
    with freeze_time(vn(2026, 3, 6, 10)):
        assert url not in client.get(f"/workspace/dossiers/{dossier.code}/").content.decode()
        assert client.get(url).status_code == 409
        dossier_return_result(dossier=dossier, actor=world.officer, now=vn(2026, 3, 6, 10))
        page = client.get(f"/workspace/dossiers/{dossier.code}/").content.decode()
        assert f'<a href="{url}">In biên nhận trả kết quả (PDF)</a>' in page
        assert "Biên nhận trả kết quả giải quyết hồ sơ (A5, PDF)" in page
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "BIÊN NHẬN TRẢ KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text_of(response.content)
        other = Client()
        other.force_login(world.other_officer)
        assert other.get(url).status_code == 404


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("05/03/2026 17:00", vn(2026, 3, 5, 17)),
        ("5/3/2026 9:30", vn(2026, 3, 5, 9, 30)),
        (" 05/03/2026   17h ", vn(2026, 3, 5, 17)),
        ("05/03/2026 17h30", vn(2026, 3, 5, 17, 30)),
        ("2026-03-05T17:00", vn(2026, 3, 5, 17)),  # an older page, a script
        ("2026-03-05T10:00:00+00:00", vn(2026, 3, 5, 17)),
    ],
)
def test_a_typed_moment_is_read_in_viet_nam_time(typed: str, meant: object) -> None:
    from motcua.workspace.views import _local_datetime

    assert dt.datetime.fromisoformat(_local_datetime(typed, field="answer_by")) == meant


def test_a_moment_typed_wrong_is_refused_in_the_officers_terms(world: World) -> None:
    dossier = processing(world)
    version = dossier.version
    with freeze_time(AT):
        refused = _client(world.specialist).post(
            f"/workspace/dossiers/{dossier.code}/actions/consult/",
            {
                "expected_version": version,
                "to_unit": world.other_ward.code,
                "answer_by": "03/05/26 5pm",
                "reason": "Xin ý kiến về ranh giới thửa đất",
            },
        )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Nhập ngày giờ theo dạng ngày/tháng/năm giờ:phút, ví dụ 15/12/2026 16:00." in page
    assert "ISO 8601" not in page
    assert 'value="03/05/26 5pm"' in page  # what was typed stays, with the reason
    assert "Xin ý kiến về ranh giới thửa đất" in page
    assert not StepRun.objects.filter(dossier=dossier, kind="consult").exists()
    assert Dossier.objects.get(pk=dossier.pk).version == version
