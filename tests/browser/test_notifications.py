"""The citizen's notifications in Chromium at 360 px: the header says how many are unread,
the list opens one (which marks it read), "mark all as read", then the choices page: untick
SMS for "received", save, see it kept. axe-core finds no serious or critical violation on
the list or the choices page; no sideways scrolling; each page under 150 KB. Screenshots:
var/screenshots/notifications-*.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from motcua.notifications.models import Notification, NotificationPreference
from tests.browser.test_workspace import _check
from tests.dossiers.helpers import World, received, vn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-2026"  # tests.factories.UserFactory


@pytest.fixture
def citizen_page(browser, live_server, world: World) -> Iterator[tuple[object, dict[str, int]]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 800})
    page = context.new_page()
    weights: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if response.url.startswith(live_server.url) and response.request.resource_type != "fetch":
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect has no body here
                weights[response.url] = 0

    page.on("response", on_response)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", world.citizen.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    weights.clear()
    yield page, weights
    context.close()


def test_the_citizen_reads_notifications_and_chooses_channels(
    citizen_page, live_server, world: World
) -> None:
    page, weights = citizen_page
    dossier = received(world, now=vn(2026, 3, 2, 9))
    for n in range(2):  # and two more, as the outbox would have written them
        Notification.objects.create(
            person=world.citizen,
            delivery_key=f"browser-{n}",
            event="supplement_requested" if n else "payment_requested",
            dossier_code=dossier.code,
            title=f"Hồ sơ {dossier.code}: thông báo {n + 1}",
            body="Vui lòng xem chi tiết trên trang hồ sơ của bạn.",
            created_at=vn(2026, 3, 2, 10 + n),
        )
    unread = Notification.objects.filter(person=world.citizen, read_at__isnull=True).count()
    assert unread >= 2

    page.goto(live_server.url + "/my/notifications/")
    header = page.locator(".service-nav").get_by_role("link", name=f"Thông báo ({unread} chưa đọc)")
    assert header.count() == 1
    assert page.locator(".notice--unread").count() == unread
    _check(page, "notifications-list", weights)

    page.locator(".notice__title a").first.click()
    page.wait_for_url("**/my/notifications/*/")
    assert page.get_by_role("link", name=dossier.code).count() >= 1
    weights.clear()
    page.goto(live_server.url + "/my/notifications/")
    assert page.locator(".notice--unread").count() == unread - 1
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    page.wait_for_selector("#main .banner--success")
    assert page.locator(".notice--unread").count() == 0
    assert (
        page.locator(".service-nav").get_by_role("link", name="Thông báo", exact=True).count() == 1
    )
    weights.clear()

    page.get_by_role("link", name="Chọn cách nhận thông báo").click()
    page.wait_for_url("**/my/notifications/preferences/")
    _check(page, "notifications-preferences", weights)
    page.locator("#id_received-sms").uncheck()
    page.get_by_role("button", name="Lưu lựa chọn").click()
    page.wait_for_selector("#main .banner--success")
    assert not page.locator("#id_received-sms").is_checked()
    assert page.locator("#id_result_ready-sms").is_checked()
    preference = NotificationPreference.objects.get(person=world.citizen)
    assert preference.events_off == ["received:sms"]
    assert page.locator("#sign-in-codes").inner_text().count("Luôn gửi qua SMS") == 1
    weights.clear()
    _check(page, "notifications-preferences-saved", weights)
