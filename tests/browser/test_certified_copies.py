"""The workspace's certified-copy screens in Chromium: the book, the form (its error summary,
the comparison box never pre-ticked), a copy certified and signed, its page; axe-core finds no
serious or critical violation, nothing scrolls sideways at 360 px, the CSP blocks nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.documents.models import CertificationEntry
from motcua.organisation.services import unit_tree_load
from tests.browser.test_workspace import _check, officer_page
from tests.documents.samples import pdf_bytes

__all__ = ["officer_page"]  # the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city() -> None:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)


@pytest.mark.parametrize("width", [1366, 360])
def test_certify_a_copy(officer_page, live_server, city, tmp_path, width: int) -> None:
    page, weights, blocked = officer_page
    page.set_viewport_size({"width": width, "height": 768})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "motcua.hoankiem")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/workspace/")
    page.get_by_role("link", name="Chứng thực bản sao", exact=True).click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Sổ chứng thực bản sao từ bản chính"
    _check(page, f"certified-book-empty-{width}", weights)
    page.get_by_role("link", name="Chứng thực bản sao mới").click()
    page.wait_for_selector("#id_file")
    assert not page.locator("#id_compared_with_original").is_checked()
    _check(page, f"certified-new-{width}", weights)
    page.get_by_role("button", name="Chứng thực và ký số").click()  # empty: the summary
    page.wait_for_selector(".error-summary")
    assert "đối chiếu với bản chính" in page.locator(".error-summary").inner_text()
    _check(page, f"certified-new-errors-{width}", weights)

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes(2))
    page.set_input_files("#id_file", str(scan))
    page.fill("#id_requester_name", "Nguyễn Văn An")
    page.fill("#id_requester_id_number", "001090000123")
    page.fill("#id_document_title", "Bằng tốt nghiệp đại học")
    page.fill("#id_document_issuer", "Trường Đại học Bách khoa Hà Nội")
    page.fill("#id_copies", "2")
    page.fill("#id_fee_vnd", "4000")
    assert not page.locator("#id_compared_with_original").is_checked()  # still not ticked
    page.check("#id_compared_with_original")
    page.get_by_role("button", name="Chứng thực và ký số").click()
    page.wait_for_selector(".banner--success")
    entry = CertificationEntry.objects.get()
    assert entry.book_number in page.locator("h1").inner_text()
    assert entry.issued.code[:4] in page.locator("main").inner_text()
    _check(page, f"certified-entry-{width}", weights)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản sao đã ký số (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="Về sổ chứng thực").click()
    page.wait_for_selector("#certification-book")
    assert entry.book_number in page.locator("#certification-book").inner_text()
    _check(page, f"certified-book-{width}", weights)
    assert blocked == []
