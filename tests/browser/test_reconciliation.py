"""The accountant's reconciliation in Chromium at 360 px: the runs page, a bad statement
file refused with its rows in the error summary, the bank's file of the day reconciled with
a lost callback shown under its kind. axe-core finds no serious or critical violation;
nothing scrolls sideways; every page weighs < 150 KB."""

from __future__ import annotations

import io

import pytest

from motcua.organisation.models import Role
from motcua.paygate_demo.services import bank_statement_write
from tests.browser.test_privacy import _check, _sign_in, small_page
from tests.factories import RoleAssignmentFactory, StaffFactory, UnitFactory
from tests.payments.test_reconcile import DAY, HEADER, _pay

__all__ = ["small_page"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_accountant_uploads_a_bad_file_then_the_banks_file(small_page, live_server) -> None:
    unit = UnitFactory(code="00070")
    accountant = StaffFactory(username="ketoan", full_name="Trần Thị Kế Toán")
    accountant.set_password("motcua-demo-2026")
    accountant.save()
    RoleAssignmentFactory(user=accountant, unit=unit, role=Role.ACCOUNTANT)
    lost, _ = _pay(unit, "H-LOST", 105_000, deliver=False)
    _pay(unit, "H-1", 50_000)
    out = io.StringIO()
    bank_statement_write(day=DAY, out=out)
    page, weights, _blocked = small_page

    _sign_in(page, live_server, "ketoan")
    page.goto(live_server.url + "/workspace/payments/reconciliation/")
    assert page.locator("h1").inner_text() == "Đối soát với cổng thanh toán"
    _check(page, "reconciliation-empty-360", weights)

    bad = HEADER + "M,,4,01,100,VND,NCB,20261201090000,00,no reference\n"
    page.get_by_label("Ngày đối soát").fill("01/12/2026")
    page.get_by_label("Tệp sao kê (CSV)").set_input_files(
        {"name": "saoke.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Đối soát", exact=True).click()
    page.wait_for_selector(".error-summary")
    assert "Dòng 2: Cột vnp_TxnRef để trống." in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Ngày đối soát").input_value() == "01/12/2026"
    _check(page, "reconciliation-bad-file-360", weights)

    page.get_by_label("Tệp sao kê (CSV)").set_input_files(
        {"name": "saoke.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}
    )
    page.get_by_role("button", name="Đối soát", exact=True).click()
    page.wait_for_url("**/workspace/payments/reconciliation/*/")
    main = page.locator("#main").inner_text()
    assert "Ngân hàng đã thu, hệ thống chưa ghi nhận" in main
    assert lost.order_ref in main
    _check(page, "reconciliation-run-360", weights)

    page.get_by_role("link", name="Các lần đối soát").first.click()
    page.wait_for_url("**/workspace/payments/reconciliation/")
    assert "Có chênh lệch" in page.locator("#reconciliation-runs").inner_text()
    _check(page, "reconciliation-runs-360", weights)
