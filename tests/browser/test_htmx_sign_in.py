"""Under htmx, a session that ended sends the whole window to the sign-in page and back to
the page the person was on (HX-Redirect), never the sign-in page inside the inbox row."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from motcua.dossiers.models import Dossier, DossierStatus
from tests.browser.test_workspace import officer_page
from tests.dossiers.helpers import World, submitted

__all__ = ["officer_page"]  # the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "matkhau-demo-2026"  # tests.factories


def _sign_in(page, live_server, *, next_url: str = "") -> None:
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + (next_url or "/workspace/"))


def test_an_expired_session_under_htmx_goes_to_sign_in_and_back(
    officer_page, live_server, world: World
) -> None:
    from django.utils import timezone

    dossier = submitted(world, now=timezone.now())
    page, _weights, blocked = officer_page
    page.goto(live_server.url + "/accounts/login/")
    _sign_in(page, live_server)
    page.goto(live_server.url + "/workspace/inbox/")
    row = page.locator(f"#inbox-{dossier.code}")
    assert row.count() == 1
    Session.objects.all().delete()  # the session ends (expired, signed out elsewhere)
    row.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.wait_for_url(live_server.url + "/accounts/login/?next=/workspace/inbox/")
    assert page.locator("h1").count() == 1  # one page: the sign-in page, not inside a row
    assert page.locator("#id_username").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED
    _sign_in(page, live_server, next_url="/workspace/inbox/")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").first.click()
    page.wait_for_selector(f"#inbox-{dossier.code} .banner--success")
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.RECEIVED
    assert blocked == []


def test_the_second_factor_pages_are_accessible(officer_page, live_server, world: World) -> None:
    from tests.browser.test_workspace import _check
    from tests.factories import StaffFactory

    StaffFactory(username="quantri.taikhoan", is_superuser=True, is_staff=True)
    page, weights, blocked = officer_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "quantri.taikhoan")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/workspace/")
    page.get_by_role("link", name="Tài khoản cán bộ").click()
    page.wait_for_selector("h1")
    _check(page, "staff-second-factor", weights)
    page.fill("#id_username", "officer")
    page.get_by_role("button", name="Đặt lại xác thực hai lớp").click()
    page.wait_for_selector(".error-summary")
    assert "Cần ghi rõ lý do." in page.locator(".error-summary").inner_text()
    _check(page, "staff-second-factor-errors", weights)
    page.fill("#id_reason", "Mất điện thoại, đã xác minh trực tiếp")
    page.get_by_role("button", name="Đặt lại xác thực hai lớp").click()
    page.wait_for_selector(".banner--success")
    page.get_by_role("link", name="Bảo mật đăng nhập").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Bảo mật đăng nhập"
    _check(page, "second-factor-manage", weights)
    assert blocked == []
