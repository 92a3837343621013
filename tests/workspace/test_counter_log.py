"""/workspace/counter/...: legal advice turns, at-home service, the hotline log, written
through the counter services (error summary, field errors, typed values kept), read by the
unit's staff and its supervisors, with the people's data shown to the staff only and logged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.core.models import AuditEvent, DataAccessLog
from motcua.counter import services
from motcua.counter.models import HomeService, HotlineCall, LegalAdviceTurn
from tests.dossiers.helpers import MON, World, vn

pytestmark = pytest.mark.django_db


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _token(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


ADVICE = "/workspace/counter/advice/"
HOME = "/workspace/counter/home/"
HOTLINE = "/workspace/counter/hotline/"


def _turn(world: World, day: dt.date = dt.date(2026, 3, 4)) -> LegalAdviceTurn:
    return services.legal_advice_turn_plan(
        unit=world.ward,
        lawyer_name="Ls. Phạm Thu Hà",
        organisation="Đoàn Luật sư TP Hà Nội",
        day=day,
        starts=dt.time(8, 0),
        ends=dt.time(11, 0),
        actor=world.officer,
        now=MON,
    )


def _home(world: World) -> HomeService:
    return services.home_service_request(
        unit=world.ward,
        kind=HomeService.Kind.CERTIFIED_COPY,
        reason=HomeService.Reason.ELDERLY,
        person_name="Lê Thị Cúc",
        phone="0912345678",
        address="12 Hàng Bạc",
        actor=world.officer,
        now=MON,
    )


# --- legal advice ----------------------------------------------------------------------------


@freeze_time(MON)
def test_plan_a_turn_with_csrf_then_see_it_in_the_month(world: World) -> None:
    client = _client(world.officer, csrf=True)
    token = _token(client, ADVICE)
    data = {
        "unit": world.ward.code,
        "lawyer_name": "Ls. Phạm Thu Hà",
        "organisation": "",
        "day": "04/03/2026",
        "starts": "08:00",
        "ends": "11:00",
    }
    assert client.post(ADVICE, data).status_code == 403  # no CSRF token
    assert LegalAdviceTurn.objects.count() == 0
    response = client.post(ADVICE, data | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == f"{ADVICE}?unit=00070&month=2026-03"
    turn = LegalAdviceTurn.objects.get()
    assert (turn.day, turn.unit, turn.recorded_by) == (
        dt.date(2026, 3, 4),
        world.ward,
        world.officer,
    )
    assert AuditEvent.objects.filter(action="legal_advice_turn.plan").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "04/03/2026" in page
    assert "08:00–11:00" in page
    assert "Đã lên lịch lượt tư vấn của Ls. Phạm Thu Hà ngày 04/03/2026." in page


@freeze_time(MON)
def test_a_refused_turn_shows_the_error_summary_and_keeps_the_typed_values(world: World) -> None:
    client = _client(world.officer)
    response = client.post(
        ADVICE,
        {
            "unit": world.ward.code,
            "lawyer_name": "Ls. Trần Văn Bảo",
            "day": "07/03/2026",  # a Saturday: the service refuses it
            "starts": "08:00",
            "ends": "11:00",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Có lỗi cần sửa" in page
    assert 'href="#id_day"' in page
    assert "Ngày 07/03/2026 không phải ngày làm việc." in page
    assert 'value="Ls. Trần Văn Bảo"' in page
    assert 'value="07/03/2026"' in page
    # the form's own checks: a date not in dd/mm/yyyy, ends before it starts
    response = client.post(
        ADVICE,
        {"unit": "00070", "lawyer_name": "X", "day": "2026/13/40", "starts": "10:00", "ends": "09"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nhập ngày theo dạng ngày/tháng/năm" in page
    assert LegalAdviceTurn.objects.count() == 0


def test_record_a_held_turn_and_cancel_another(world: World) -> None:
    held = _turn(world, dt.date(2026, 3, 2))
    other = _turn(world, dt.date(2026, 3, 5))
    client = _client(world.officer)
    with freeze_time(vn(2026, 3, 2, 11, 30)):
        missing = client.post(
            f"{ADVICE}{held.pk}/record/", {"record-people_served": "3", "record-topics": ""}
        )
        assert missing.status_code == 400
        assert "Thông tin này là bắt buộc." in missing.content.decode()  # topics for 3 people
        done = client.post(
            f"{ADVICE}{held.pk}/record/",
            {"record-people_served": "3", "record-topics": "Đất đai; thừa kế"},
        )
        assert done.status_code == 302
        early = client.post(
            f"{ADVICE}{other.pk}/record/", {"record-people_served": "1", "record-topics": "x"}
        )
        assert "Lượt tư vấn chưa diễn ra." in early.content.decode()
        no_reason = client.post(f"{ADVICE}{other.pk}/cancel/", {"cancel-reason": ""})
        assert no_reason.status_code == 400
        cancelled = client.post(f"{ADVICE}{other.pk}/cancel/", {"cancel-reason": "Luật sư ốm"})
        assert cancelled.status_code == 302
        page = client.get(f"{ADVICE}?unit=00070&month=2026-03").content.decode()
    held.refresh_from_db()
    other.refresh_from_db()
    assert (held.status, held.people_served) == ("held", 3)
    assert (other.status, other.note) == ("cancelled", "Luật sư ốm")
    totals = re.search(r'id="advice-totals">(.*?)</dl>', page, re.S)
    assert totals is not None
    assert re.findall(r"<dd>(\d+)</dd>", totals.group(1)) == ["1", "1", "3"]


def test_another_units_staff_and_citizens_are_refused(world: World) -> None:
    turn = _turn(world)
    with freeze_time(MON):
        other = _client(world.other_officer)
        assert other.get(f"{ADVICE}{turn.pk}/").status_code == 404
        refused = other.post(f"{ADVICE}{turn.pk}/cancel/", {"cancel-reason": "x"})
        assert refused.status_code == 404
        # choosing the ward by code does not help: they only get their own unit
        page = other.get(f"{ADVICE}?unit=00070").content.decode()
        assert "Ls. Phạm Thu Hà" not in page
        citizen = _client(world.citizen)
        assert citizen.get(ADVICE).status_code == 403
        assert citizen.post(ADVICE, {"unit": "00070"}).status_code == 403
    turn.refresh_from_db()
    assert turn.status == "planned"


def test_a_supervisor_reads_but_cannot_write(world: World) -> None:
    turn = _turn(world)
    client = _client(world.supervisor)
    with freeze_time(MON):
        page = client.get(f"{ADVICE}?unit=00070").content.decode()
        assert "Ls. Phạm Thu Hà" in page
        assert "Lên lịch lượt tư vấn" not in page  # no form
        refused = client.post(
            ADVICE,
            {
                "unit": "00070",
                "lawyer_name": "X",
                "day": "04/03/2026",
                "starts": "08:00",
                "ends": "09:00",
            },
        )
        assert refused.status_code == 403
        assert client.post(f"{ADVICE}{turn.pk}/cancel/", {"cancel-reason": "x"}).status_code == 403
    assert LegalAdviceTurn.objects.count() == 1


# --- at-home service -------------------------------------------------------------------------


@freeze_time(MON)
def test_request_schedule_and_complete_an_at_home_service(world: World) -> None:
    client = _client(world.officer)
    bad = client.post(
        f"{HOME}new/",
        {
            "unit": "00070",
            "kind": "certified_copy",
            "reason": "other",
            "person_name": "Lê Thị Cúc",
            "phone": "12ab",
            "address": "12 Hàng Bạc",
            "details": "",
            "channel": "phone",
            "preferred_day": "05/03/2026",
        },
    )
    assert bad.status_code == 400
    assert "Ghi rõ lý do khi chọn lý do khác." in bad.content.decode()
    assert 'value="Lê Thị Cúc"' in bad.content.decode()
    made = client.post(
        f"{HOME}new/",
        {
            "unit": "00070",
            "kind": "certified_copy",
            "reason": "elderly",
            "person_name": "Lê Thị Cúc",
            "phone": "0912 345 678",
            "address": "12 Hàng Bạc",
            "channel": "phone",
            "preferred_day": "05/03/2026",
        },
    )
    assert made.status_code == 302
    service = HomeService.objects.get()
    assert service.phone == "0912345678"
    url = f"{HOME}{service.pk}/"
    assert made["Location"] == url
    outside = client.post(
        f"{url}schedule/",
        {
            "schedule-day": "05/03/2026",
            "schedule-time": "12:00",
            "schedule-officer": world.officer.pk,
        },
    )
    assert outside.status_code == 400
    page = outside.content.decode()
    assert "Lịch phục vụ phải trong giờ làm việc của một ngày làm việc." in page
    assert 'href="#id_schedule-day"' in page
    stranger = client.post(
        f"{url}schedule/",
        {
            "schedule-day": "05/03/2026",
            "schedule-time": "09:00",
            "schedule-officer": world.other_officer.pk,
        },
    )
    assert stranger.status_code == 400  # not in the select of the unit's staff
    done = client.post(
        f"{url}schedule/",
        {
            "schedule-day": "05/03/2026",
            "schedule-time": "09:00",
            "schedule-officer": world.specialist.pk,
        },
    )
    assert done.status_code == 302
    service.refresh_from_db()
    assert service.status == "scheduled"
    assert service.assigned_to == world.specialist
    assert service.scheduled_for == vn(2026, 3, 5, 9, 0)
    completed = client.post(
        f"{url}complete/", {"complete-outcome": "Chứng thực 3 bản", "complete-reference": "CT-12"}
    )
    assert completed.status_code == 302
    service.refresh_from_db()
    assert (service.status, service.reference) == ("done", "CT-12")
    assert client.get(HOME).content.decode().count("Lê Thị Cúc") == 0  # no longer open


def test_the_open_list_is_by_schedule_phone_for_staff_only_and_logged(world: World) -> None:
    first = _home(world)
    second = services.home_service_request(
        unit=world.ward,
        kind=HomeService.Kind.RECEPTION,
        reason=HomeService.Reason.DISABLED,
        person_name="Đỗ Văn Đông",
        phone="0987654321",
        address="5 Lý Thái Tổ",
        actor=world.officer,
        now=MON,
    )
    services.home_service_schedule(
        service=second,
        when=vn(2026, 3, 3, 8, 0),
        officer=world.officer,
        actor=world.officer,
        now=MON,
    )
    with freeze_time(MON):
        page = _client(world.officer).get(HOME).content.decode()
        assert page.index("Đỗ Văn Đông") < page.index("Lê Thị Cúc")  # scheduled first
        assert "0912345678" in page
        assert "12 Hàng Bạc" in page
        logged = DataAccessLog.objects.filter(actor=world.officer, purpose="counter_list")
        assert sorted(logged.values_list("subject_id", flat=True)) == sorted(
            [str(first.pk), str(second.pk)]
        )
        seen = _client(world.supervisor).get(f"{HOME}?unit=00070").content.decode()
        assert "Lê Thị Cúc" in seen
        assert "0912345678" not in seen
        assert "12 Hàng Bạc" not in seen
        assert "Ghi yêu cầu mới" not in seen
        item = _client(world.supervisor).get(f"{HOME}{first.pk}/").content.decode()
        assert "0912345678" not in item
        assert "Hẹn lịch phục vụ" not in item
        assert _client(world.other_officer).get(f"{HOME}{first.pk}/").status_code == 404


@freeze_time(MON)
def test_cancel_a_request_with_a_reason(world: World) -> None:
    service = _home(world)
    client = _client(world.officer)
    assert client.post(f"{HOME}{service.pk}/cancel/", {"cancel-reason": " "}).status_code == 400
    assert (
        client.post(f"{HOME}{service.pk}/cancel/", {"cancel-reason": "Gia đình tự đến"}).status_code
        == 302
    )
    service.refresh_from_db()
    assert service.status == "cancelled"
    assert (
        _client(world.other_officer)
        .post(f"{HOME}{service.pk}/cancel/", {"cancel-reason": "x"})
        .status_code
        == 404
    )


# --- the hotline ------------------------------------------------------------------------------


@freeze_time(MON)
def test_log_calls_by_day_and_call_back(world: World) -> None:
    client = _client(world.officer, csrf=True)
    token = _token(client, HOTLINE)
    data = {
        "csrfmiddlewaretoken": token,
        "unit": "00070",
        "day": "02/03/2026",
        "time": "08:40",
        "caller_name": "Bà Hoa",
        "caller_phone": "",
        "topic": "dossier",
        "procedure_code": "",
        "dossier_code": "00070-260302-0001",
        "summary": "Hỏi tiến độ hồ sơ",
        "outcome": "callback",
    }
    refused = client.post(HOTLINE, data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'href="#id_caller_phone"' in page
    assert "Cần số điện thoại." in page
    assert "Hỏi tiến độ hồ sơ" in page  # kept
    future = client.post(HOTLINE, data | {"time": "10:00", "caller_phone": "0912345678"})
    assert "Thời điểm gọi không được ở tương lai." in future.content.decode()
    done = client.post(HOTLINE, data | {"caller_phone": "0912345678"})
    assert done.status_code == 302
    assert done["Location"] == f"{HOTLINE}?unit=00070&day=2026-03-02"
    call = HotlineCall.objects.get()
    page = client.get(done["Location"]).content.decode()
    assert "00070-260302-0001" in page
    assert "0912345678" in page
    assert re.search(r'id="callbacks".*Bà Hoa', page, re.S)
    other_day = client.get(f"{HOTLINE}?unit=00070&day=2026-03-03").content.decode()
    assert "Không có cuộc gọi nào trong ngày này." in other_day
    assert DataAccessLog.objects.filter(subject_type="counter.hotlinecall").exists()
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(world.officer)
    assert forged.post(f"{HOTLINE}{call.pk}/called-back/").status_code == 403
    back = client.post(f"{HOTLINE}{call.pk}/called-back/", {"csrfmiddlewaretoken": token})
    assert back.status_code == 302
    call.refresh_from_db()
    assert call.callback_done_at is not None
    assert "Không còn cuộc gọi nào hẹn gọi lại." in client.get(HOTLINE).content.decode()
    assert _client(world.other_officer).post(f"{HOTLINE}{call.pk}/called-back/").status_code == 404
