"""The citizen portal in Chromium at 360 px: the home page's search box -> the results (typed
with a typo, refined as one types with htmx) -> the procedure page with its "file online"
link; the public look-up from the receipt's QR address (wrong digits, then the right ones);
the search without JavaScript. On every page: axe-core finds no serious or critical
violation, nothing scrolls sideways, the page weighs less than 150 KB; screenshots are kept
in var/screenshots/ (MOTCUA_SCREENSHOTS) for CI."""

from __future__ import annotations

import datetime as dt
import random
from urllib.parse import quote

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import demo_accounts_load
from motcua.demo.dossiers import _form_data
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import dossier_submit
from motcua.organisation.models import Unit
from motcua.organisation.services import unit_tree_load
from tests.browser.test_workspace import PAGE_BUDGET, SHOTS, _axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH = "HN.DEMO.001"
PHONE = "0912345678"


def _check(page, name: str, weights: dict[str, int], *, scripts: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}.png"), full_page=True)
    total = sum(weights.values())
    print(f"page weight portal-{name}: {total} bytes")
    assert total < PAGE_BUDGET, (name, total, weights)
    weights.clear()
    if not scripts:  # JavaScript off: evaluating in the page never answers (the same page,
        return  # with scripts, was checked with axe and for its width above)
    assert _axe_violations(page) == [], name
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => document.documentElement.clientWidth")
    assert wide <= viewport, f"{name}: {wide}px wide in a {viewport}px window"


@pytest.fixture
def city() -> Dossier:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)
    version = ProcedureVersion.objects.get(
        procedure__code=BIRTH, status=ProcedureVersion.Status.PUBLISHED
    )
    citizen = User.objects.get(username="congdan")
    return dossier_submit(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=Unit.objects.get(code="00070"),
        form_data=_form_data(version, rng=random.Random(1), today=local(now).date(), ward="00070"),
        now=now - dt.timedelta(minutes=5),
        channel=Channel.ONLINE,
        applicant_name=citizen.full_name,
        applicant_id_number=citizen.personal_id,
        applicant_phone=PHONE,
    )


def _phone_page(browser, live_server, *, javascript: bool = True):
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 780},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    weights: dict[str, int] = {}
    blocked: list[str] = []

    def on_response(response) -> None:
        if response.url.startswith(live_server.url) and response.request.resource_type != "fetch":
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect has no body
                weights[response.url] = 0

    page.on("response", on_response)
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return context, page, weights, blocked


def test_search_then_the_procedure_page_on_a_phone(browser, live_server, city) -> None:
    context, page, weights, blocked = _phone_page(browser, live_server)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Bạn cần làm thủ tục gì?"
    _check(page, "home", weights)

    page.fill("#home-q", "khai sjnh")  # a typo
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/procedures/?q=khai+sjnh")
    first = page.locator(".result__title a").first
    assert first.inner_text() == "Thủ tục đăng ký khai sinh"
    _check(page, "results", weights)

    # As one types (htmx): the results region follows the box, the address too.
    page.fill("#q", "ket hon")
    page.wait_for_function(
        "() => document.querySelector('.results__count').textContent.includes('ket hon')"
    )
    assert "kết hôn" in page.locator(".result__title a").first.inner_text().lower()
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'ket hon'")
    page.fill("#q", "dang ky khai sinh")
    page.wait_for_function(
        "() => document.querySelector('.results__count').textContent.includes('dang ky khai sinh')"
    )
    page.locator(".result__title a", has_text="Thủ tục đăng ký khai sinh").first.click()
    page.wait_for_url(f"**/procedures/{BIRTH}/")
    assert page.locator("h1").inner_text() == "Thủ tục đăng ký khai sinh"
    apply = page.locator("a.button--start")
    assert apply.inner_text().startswith("Nộp hồ sơ trực tuyến")
    assert apply.get_attribute("href") == f"/apply/{BIRTH}/"
    for heading in ("Trình tự thực hiện", "Thành phần hồ sơ", "Nơi nộp hồ sơ"):
        assert page.locator("h2", has_text=heading).count() == 1
    _check(page, "procedure", weights)
    assert blocked == []
    context.close()


def test_the_public_lookup_from_the_receipts_qr_code(browser, live_server, city) -> None:
    context, page, weights, blocked = _phone_page(browser, live_server)
    page.goto(f"{live_server.url}/lookup/?code={quote(city.code)}")
    assert page.input_value("#code") == city.code
    _check(page, "lookup", weights)

    page.fill("#last4", "0000")
    page.click("main button[type=submit]")
    page.wait_for_selector(".banner--error")
    assert "Không tìm thấy hồ sơ" in page.locator(".banner--error").inner_text()
    _check(page, "lookup-not-found", weights)

    page.fill("#last4", PHONE[-4:])
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Mới đăng ký')")
    text = page.locator("main").inner_text()
    assert city.code in text
    assert "Phường Hoàn Kiếm" in text
    assert city.applicant_name not in text
    assert PHONE[-4:] not in text
    _check(page, "lookup-result", weights)
    assert blocked == []
    context.close()


def test_searching_works_without_javascript(browser, live_server, city) -> None:
    context, page, weights, _blocked = _phone_page(browser, live_server, javascript=False)
    page.goto(live_server.url + "/procedures/")
    page.fill("#q", "khai sinh")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/procedures/?q=khai+sinh*")
    assert page.locator(".result__title a").first.inner_text() == "Thủ tục đăng ký khai sinh"
    page.click(".finder__more > summary")  # the filters fold away; <details> needs no script
    page.select_option("#f-online", "full")
    page.click(".finder__filters button[type=submit]")
    page.wait_for_url("**online_level=full*")
    assert page.locator(".result__title a").count() >= 1
    assert page.locator(".finder__more[open]").count() == 1  # a filter is set: shown open
    _check(page, "results-no-js", weights, scripts=False)
    context.close()


def test_the_finder_trigger_parses_and_a_filter_refreshes_the_results(
    browser, live_server, city
) -> None:  # type: ignore[no-untyped-def]
    """The form's hx-trigger named `from:.finder__filters select` (a selector with a space,
    which htmx reads up to the space): every results page logged `htmx:syntax:error`."""
    context, page, _weights, _blocked = _phone_page(browser, live_server)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/procedures/?q=khai+sinh")
    page.click(".finder__more > summary")
    with page.expect_request(lambda r: "online_level=full" in r.url):
        page.select_option("#f-online", "full")  # no button pressed: the change alone
    page.wait_for_url("**online_level=full*")
    assert errors == []
    context.close()
