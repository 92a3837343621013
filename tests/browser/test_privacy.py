"""Personal data in Chromium at 360 px: the demo citizen sees what is held about them and who
read it, downloads the JSON export and files a restriction request; the demo privacy officer
answers it in the workspace; the citizen reads the answer. axe-core finds no serious or
critical violation on any page; nothing scrolls sideways; every page weighs < 150 KB."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.dossiers.selectors import dossier_get_for_actor
from motcua.privacy.models import DataSubjectRequest, RequestStatus
from tests.dossiers.helpers import World, submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = Path(
    os.environ.get("MOTCUA_SCREENSHOTS", Path(__file__).parents[2] / "var" / "screenshots")
)
PAGE_BUDGET = 150 * 1024


def _axe_violations(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    return list(found)


def _check(page, name: str, weights: dict[str, int]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert _axe_violations(page) == [], name
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    assert wide <= viewport, f"{name}: {wide}px wide in a {viewport}px window"
    total = sum(weights.values())
    assert total < PAGE_BUDGET, (name, total, weights)
    weights.clear()


@pytest.fixture
def small_page(browser, live_server):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    page = context.new_page()
    weights: dict[str, int] = {}
    blocked: list[str] = []

    def on_response(response) -> None:
        if response.url.startswith(live_server.url) and response.request.resource_type != "fetch":
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect or a download has no body here
                weights[response.url] = 0

    page.on("response", on_response)
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page, weights, blocked
    context.close()


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_citizen_sees_exports_and_asks_and_the_officer_answers(
    small_page, live_server, world: World, tmp_path: Path
) -> None:
    now = timezone.now()
    demo_accounts_load(now=now)
    citizen = User.objects.get(username="congdan")
    dossier = submitted(world, applicant=citizen, now=now)
    officer = User.objects.get(username="motcua.hoankiem")
    dossier_get_for_actor(actor=officer, code=dossier.code, now=now)
    page, weights, blocked = small_page

    _sign_in(page, live_server, "congdan")
    page.goto(live_server.url + "/my/data/")
    assert page.locator("h1").inner_text() == "Dữ liệu cá nhân của tôi"
    assert dossier.code in page.locator("#main").inner_text()
    _check(page, "privacy-my-data-360", weights)

    page.get_by_role("link", name="Ai đã xem").click()
    page.wait_for_url(live_server.url + "/my/data/reads/")
    table = page.locator("table").inner_text()
    assert "Cán bộ một cửa" in table
    assert "Phường Hoàn Kiếm" in table
    assert "Mở hồ sơ để xem hoặc xử lý" in table
    _check(page, "privacy-reads-360", weights)

    page.goto(live_server.url + "/my/data/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải về (JSON)").click()
    saved = tmp_path / "export.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["schema"] == "motcua.personal-data/1"
    assert data["person"]["username"] == "congdan"
    assert [d["code"] for d in data["sections"]["dossiers"]["entries"]] == [dossier.code]
    assert data["reads"][0]["purpose"] == "dossier_view"
    weights.clear()

    page.get_by_role("link", name="Gửi yêu cầu hạn chế, sửa, xoá").click()
    page.wait_for_url(live_server.url + "/my/data/requests/new/")
    _check(page, "privacy-request-new-360", weights)
    page.get_by_role("button", name="Gửi yêu cầu").click()  # nothing chosen: the errors
    assert page.locator(".error-summary").count() == 1
    _check(page, "privacy-request-errors-360", weights)
    page.get_by_label("Hạn chế xử lý dữ liệu").check()
    page.get_by_label("Kho dữ liệu cá nhân").check()
    page.get_by_label("Lý do, hoặc điều bạn muốn").fill("Tạm dừng dùng lại giấy tờ của tôi.")
    page.get_by_role("button", name="Gửi yêu cầu").click()
    page.wait_for_url("**/my/data/requests/*/")
    request = DataSubjectRequest.objects.get(person=citizen)
    assert request.status == RequestStatus.RECEIVED
    assert "Đã nhận yêu cầu số" in page.locator("#main").inner_text()
    _check(page, "privacy-request-360", weights)
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()

    _sign_in(page, live_server, "baove.dulieu")
    page.goto(live_server.url + "/workspace/privacy/")
    assert f"#{request.pk}" in page.locator("table").inner_text()
    _check(page, "privacy-queue-360", weights)
    page.get_by_role("link", name=f"#{request.pk}").click()
    page.wait_for_url(f"**/workspace/privacy/{request.pk}/")
    assert dossier.code in page.locator("#main").inner_text()
    _check(page, "privacy-request-staff-360", weights)
    page.get_by_role("button", name="Nhận xử lý").click()
    page.wait_for_load_state()
    page.get_by_label("Đã thực hiện theo yêu cầu").check()
    page.get_by_label("Trả lời người yêu cầu").fill("Đã dừng dùng lại giấy tờ trong kho.")
    page.get_by_role("button", name="Gửi trả lời").click()
    page.wait_for_selector(".banner--success")
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    assert request.handled_by == User.objects.get(username="baove.dulieu")
    _check(page, "privacy-answered-360", weights)
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()

    _sign_in(page, live_server, "congdan")
    page.goto(live_server.url + f"/my/data/requests/{request.pk}/")
    assert "Đã dừng dùng lại giấy tờ trong kho." in page.locator("#main").inner_text()
    _check(page, "privacy-answer-seen-360", weights)
    assert blocked == []
