"""Paying for a dossier in Chromium at 360 px (docs/payments.md): the citizen whose dossier
waits for its payment signs in, reads the amount in figures and in words, goes to the
sandbox bank, cancels, comes back to a page that says nothing was paid, pays for real through
the bank's pages and comes back to "paid", sees the signed receipt, downloads its PDF and
opens its verification page; an officer of the collecting unit records a cash payment at the
counter for another dossier (an empty form first: the error summary). On every page:
axe-core clean (serious and critical), no sideways scrolling, under 150 KB; the screenshots
are written to var/screenshots/pay-*.png (`MOTCUA_SCREENSHOTS`), the receipt's first page
too when `pdftoppm` is there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.dossiers.models import Dossier, DossierStatus
from motcua.dossiers.services import dossier_request_payment
from motcua.payments.models import FeeLine, Receipt
from motcua.payments.services import fee_line_add
from tests.browser.test_workspace import SHOTS, _check
from tests.dossiers.helpers import MON, World, hk_receipt_series, processing, received, vn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-2026"  # tests.factories.UserFactory


def _owing(world: World) -> tuple[Dossier, Dossier]:
    hk_receipt_series(unit=world.ward, now=MON)
    waiting = dossier_request_payment(
        dossier=processing(world),
        actor=world.officer,
        amount_vnd=1_250_000,
        fee_name="Lệ phí cấp giấy chứng nhận",
        now=vn(2026, 3, 3, 9),
    )
    at_counter = received(world, now=vn(2026, 3, 3, 10))
    fee_line_add(
        dossier_code=at_counter.code, collecting_unit=world.ward, name="Lệ phí chứng thực",
        kind="charge", timing="before", unit_amount_vnd=2_000, quantity=3, now=MON,
    )  # fmt: skip
    return waiting, at_counter


def _text(locator) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees, no-break spaces (between an amount and "đ") read as spaces."""
    return str(locator.inner_text()).replace("\xa0", " ")


def _signed_in(browser, live_server, user, *, width: int) -> tuple[object, dict[str, int]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="vi-VN", viewport={"width": width, "height": 800}, accept_downloads=True
    )
    page = context.new_page()
    weights: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if response.url.startswith(live_server.url) and response.request.resource_type != "fetch":
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect or a download has no body here
                weights[response.url] = 0

    page.on("response", on_response)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    weights.clear()
    return page, weights


@pytest.fixture
def journey(browser, live_server, world: World, settings) -> tuple[Dossier, Dossier]:  # type: ignore[no-untyped-def]
    # the bank's server-to-server call reaches this live server (as it would in production)
    settings.MOTCUA_PUBLIC_URL = live_server.url
    # The bank's result reaches motcua before the payer does, however loaded the machine:
    # a return page racing a slow IPN would meet the in-memory test database's table locks
    # (a file or PostgreSQL waits for the lock instead).
    settings.MOTCUA_DEMO_BANK_IPN_TIMEOUT_S = 120
    return _owing(world)


