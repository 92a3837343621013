"""Passwords on a 360 px phone: an account made by the phone sign-up (no password) signs in
with a texted code and sets a password from its profile (a mismatch first: the error
summary); then, having forgotten it, resets it by a code texted to the phone and signs in
with the new one. axe-core clean, nothing scrolls sideways, every page under the budget."""

from __future__ import annotations

import re

import pytest

from motcua.accounts.models import User
from motcua.notifications.models import SandboxSms

from .test_accounts import _phone
from .test_workspace import _check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "mua-xuan-ha-noi-2026"
SECOND = "he-ve-sai-gon-2027"


def _texted(phone: str) -> str:
    found = re.search(r"\b(\d{6})\b", SandboxSms.objects.filter(to=phone).latest("pk").text)
    assert found
    return found[1]


def test_set_then_reset_a_password_at_360px(browser, live_server, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]
    user = User.objects.create_user("dmchau", phone="0912000444", full_name="Đỗ Minh Châu")
    context, page, weights, _blocked = _phone(browser, live_server)

    page.goto(live_server.url + "/accounts/login/code/")
    page.get_by_label("Số điện thoại di động").fill("0912000444")
    page.get_by_role("button", name="Gửi mã").click()
    page.wait_for_url("**/accounts/login/code/verify/")
    page.get_by_label("Mã xác thực").fill(_texted("0912000444"))
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/profile/")
    weights.clear()
    assert "Tài khoản chưa có mật khẩu" in page.inner_text("main")
    page.get_by_role("link", name="Đặt mật khẩu").click()
    page.wait_for_url("**/accounts/password/set/")
    _check(page, "password-set", weights)
    page.get_by_label("Mật khẩu mới", exact=True).fill(FIRST)
    page.get_by_label("Nhập lại mật khẩu mới").fill(FIRST + "x")
    page.get_by_role("button", name="Đặt mật khẩu").click()
    page.wait_for_selector(".error-summary")
    assert "Hai lần nhập mật khẩu không giống nhau." in page.inner_text(".error-summary")
    _check(page, "password-set-error", weights)
    page.get_by_label("Mật khẩu mới", exact=True).fill(FIRST)
    page.get_by_label("Nhập lại mật khẩu mới").fill(FIRST)
    page.get_by_role("button", name="Đặt mật khẩu").click()
    page.wait_for_url("**/profile/")
    assert "Đã đặt mật khẩu." in page.inner_text("main")
    user.refresh_from_db()
    assert user.check_password(FIRST)
    context.close()

    # days later (the sign-in code's one-a-minute limit per phone no longer applies)
    from django.core.cache import cache

    from motcua.core.ratelimit import rate_limits_local_clear

    cache.clear()
    rate_limits_local_clear()
    context, page, weights, _blocked = _phone(browser, live_server)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.wait_for_url("**/accounts/password/forgot/")
    weights.clear()
    _check(page, "password-forgot", weights)
    page.get_by_label("Số điện thoại di động").fill("0912 000 444")
    page.get_by_role("button", name="Gửi mã").click()
    page.wait_for_url("**/accounts/password/forgot/code/")
    _check(page, "password-forgot-code", weights)
    page.get_by_label("Mã xác thực").fill(_texted("0912000444"))
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/accounts/password/forgot/new/")
    _check(page, "password-forgot-new", weights)
    page.get_by_label("Mật khẩu mới", exact=True).fill(SECOND)
    page.get_by_label("Nhập lại mật khẩu mới").fill(SECOND)
    page.get_by_role("button", name="Đặt mật khẩu").click()
    page.wait_for_url("**/accounts/login/")
    assert "Đã đặt mật khẩu mới." in page.inner_text("main")
    page.fill("#id_username", "0912000444")
    page.fill("#id_password", SECOND)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    context.close()
