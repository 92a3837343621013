"""A citizen on a 360 px phone signs up with a phone number and the texted code (no
password), then adds an e-mail address on the profile and confirms it with the e-mailed
code; axe-core finds no serious or critical violation on any page, nothing scrolls sideways,
every page is under the budget and nothing is blocked by the CSP."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from motcua.accounts.contact import contact_confirmed
from motcua.accounts.models import ContactChannel, User
from motcua.notifications.models import SandboxSms

from .test_accounts import _phone
from .test_workspace import _check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_by_phone_then_confirm_an_email_at_360px(browser, live_server, settings) -> None:
    settings.MOTCUA_SMS_PROVIDERS = ["sandbox"]
    context, page, weights, blocked = _phone(browser, live_server)
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_role("link", name="Đăng ký bằng số điện thoại").click()
    page.wait_for_url("**/accounts/signup/phone/")
    _check(page, "phone-signup-phone", weights)
    page.get_by_label("Số điện thoại di động").fill("0912 000 333")
    page.get_by_role("button", name="Gửi mã").click()
    page.wait_for_url("**/accounts/signup/phone/code/")
    _check(page, "phone-signup-code", weights)
    code = re.search(r"\b(\d{6})\b", SandboxSms.objects.get(to="0912000333").text)
    assert code
    page.get_by_label("Mã xác thực").fill(code[1])
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/accounts/signup/phone/details/")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_selector(".error-summary")
    _check(page, "phone-signup-details-errors", weights)
    page.get_by_label("Họ và tên").fill("Đỗ Minh Châu")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(live_server.url + "/")
    user = User.objects.get(phone="0912000333")
    assert contact_confirmed(person=user, channel=ContactChannel.PHONE)

    page.goto(live_server.url + "/profile/email/")
    page.get_by_label("Thư điện tử").fill("chau@example.vn")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/profile/confirm/email/")
    _check(page, "profile-confirm-email", weights)
    sent = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert sent
    page.get_by_label("Mã xác nhận").fill(sent[1])
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    page.wait_for_url("**/profile/")
    assert "chưa xác nhận" not in page.inner_text("main")
    _check(page, "profile-confirmed", weights)
    user.refresh_from_db()
    assert contact_confirmed(person=user, channel=ContactChannel.EMAIL)
    assert blocked == []
    context.close()
