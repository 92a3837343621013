"""The workspace's counter pages and procedure administration in Chromium: axe-core finds no
serious or critical violation, nothing scrolls sideways at 360 px, the CSP blocks nothing,
and the internal process editor's summary is re-rendered by htmx when an allotment changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.counter import services
from motcua.counter.models import HomeService, HotlineCall
from motcua.deadlines.clock import clock_for_unit
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.organisation.models import Unit
from motcua.organisation.services import unit_tree_load
from tests.browser.test_workspace import _check, officer_page

__all__ = ["officer_page"]  # the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city() -> Unit:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)
    ward = Unit.objects.get(code="00070")
    officer = User.objects.get(username="motcua.hoankiem")
    clock = clock_for_unit(ward)
    day = local(now).date() + dt.timedelta(days=1)
    while not clock.is_working_day(day):
        day += dt.timedelta(days=1)
    services.legal_advice_turn_plan(
        unit=ward,
        lawyer_name="Ls. Phạm Thu Hà",
        organisation="Đoàn Luật sư TP Hà Nội",
        day=day,
        starts=dt.time(8, 0),
        ends=dt.time(11, 0),
        actor=officer,
        now=now,
    )
    services.home_service_request(
        unit=ward,
        kind=HomeService.Kind.CERTIFIED_COPY,
        reason=HomeService.Reason.ELDERLY,
        person_name="Lê Thị Cúc",
        phone="0912345678",
        address="12 Hàng Bạc, phường Hoàn Kiếm",
        details="Chứng thực 3 bản sao sổ hộ khẩu",
        actor=officer,
        now=now,
    )
    services.hotline_call_record(
        unit=ward,
        at=now - dt.timedelta(minutes=5),
        topic=HotlineCall.Topic.DOSSIER,
        summary="Hỏi tiến độ hồ sơ đăng ký khai sinh",
        outcome=HotlineCall.Outcome.CALLBACK,
        caller_name="Bà Hoa",
        caller_phone="0987654321",
        actor=officer,
        now=now,
    )
    return ward


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/workspace/")


@pytest.mark.parametrize("width", [1366, 360])
def test_the_counter_pages(officer_page, live_server, city, width: int) -> None:
    page, weights, blocked = officer_page
    page.set_viewport_size({"width": width, "height": 768})
    _sign_in(page, live_server, "motcua.hoankiem")
    page.get_by_role("link", name="Quanh quầy").click()
    page.wait_for_selector("h1")
    assert "Tư vấn pháp luật miễn phí" in page.locator("h1").inner_text()
    _check(page, f"counter-advice-{width}", weights)
    page.get_by_role("button", name="Lên lịch").click()  # empty: the error summary
    page.wait_for_selector(".error-summary")
    _check(page, f"counter-advice-errors-{width}", weights)
    page.get_by_role("link", name="Phục vụ tại nhà, lưu động").click()
    page.wait_for_selector("text=Lê Thị Cúc")
    _check(page, f"counter-home-{width}", weights)
    page.locator("table a").first.click()
    page.wait_for_selector("#schedule")
    _check(page, f"counter-home-item-{width}", weights)
    page.goto(live_server.url + "/workspace/counter/home/new/")
    _check(page, f"counter-home-new-{width}", weights)
    page.goto(live_server.url + "/workspace/counter/hotline/")
    assert "Bà Hoa" in page.locator("#callbacks").inner_text()
    _check(page, f"counter-hotline-{width}", weights)
    page.locator("#callbacks").get_by_role("button").first.click()
    page.wait_for_selector("text=Không còn cuộc gọi nào hẹn gọi lại.")
    assert blocked == []


@pytest.mark.parametrize("width", [1366, 360])
def test_procedure_administration(officer_page, live_server, city, width: int) -> None:
    page, weights, blocked = officer_page
    page.set_viewport_size({"width": width, "height": 768})
    _sign_in(page, live_server, "quantri.thutuc")
    page.get_by_role("link", name="Quản trị thủ tục").click()
    page.wait_for_selector("table")
    _check(page, f"procedures-{width}", weights)
    version = (
        ProcedureVersion.objects.filter(status="published", steps__isnull=False)
        .select_related("procedure")
        .order_by("procedure__code")
        .first()
    )
    assert version is not None
    code = version.procedure.code
    page.goto(live_server.url + f"/workspace/procedures/{code}/v{version.number}/")
    assert "chỉ để xem" in page.locator("main").inner_text()
    _check(page, f"procedure-published-{width}", weights)
    page.get_by_role("button", name="Tạo dự thảo mới từ phiên bản này").click()
    page.wait_for_selector("input[name=steps-0-name]")
    _check(page, f"procedure-draft-{width}", weights)
    # htmx: changing an allotment re-renders the summary without a reload
    before = page.locator("#time-fit").inner_text()
    hours = page.locator("#id_steps-0-allotment_hours")
    hours.fill("999")
    hours.dispatch_event("change")
    page.wait_for_selector("#time-fit.time-fit--over")
    assert page.locator("#time-fit").inner_text() != before
    assert "VƯỢT" in page.locator("#time-fit").inner_text()
    # move the second step up, then save: the order is stored
    second = page.locator("#id_steps-1-name").input_value()
    page.locator("#step-1").get_by_role("button", name="Lên").click()
    page.wait_for_selector(".banner--warning")
    assert page.locator("#id_steps-0-name").input_value() == second
    page.get_by_role("button", name="Lưu quy trình").click()
    page.wait_for_selector(".banner--success")
    draft = ProcedureVersion.objects.get(procedure__code=code, status="draft")
    assert draft.steps.get(order=1).name == second
    page.get_by_role("button", name="Công bố phiên bản này").click()
    page.wait_for_selector(".error-summary")
    assert "vượt thời hạn" in page.locator(".error-summary").inner_text()
    _check(page, f"procedure-refused-{width}", weights)
    assert blocked == []
