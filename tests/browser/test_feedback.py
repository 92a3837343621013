"""Citizen feedback in Chromium at 360 px, without an account: the form's error summary,
sending, the confirmation with the code and the secret, following with the secret. Once
with JavaScript (axe-core: no serious or critical violation; no sideways scroll; under
150 KB a page), once without."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from motcua.feedback.models import Feedback
from tests.browser.test_workspace import SHOTS, _check
from tests.dossiers.helpers import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def anonymous_page(browser, live_server, request) -> Iterator[tuple[object, dict[str, int], bool]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 800}, java_script_enabled=request.param
    )
    page = context.new_page()
    weights: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if response.url.startswith(live_server.url):
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect has no body here
                weights[response.url] = 0

    page.on("response", on_response)
    yield page, weights, request.param
    context.close()


def test_sending_and_following_feedback_without_an_account(  # type: ignore[no-untyped-def]
    anonymous_page, live_server, world: World
) -> None:
    page, weights, javascript = anonymous_page
    suffix = "" if javascript else "-nojs"
    page.goto(live_server.url + "/feedback/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    if javascript:
        _check(page, "feedback-errors", weights)
    page.fill("#id_subject", "Hồ sơ chậm trả kết quả")
    page.fill("#id_body", "Hồ sơ của tôi đã quá hẹn 5 ngày.")
    page.select_option("#id_place", "00070")
    page.fill("#id_sender_name", "Phạm Văn Cường")
    page.fill("#id_sender_phone", "0912345678")
    page.check("#id_public_consent")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    feedback = Feedback.objects.get()
    assert feedback.code in page.content()
    secret = page.locator("p > strong.code").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"feedback-sent{suffix}.png"), full_page=True)
    if javascript:
        _check(page, "feedback-sent", weights)
    page.goto(f"{live_server.url}/feedback/{feedback.code}/")
    page.fill("#secret", secret)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Hồ sơ chậm trả kết quả" in page.content()
    if javascript:
        _check(page, "feedback-follow", weights)
    assert feedback.public_consent is True


def test_an_officer_classifies_and_answers_a_feedback(  # type: ignore[no-untyped-def]
    browser, live_server, world: World
) -> None:
    from tests.feedback.helpers import send

    fb = send(place=world.ward).feedback
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", world.officer.username)
    page.fill("#id_password", "matkhau-demo-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/workspace/feedback/")
    assert fb.code in page.content()
    page.click(f"text={fb.code}")
    page.wait_for_load_state()
    page.select_option("#id_category", "delay")
    page.select_option("#id_unit", world.ward.code)
    page.click("text=Chuyển xử lý")
    page.wait_for_load_state()
    page.fill("#id_answer", "Hồ sơ đã có kết quả, mời ông đến nhận.")
    page.click("text=Lưu câu trả lời")
    page.wait_for_load_state()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "workspace-feedback.png"), full_page=True)
    fb.refresh_from_db()
    assert fb.status == "answered"
    context.close()


def test_attaching_photos_at_360_px_errors_first_then_sent_and_downloaded(
    anonymous_page, live_server, world: World
) -> None:
    from tests.documents.samples import image_bytes, pdf_bytes

    page, weights, javascript = anonymous_page
    suffix = "" if javascript else "-nojs"
    photo = {"name": "hang-doi.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}
    notice = {"name": "thong-bao.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    word = {"name": "don.docx", "mimeType": "image/png", "buffer": b"PK\x03\x04 not a photo"}
    page.goto(live_server.url + "/feedback/")
    page.fill("#id_body", "Xếp hàng hai tiếng ở bộ phận một cửa.")
    page.fill("#id_sender_name", "Phạm Văn Cường")
    page.fill("#id_sender_phone", "0912345678")
    page.set_input_files("#id_attachments", [photo, word])
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.locator('a[href="#id_subject"]').count() == 1
    file_error = summary.locator('a[href="#id_attachments"]')
    assert "don.docx" in file_error.inner_text()
    assert page.input_value("#id_body") == "Xếp hàng hai tiếng ở bộ phận một cửa."
    assert page.input_value("#id_sender_name") == "Phạm Văn Cường"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # no sideways scroll
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"feedback-attach-errors{suffix}.png"), full_page=True)
    if javascript:
        _check(page, "feedback-attach-errors", weights)
    assert Feedback.objects.count() == 0

    page.fill("#id_subject", "Chờ lâu ở bộ phận một cửa")
    page.set_input_files("#id_attachments", [photo, notice])
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    feedback = Feedback.objects.get()
    secret = page.locator("p > strong.code").inner_text()
    page.goto(f"{live_server.url}/feedback/{feedback.code}/")
    page.fill("#secret", secret)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    links = page.locator("main a[download]")
    assert links.all_inner_texts() == ["hang-doi.jpg", "thong-bao.pdf"]
    page.screenshot(path=str(SHOTS / f"feedback-attach-follow{suffix}.png"), full_page=True)
    with page.expect_download() as info:
        links.nth(1).click()
    download = info.value
    assert download.suggested_filename == "thong-bao.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"
