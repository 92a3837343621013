from __future__ import annotations

import pytest

from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_vietnamese_with_a_strict_csp(page, live_server) -> None:
    response = page.goto(live_server.url + "/")
    assert response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "motcua" in page.title()


def test_administrator_signs_in_to_the_vietnamese_admin(page, live_server) -> None:
    StaffFactory(username="quantri", is_staff=True, is_superuser=True)
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "quantri")
    page.fill("#id_password", "matkhau-demo-2026")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert "Quản trị hệ thống" in page.content()
    assert page.locator("text=Đơn vị").first.is_visible()


def test_api_docs_render_from_our_own_static_files(page, live_server) -> None:
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    assert page.locator(".opblock").count() >= 6
    assert blocked == []
    assert outside == []