def test_the_citizen_pays_online_and_the_officer_at_the_counter(  # type: ignore[no-untyped-def]
    browser, live_server, world: World, journey, tmp_path: Path
) -> None:
    waiting, at_counter = journey
    page, weights = _signed_in(browser, live_server, world.citizen, width=360)

    # the dossier page: what is owed, in figures and in words, and the pay button
    page.goto(live_server.url + f"/my/{waiting.code}/")
    fees = page.locator("#fees-section")
    text = _text(fees)
    assert "1.250.000 đ" in text
    assert "Một triệu hai trăm năm mươi nghìn đồng" in text
    _check(page, "pay-1-dossier", weights)

    # to the bank, then cancel: nothing is paid, the page says so and offers to pay again
    fees.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url("**/demo-bank/pay/**")
    assert "1.250.000 đ" in _text(page.locator("main"))
    _check(page, "pay-2-bank", weights)
    page.get_by_role("button", name="Hủy giao dịch").click()
    page.wait_for_url(f"**/my/{waiting.code}/payment/return/**")
    assert page.locator("h1").inner_text() == "Chưa thanh toán"
    assert FeeLine.objects.get(dossier_code=waiting.code).state == "unpaid"
    _check(page, "pay-3-cancelled", weights)

    # again, and pay
    assert "Bạn chưa bị trừ tiền" in _text(page.locator("main"))
    page.get_by_role("button", name="Thanh toán lại").click()
    page.wait_for_url("**/demo-bank/pay/**")
    weights.clear()
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url(f"**/my/{waiting.code}/payment/return/**")
    assert page.locator("h1").inner_text() == "Đã thanh toán"
    assert "1.250.000 đ" in _text(page.locator("main"))
    _check(page, "pay-4-paid", weights)
    assert FeeLine.objects.get(dossier_code=waiting.code).state == "paid"
    waiting.refresh_from_db()
    assert waiting.status == DossierStatus.PROCESSING  # resumed once paid
    [receipt] = Receipt.objects.filter(dossier_code=waiting.code)

    assert page.get_by_role("link", name="Tải biên lai HK26-0000001 (PDF)").count() == 1
    # the receipt on the dossier page, its PDF and its verification page
    page.get_by_role("link", name="Về trang hồ sơ").click()
    page.wait_for_url(f"**/my/{waiting.code}/**")
    receipts = page.locator("#receipts-section")
    assert "HK26-0000001" in receipts.inner_text()
    assert page.locator("#fees-section form").count() == 0  # nothing left to pay
    _check(page, "pay-5-receipt", weights)
    with page.expect_download() as caught:
        receipts.get_by_role("link", name="Tải biên lai HK26-0000001 (PDF)").click()
    saved = tmp_path / "receipt.pdf"
    caught.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(saved),
             str(SHOTS / "pay-6-receipt-pdf")],
            check=True,
        )  # fmt: skip
    weights.clear()
    receipts.get_by_role("link", name="Kiểm tra biên lai này").click()
    page.wait_for_url(f"**/verify/{receipt.verify_code}/**")
    assert "Biên lai điện tử" in _text(page.locator("main"))
    _check(page, "pay-7-verify", weights)
    # told in the portal: the money arrived, with the receipt's number and a link to it
    weights.clear()
    page.goto(live_server.url + "/my/notifications/")
    told = page.locator(".notice").filter(has_text="đã nhận phí, lệ phí").first
    assert "HK26-0000001" in _text(told)
    assert told.locator(f'a[href$="/verify/{receipt.verify_code}/"]').count() == 1
    _check(page, "pay-8-notification", weights)
    page.context.close()

    # the officer at the counter, on a phone-sized window too
    page, weights = _signed_in(browser, live_server, world.officer, width=360)
    page.goto(live_server.url + f"/workspace/dossiers/{waiting.code}/")
    assert _text(page.locator("#fees-link")) == "Phí, lệ phí"  # paid: nothing to collect
    page.goto(live_server.url + f"/workspace/dossiers/{at_counter.code}/")
    assert "còn phải nộp 6.000 đ" in _text(page.locator("#fees-link"))
    _check(page, "pay-8-counter-dossier", weights)
    page.get_by_role("link", name="Phí, lệ phí và thu tại quầy").click()
    page.wait_for_url(f"**/workspace/dossiers/{at_counter.code}/fees/")
    main = _text(page.locator("main"))
    assert "6.000 đ" in main
    assert "Sáu nghìn đồng" in main
    _check(page, "pay-9-counter", weights)
    page.get_by_role("button", name="Xác nhận đã thu").click()
    summary = page.locator(".error-summary")
    assert "Chọn hình thức nộp." in summary.inner_text()
    assert "Ghi số phiếu thu hoặc số giao dịch." in summary.inner_text()
    # each message leads to its field (the radios: the first choice)
    for link in summary.get_by_role("link").all():
        assert page.locator(str(link.get_attribute("href"))).count() == 1
    _check(page, "pay-10-counter-error", weights)
    page.get_by_label("Tiền mặt").check()
    page.fill("#id_slip_number", "PT-0042")
    page.get_by_role("button", name="Xác nhận đã thu").click()
    page.wait_for_selector("main .banner--success")
    assert "Đã thu 6.000 đ (Sáu nghìn đồng)" in _text(page.locator("main .banner--success"))
    assert FeeLine.objects.get(dossier_code=at_counter.code).state == "paid"
    assert "HK26-0000002" in _text(page.locator("main"))
    _check(page, "pay-11-counter-done", weights)
    page.context.close()
