"""A receipt's public verification page in Chromium at 360 px, as a citizen who scanned its QR
code sees it: the receipt's own number, the collector, the masked payer, the items table and
the amount in figures and words; a cancelled receipt says so and leads to its replacement.
axe-core clean, no sideways scrolling; screenshots in var/screenshots/verify-receipt-*.png."""

from __future__ import annotations

import pytest

from motcua.dossiers.services.receipts import dossier_receipt_cancel, dossier_receipt_issue
from motcua.payments.services import fee_line_add, fee_lines_pay
from tests.browser.test_workspace import _check
from tests.dossiers.helpers import MON, World, hk_receipt_series, received

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scanned_receipt_and_its_replacement_at_360_px(  # type: ignore[no-untyped-def]
    browser, live_server, world: World
) -> None:
    hk_receipt_series(unit=world.ward, now=MON)
    dossier = received(world, applicant_id_number="001090000001")
    lines = [
        fee_line_add(
            dossier_code=dossier.code,
            collecting_unit=world.ward,
            name=name,
            kind="charge",
            timing="before",
            unit_amount_vnd=amount,
            quantity=quantity,
            now=MON,
        )
        for name, amount, quantity in (
            ("Lệ phí cấp bản sao trích lục hộ tịch", 8_000, 3),
            ("Phí chứng thực", 2_000, 1),
        )
    ]
    old = dossier_receipt_issue(
        payment=fee_lines_pay(lines=lines, method="cash", reference="PT-1", now=MON), now=MON
    )
    new = dossier_receipt_cancel(
        receipt=old, reason="Sai tên người nộp", actor=world.officer, now=MON,
        replace_with={"payer_name": "Nguyễn Văn Anh"},
    )  # fmt: skip
    assert new is not None
    old.refresh_from_db()

    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 800})
    page = context.new_page()
    weights: dict[str, int] = {}
    page.on("response", lambda r: weights.__setitem__(r.url, len(r.body() or b"")))
    page.goto(live_server.url + f"/verify/{old.verify_code}/")
    main = page.locator("main").inner_text().replace("\xa0", " ")
    for expected in (
        "Biên lai đã bị hủy",
        "Lý do: Sai tên người nộp",
        "HK26",
        "0000001",
        "UBND Phường Hoàn Kiếm",
        "0101234567",
        "Nguyễn V. A.",
        "Lệ phí cấp bản sao trích lục hộ tịch",
        "24.000 đ",
        "26.000 đ",
        "Hai mươi sáu nghìn đồng",
        "02/03/2026",
    ):
        assert expected in main, expected
    assert "Nguyễn Văn An" not in main
    assert "001090000001" not in main
    _check(page, "verify-receipt-1-cancelled", weights)

    page.get_by_role("link", name="HK26-0000002").click()
    page.wait_for_url(f"**/verify/{new.verify_code}/")
    main = page.locator("main").inner_text()
    assert "Còn hiệu lực" in main
    assert "0000002" in main
    _check(page, "verify-receipt-2-replacement", weights)
    context.close()
