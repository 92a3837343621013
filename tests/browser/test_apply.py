"""Apply online in Chromium, with JavaScript on and off, at 360 px: the demo citizen signs in,
applies for "Cấp bản sao từ sổ gốc" (HN.DEMO.013, offered fully online) with the e-form
prefilled from the verified identity and the identity card reused from the data store in
one click, submits and gets the receipt. On every page axe-core finds no serious or critical
violation, nothing scrolls sideways, the page weighs less than 150 KB and the CSP blocks
nothing (with JavaScript off, no script runs in the page, axe neither: screenshots and
weights)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.demo.datastore import demo_datastore_load
from motcua.dossiers.models import ComponentSource, Dossier, DossierComponentSource, DossierStatus
from motcua.organisation.services import unit_tree_load
from tests.browser.test_workspace import PAGE_BUDGET, SHOTS, _check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCEDURE = "HN.DEMO.013"


@pytest.fixture
def demo_city() -> None:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)
    demo_datastore_load(now=now)


@pytest.fixture(params=["js", "no-js"])
def citizen_page(request: pytest.FixtureRequest, browser, live_server):
    javascript = request.param == "js"
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 800}, java_script_enabled=javascript
    )
    page = context.new_page()
    weights: dict[str, int] = {}
    blocked: list[str] = []

    def on_response(response) -> None:
        if response.url.startswith(live_server.url):
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect has no body
                weights[response.url] = 0

    page.on("response", on_response)
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page, weights, blocked, request.param
    context.close()


def _look(page, name: str, weights: dict[str, int], mode: str) -> None:
    """With JavaScript: axe, width and weight (`_check`). Without, no script can run in the
    page (axe neither): the screenshot and the weight; the JS run checks the same pages."""
    if mode == "js":
        _check(page, name, weights)
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert sum(weights.values()) < PAGE_BUDGET, (name, weights)
    weights.clear()


def _continue(page) -> None:
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_load_state()


def test_the_citizen_applies_online(citizen_page, live_server, demo_city) -> None:
    page, weights, blocked, mode = citizen_page
    name = f"apply-{mode}"
    page.goto(f"{live_server.url}/apply/{PROCEDURE}/")
    assert "/accounts/login/?next=" in page.url  # signing in first, then back here
    page.fill("#id_username", "congdan")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/apply/{PROCEDURE}/")
    assert "cấp bản sao từ sổ gốc" in page.locator("h1").inner_text()
    _look(page, f"{name}-start", weights, mode)

    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url("**/who/")
    _continue(page)  # nothing chosen: the error summary, nothing lost
    assert page.locator(".error-summary").is_visible()
    _look(page, f"{name}-who-error", weights, mode)
    page.get_by_label("Cho chính tôi").check()
    _continue(page)

    # where: preselected from the address on the verified profile (Phường Hoàn Kiếm)
    page.wait_for_url("**/place/")
    assert "Hoàn Kiếm" in page.locator("#receiving-unit option:checked").inner_text()
    _look(page, f"{name}-place", weights, mode)
    _continue(page)

    # the e-form: name and number locked from VNeID, address and phone prefilled
    page.wait_for_url("**/form-1/")
    assert page.get_by_text("Nguyễn Văn An").first.is_visible()
    assert page.locator("#form-address").input_value() == "12 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội"
    assert page.locator("#form-phone").input_value() == "0912345678"
    _look(page, f"{name}-form", weights, mode)
    page.fill("#form-request_content", "Cấp 02 bản sao giấy khai sinh")
    _continue(page)

    # the identity card: the paper in the data store is offered first, one click
    page.wait_for_url("**/component-TP01/")
    reuse = page.get_by_label("Dùng giấy tờ đã lưu: Thẻ căn cước", exact=False).first
    assert reuse.is_checked()
    _look(page, f"{name}-component", weights, mode)
    _continue(page)
    page.wait_for_url("**/component-TP02/")
    _continue(page)  # optional: not filed

    page.wait_for_url("**/delivery/")
    _look(page, f"{name}-delivery", weights, mode)
    page.get_by_label("Nhận tại nơi nộp hồ sơ").check()
    _continue(page)
    page.wait_for_url("**/fees/")
    assert page.get_by_text("Thanh toán khi được yêu cầu").is_visible()
    _look(page, f"{name}-fees", weights, mode)
    _continue(page)

    page.wait_for_url("**/check/")
    assert page.get_by_text("Dùng giấy tờ đã lưu: Thẻ căn cước").is_visible()
    assert not page.locator("#declaration").is_checked()
    _look(page, f"{name}-check", weights, mode)
    page.get_by_role("button", name="Nộp hồ sơ").click()  # not ticked: refused, explained
    page.wait_for_selector(".error-summary")
    assert Dossier.objects.count() == 0
    page.get_by_label("Tôi cam đoan", exact=False).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    page.wait_for_url("**/done/")
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.REGISTERED
    assert dossier.form_data["request_content"] == "Cấp 02 bản sao giấy khai sinh"
    source = DossierComponentSource.objects.get(dossier=dossier)
    assert (source.component_code, source.source) == ("TP01", ComponentSource.REUSED)
    assert dossier.code in page.locator(".panel").inner_text()
    assert page.get_by_text("8 giờ làm việc", exact=False).is_visible()
    _look(page, f"{name}-done", weights, mode)
    assert blocked == []
