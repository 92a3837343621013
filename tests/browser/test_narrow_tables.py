"""Stacked tables at 360 px: "My dossiers" with a dossier waiting for its payment, whose
"what to do now" tag is the longest one ("Thực hiện nghĩa vụ tài chính (nộp phí, lệ phí)").
Kept on one line, the tag widened the table past the phone's width, so the table's wrapper
scrolled and every row's procedure name and tag were cut at the right edge (no sideways
scrolling of the page itself, so the page-level check did not see it)."""

from __future__ import annotations

import pytest

from motcua.dossiers.services import dossier_request_payment
from tests.dossiers.helpers import World, processing, vn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-2026"  # tests.factories.UserFactory


def test_my_dossiers_fit_a_phone_with_the_longest_tag(browser, live_server, world: World) -> None:  # type: ignore[no-untyped-def]
    dossier_request_payment(
        dossier=processing(world),
        actor=world.officer,
        amount_vnd=50_000,
        fee_name="Lệ phí",
        now=vn(2026, 3, 3, 9),
    )
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", world.citizen.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server.url + "/my/")
    tag = page.locator("td a.tag--alert").first
    assert "nghĩa vụ tài chính" in tag.inner_text()
    wrap = page.locator(".table-wrap").first
    scroll, client = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll <= client, f"the table is {scroll} px wide in a {client} px wrapper"
    box = tag.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 360
    context.close()
