"""A citizen on a 360 px phone: from the sign-in page to "create an account", signs up with
a phone number (the consent box ticked by themself), lands signed in, opens their profile
and changes their address (province, then the ward list htmx brings, then the street);
axe-core finds no serious or critical violation, nothing scrolls sideways, every page is
under 150 KB and nothing is blocked by the CSP. The same address change without JavaScript."""

from __future__ import annotations

import pytest

from motcua.accounts.models import ConsentPurpose, User
from motcua.accounts.selectors import consent_current

from .test_workspace import _check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "hoa-sen-trang-2026"


def _phone(browser, live_server, *, javascript: bool = True):
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
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


def test_sign_up_then_change_the_address_at_360px(browser, live_server) -> None:
    context, page, weights, blocked = _phone(browser, live_server)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Tạo tài khoản bằng số điện thoại hoặc thư điện tử").click()
    page.wait_for_url("**/accounts/signup/")
    _check(page, "accounts-signup", weights)

    # refusing the consent (the box is not ticked) creates nothing and says so
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Số điện thoại di động hoặc thư điện tử").fill("+84 912 000 111")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    assert not page.get_by_role("checkbox").is_checked()
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_selector(".error-summary")
    assert "chưa đồng ý nên chưa tạo được tài khoản" in page.inner_text(".error-summary")
    assert User.objects.count() == 0
    _check(page, "accounts-signup-no-consent", weights)

    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(live_server.url + "/")
    user = User.objects.get()
    assert user.phone == "0912000111"
    assert consent_current(person=user, purpose=ConsentPurpose.ACCOUNT) is not None

    page.goto(live_server.url + "/profile/")
    assert "Trần Thị Bình" in page.inner_text("main")
    assert "chưa xác nhận" in page.inner_text("main")
    _check(page, "accounts-profile", weights)

    page.get_by_role("link", name="Thay đổi địa chỉ").click()
    page.wait_for_url("**/profile/address/")
    assert not page.get_by_role("button", name="Chọn tỉnh").is_visible()  # htmx does it
    page.get_by_label("Tỉnh, thành phố").select_option(label="Thành phố Hà Nội")
    page.wait_for_selector("#id_ward option[value='00070']", state="attached")
    page.get_by_label("Phường, xã, đặc khu").select_option(value="00070")
    page.get_by_label("Số nhà, đường phố, thôn, tổ").fill("12 Hàng Bạc")
    _check(page, "accounts-address", weights)
    page.get_by_role("button", name="Lưu địa chỉ").click()
    page.wait_for_url("**/profile/")
    assert "12 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội" in page.inner_text("main")
    _check(page, "accounts-profile-saved", weights)
    assert blocked == []
    context.close()


def test_the_address_changes_without_javascript(browser, live_server) -> None:
    user = User.objects.create_user(
        username="an", password=PASSWORD, full_name="Nguyễn Văn An", phone="0912345678"
    )
    context, page, _weights, _blocked = _phone(browser, live_server, javascript=False)
    page.goto(live_server.url + "/accounts/login/?next=/profile/address/")
    page.get_by_label("Tên đăng nhập, số điện thoại hoặc thư điện tử").fill("+84912345678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/profile/address/")
    page.get_by_label("Tỉnh, thành phố").select_option(label="Thành phố Hà Nội")
    page.get_by_label("Số nhà, đường phố, thôn, tổ").fill("5 Phố Huế")
    page.get_by_role("button", name="Chọn tỉnh").click()
    page.get_by_label("Phường, xã, đặc khu").select_option(value="00070")
    assert page.get_by_label("Số nhà, đường phố, thôn, tổ").input_value() == "5 Phố Huế"
    page.get_by_role("button", name="Lưu địa chỉ").click()
    page.wait_for_url("**/profile/")
    user.refresh_from_db()
    assert user.address == "5 Phố Huế, Phường Hoàn Kiếm, Thành phố Hà Nội"
    context.close()


def test_organisation_pages_at_360px(browser, live_server) -> None:
    from django.utils import timezone

    User.objects.create_user(
        username="doanhnghiep",
        kind=User.Kind.ORGANISATION,
        full_name="Công ty TNHH Sen Vàng",
        organisation_id_number="0109876543",
        identity_verified_at=timezone.now(),
        address="25 Trần Duy Hưng, Phường Cầu Giấy, Hà Nội",
    )
    User.objects.create_user(
        username="an", password=PASSWORD, full_name="Nguyễn Văn An", phone="0912345678"
    )
    User.objects.create_user(
        username="ha", password=PASSWORD, full_name="Phạm Thu Hà", phone="0988424242"
    )
    context, page, weights, blocked = _phone(browser, live_server)
    page.goto(live_server.url + "/accounts/login/?next=/profile/organisations/")
    page.get_by_label("Tên đăng nhập, số điện thoại hoặc thư điện tử").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/profile/organisations/")
    _check(page, "accounts-organisations-empty", weights)
    page.get_by_role("link", name="Đăng ký tổ chức bằng mã số thuế").click()
    page.get_by_label("Mã số thuế").fill("0109876543")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_selector(".error-summary")
    _check(page, "accounts-organisation-register-error", weights)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_selector("h1:has-text('Công ty TNHH Sen Vàng')")
    page.get_by_role("link", name="Cấp quyền cho người khác").click()
    page.get_by_label(
        "Số điện thoại, thư điện tử hoặc số định danh cá nhân của người được cấp quyền"
    ).fill("0988424242")
    page.get_by_label("Có hiệu lực đến hết ngày").fill("31/12/2030")
    _check(page, "accounts-organisation-authorise", weights)
    page.get_by_role("button", name="Cấp quyền").click()
    page.wait_for_selector("td:has-text('Phạm Thu Hà')")
    _check(page, "accounts-organisation-detail", weights)
    assert blocked == []
    context.close()
