"""Processing a dossier through the workspace pages in Chromium: the leader assigns it, the
specialist forwards it, the leader issues the result, the officer returns it; a supplement
during processing pauses the clock and moves the appointment; a second apology is refused
with a clear message; a specialist is not offered a leader's action and a forged POST gets
a 403 page. axe-core finds no serious or critical violation on any page visited; at 360 px
the dossier page does not scroll sideways."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.core.clock import VN_TZ, local
from motcua.deadlines.clock import clock_for_unit
from motcua.dossiers.models import Dossier, DossierEvent, DossierStatus
from motcua.dossiers.services import (
    dossier_forward,
    dossier_receive_at_counter,
    dossier_request_supplement,
)
from tests.browser.test_workspace import _check
from tests.dossiers.helpers import FORM, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-2026"  # tests.factories.UserFactory


def _working_day_before(world: World, *, days: int) -> dt.date:
    clock = clock_for_unit(world.ward)
    day = local(timezone.now()).date()
    while days:
        day -= dt.timedelta(days=1)
        if clock.is_working_day(day):
            days -= 1
    return day


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VN_TZ)


def _received(world: World, *, at: dt.datetime | None = None) -> Dossier:
    return dossier_receive_at_counter(
        actor=world.officer,
        procedure_version=world.version,
        receiving_unit=world.ward,
        applicant=world.citizen,
        applicant_name="Nguyễn Văn An",
        form_data=dict(FORM),
        now=at or timezone.now() - dt.timedelta(minutes=5),
    )


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def open_as(user, *, width: int = 1366):  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(live_server.url + "/workspace/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _open(page, live_server, dossier: Dossier, name: str, weights: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + f"/workspace/dossiers/{dossier.code}/")
    assert dossier.code in page.locator("h1").inner_text()
    _check(page, name, weights)


def _act(page, action: str, button: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#action-{action}").get_by_role("button", name=button).click()
    page.wait_for_selector("#main .banner--success")


def test_a_dossier_from_assignment_to_its_return(world: World, sign_in, live_server) -> None:
    dossier = _received(world)
    weights: dict[str, int] = {}

    leader = sign_in(world.leader)
    _open(leader, live_server, dossier, "processing-assign", weights)
    current = leader.locator("tr[aria-current=step]")
    assert "Phân công xử lý" in current.inner_text()
    form = leader.locator("#action-forward")
    form.locator("select[name=to_user]").select_option(str(world.specialist.pk))
    _act(leader, "forward", "Chuyển bước xử lý")
    assert "Thẩm định hồ sơ" in leader.locator("tr[aria-current=step]").inner_text()
    _check(leader, "processing-assigned", weights)

    specialist = sign_in(world.specialist)
    _open(specialist, live_server, dossier, "processing-review", weights)
    assert specialist.locator("#action-issue_result").count() == 0
    specialist.locator("#action-forward select[name=to_user]").select_option(str(world.leader.pk))
    _act(specialist, "forward", "Chuyển bước xử lý")
    slip = specialist.locator("#slip + .table-wrap").inner_text()
    assert world.specialist.display_name in slip
    assert "Trước hạn" in slip or "Đúng hạn" in slip

    _open(leader, live_server, dossier, "processing-approve", weights)
    leader.locator("#action-issue_result select[name=outcome]").select_option("granted")
    _act(leader, "issue_result", "Ban hành kết quả")
    assert "Đã xử lý xong" in leader.locator("h1").inner_text()

    officer = sign_in(world.officer)
    _open(officer, live_server, dossier, "processing-return", weights)
    form = officer.locator("#action-return_result")
    form.locator("select[name=delivery]").select_option("counter")
    form.locator("input[name=collected_by]").fill("Trần Văn Bình")
    form.locator("input[name=collected_id_number]").fill("001099012345")
    _act(officer, "return_result", "Trả kết quả")
    assert "Đã trả kết quả" in officer.locator("h1").inner_text()
    receipt = officer.locator("#receipt + .summary-list").inner_text()
    assert "Trần Văn Bình" in receipt
    assert "001099012345" in receipt
    _check(officer, "processing-returned", weights)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    actions = list(
        DossierEvent.objects.filter(dossier=dossier)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == ["forward", "forward", "issue_result", "return_result"]

    small = sign_in(world.officer, width=360)
    _open(small, live_server, dossier, "processing-returned-360", weights)


def test_a_supplement_pauses_the_clock_and_moves_the_appointment(
    world: World, sign_in, live_server
) -> None:
    day = _working_day_before(world, days=2)
    dossier = _received(world, at=_at(day, 8))
    dossier = dossier_forward(
        dossier=dossier, actor=world.leader, to_user=world.specialist, now=_at(day, 9)
    )
    before = local(dossier.effective_appointment_at).strftime("%d/%m/%Y %H:%M")
    dossier = dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        items=[{"component": "TP1", "reason": "Thiếu chữ ký"}],
        now=_at(day, 14),
    )
    weights: dict[str, int] = {}
    officer = sign_in(world.officer)
    _open(officer, live_server, dossier, "processing-paused", weights)
    paused = officer.locator("#time-left").inner_text()
    assert "Tạm dừng tính thời gian giải quyết" in paused
    assert _at(day, 14).strftime("%d/%m/%Y 14:00") in paused
    assert before in paused
    _act(officer, "supplement", "Bổ sung hồ sơ")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    after = local(dossier.effective_appointment_at).strftime("%d/%m/%Y %H:%M")
    assert after != before  # moved by the paused working time
    shown = officer.locator("#time-left").inner_text()
    assert after in shown
    assert "làm việc" in shown
    _check(officer, "processing-supplemented", weights)


def test_a_second_apology_is_refused_clearly(world: World, sign_in, live_server) -> None:
    dossier = _received(world)
    weights: dict[str, int] = {}
    leader = sign_in(world.leader)
    _open(leader, live_server, dossier, "processing-apology", weights)
    new_date = local(dossier.appointment_at) + dt.timedelta(days=3)
    form = leader.locator("#action-apologize")
    # typed as the page asks, dd/mm/yyyy HH:MM, whatever the browser's language
    form.locator("input[name=new_appointment_at]").fill(new_date.strftime("%d/%m/%Y %H:%M"))
    form.locator("textarea[name=reason]").fill("Cần xác minh thêm với cơ quan khác")
    _act(leader, "apologize", "Xin lỗi và hẹn lại ngày trả kết quả")
    assert leader.locator("#action-apologize").count() == 0  # not offered again
    dossier.refresh_from_db()
    assert local(dossier.new_appointment_at) == new_date.replace(second=0, microsecond=0)
    token = leader.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    dossier.refresh_from_db()
    response = leader.request.post(
        live_server.url + f"/workspace/dossiers/{dossier.code}/actions/apologize/",
        form={
            "csrfmiddlewaretoken": token,
            "expected_version": str(dossier.version),
            "new_appointment_at": (new_date + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Lần nữa",
        },
        max_redirects=0,
    )
    assert response.status == 409
    assert "chỉ được hẹn lại một lần" in response.text()
    leader.set_content(response.text())
    assert "chỉ được hẹn lại một lần" in leader.locator(".banner").inner_text()


def test_a_specialist_is_denied_a_leaders_action(world: World, sign_in, live_server) -> None:
    dossier = _received(world)
    weights: dict[str, int] = {}
    specialist = sign_in(world.specialist)
    _open(specialist, live_server, dossier, "processing-specialist", weights)
    assert specialist.locator("#action-forward").count() == 0  # the leader's assignment
    assert specialist.locator("#action-apologize").count() == 0
    token = specialist.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = specialist.request.post(
        live_server.url + f"/workspace/dossiers/{dossier.code}/actions/forward/",
        form={
            "csrfmiddlewaretoken": token,
            "expected_version": str(dossier.version),
            "to_user": str(world.specialist.pk),
        },
        max_redirects=0,
    )
    assert response.status == 403
    text = response.text()
    assert re.search(r"Bạn không có quyền chuyển bước xử lý hồ sơ này", text)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
