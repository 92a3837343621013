"""The staff workspace in Chromium: a demo officer signs in, opens the queue and the online
inbox, accepts a dossier (htmx), opens it; axe-core finds no serious or critical violation
on any page; at 360 px nothing scrolls sideways; every page weighs less than 150 KB."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import OnlineLevel, ProcedureVersion
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.demo.dossiers import _form_data, demo_dossiers_load
from motcua.dossiers.models import Channel, Dossier, DossierStatus
from motcua.dossiers.services import dossier_submit
from motcua.organisation.models import Unit
from motcua.organisation.services import unit_tree_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = Path(
    os.environ.get("MOTCUA_SCREENSHOTS", Path(__file__).parents[2] / "var" / "screenshots")
)
PAGE_BUDGET = 150 * 1024


def _axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations (WCAG 2.0-2.2 A and AA rules). The script is
    evaluated through the DevTools protocol, which the page's CSP does not govern."""
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
    print(f"page weight {name}: {total} bytes")
    assert total < PAGE_BUDGET, (name, total, weights)
    weights.clear()


@pytest.fixture
def demo_city() -> Dossier:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)
    demo_dossiers_load(count=30, seed=2026, now=now)
    ward = Unit.objects.get(code="00070")
    version = next(
        v
        for v in ProcedureVersion.objects.filter(
            status=ProcedureVersion.Status.PUBLISHED, procedure__competent_unit__isnull=True
        ).exclude(online_level=OnlineLevel.NONE)
    )
    citizen = User.objects.get(username="congdan")
    return dossier_submit(
        applicant=citizen,
        procedure_version=version,
        receiving_unit=ward,
        form_data=_form_data(version, rng=random.Random(1), today=local(now).date(), ward="00070"),
        now=now - dt.timedelta(minutes=5),
        channel=Channel.ONLINE,
        applicant_name=citizen.full_name,
        applicant_id_number=citizen.personal_id,
        applicant_phone=citizen.phone,
    )


@pytest.fixture
def officer_page(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
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
        lambda m: (
            blocked.append(f"{m.text} @ {m.location}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    yield page, weights, blocked
    context.close()


def test_officer_signs_in_and_accepts_an_online_dossier(
    officer_page, live_server, demo_city: Dossier
) -> None:
    page, weights, blocked = officer_page
    page.goto(live_server.url + "/accounts/login/")
    _check(page, "login", weights)
    # keyboard only: the skip link first, then the form
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.focus("#id_username")
    page.keyboard.type("motcua.hoankiem")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/workspace/")
    assert page.locator("h1").inner_text() == "Hồ sơ cần xử lý"
    _check(page, "queue", weights)
    for bucket in ("late", "waiting"):
        page.goto(live_server.url + f"/workspace/?bucket={bucket}")
        _check(page, f"queue-{bucket}", weights)

    page.goto(live_server.url + "/workspace/inbox/")
    row = page.locator(f"#inbox-{demo_city.code}")
    assert row.count() == 1
    assert "còn" in row.inner_text()
    _check(page, "inbox", weights)
    row.get_by_role("button", name="Tiếp nhận hồ sơ").click()  # htmx: the row is replaced
    page.wait_for_selector(f"#inbox-{demo_city.code} .banner--success")
    assert (
        "Tiếp nhận hồ sơ: hồ sơ " + demo_city.code
        in page.locator(f"#inbox-{demo_city.code}").inner_text()
    )
    assert page.url == live_server.url + "/workspace/inbox/"  # no full reload
    demo_city.refresh_from_db()
    assert demo_city.status == DossierStatus.RECEIVED
    _check(page, "inbox-accepted", weights)

    page.goto(live_server.url + f"/workspace/dossiers/{demo_city.code}/")
    assert demo_city.code in page.locator("h1").inner_text()
    assert page.locator(".timeline li").count() >= 2
    _check(page, "dossier", weights)
    # an action on the dossier page: htmx posts it and swaps the page's main part
    form = page.locator("#action-request_supplement")
    form.locator("input[name^=items__]").first.fill("Bản chụp không rõ")
    form.get_by_role("button", name="Yêu cầu bổ sung hồ sơ").click()
    page.wait_for_selector("#main .banner--success")
    demo_city.refresh_from_db()
    assert demo_city.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert "Yêu cầu bổ sung" in page.locator("h1").inner_text()
    _check(page, "dossier-after-action", weights)
    assert blocked == []


def test_small_screens_do_not_scroll_sideways(officer_page, live_server, demo_city) -> None:
    page, weights, _ = officer_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    _check(page, "home-360", weights)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "motcua.hoankiem")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/workspace/")
    _check(page, "queue-360", weights)
    page.goto(live_server.url + "/workspace/inbox/")
    _check(page, "inbox-360", weights)
    page.goto(live_server.url + f"/workspace/dossiers/{demo_city.code}/")
    _check(page, "dossier-360", weights)


def test_english_is_one_click_away(officer_page, live_server, demo_city) -> None:
    page, weights, _ = officer_page
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Sign in"
    _check(page, "login-en", weights)


def test_staff_enrol_the_second_factor(officer_page, live_server, settings) -> None:
    import time as _time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import StaffFactory

    settings.MOTCUA_STAFF_2FA_REQUIRED = True
    StaffFactory(username="canbo.otp")
    page, weights, blocked = officer_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "canbo.otp")
    page.fill("#id_password", "matkhau-demo-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/accounts/2fa/setup/**")
    assert page.locator(".qr img").evaluate("img => img.naturalWidth") > 0  # the QR drew
    _check(page, "2fa-enrol", weights)
    page.fill("#id_code", "123")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.evaluate("() => document.activeElement.className").startswith("error-summary")
    _check(page, "2fa-enrol-error", weights)
    page.wait_for_timeout(1100)  # django-otp waits 1 s after a failure before the next try
    device = TOTPDevice.objects.get(user__username="canbo.otp")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = _time.time()
    page.fill("#id_code", f"{totp.token():06d}")
    page.click("main button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    _check(page, "2fa-recovery-codes", weights)
    page.get_by_role("link", name="Đã lưu, tiếp tục").click()
    page.wait_for_url(live_server.url + "/workspace/")
    assert blocked == []
