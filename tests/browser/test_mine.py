"""The applicant's pages in Chromium at 360 px: the citizen opens "My dossiers", opens the
dossier waiting for a supplement and uploads the asked component; opens the settled dossier,
downloads its signed result and rates the service. Once with JavaScript, once without.
axe-core finds no serious or critical violation on any page visited (with JavaScript); no
page scrolls sideways; every page weighs less than 150 KB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua.dossiers.models import Dossier, DossierFile, DossierRating, DossierStatus
from motcua.dossiers.services import dossier_issue_result, dossier_request_supplement
from tests.browser.test_workspace import SHOTS, _check
from tests.documents.samples import pdf_bytes
from tests.dossiers.helpers import World, at_leader_step, received, vn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-demo-2026"  # tests.factories.UserFactory


def _dossiers(world: World) -> tuple[Dossier, Dossier]:
    asked = dossier_request_supplement(
        dossier=received(world, now=vn(2026, 3, 2, 9)),
        actor=world.officer,
        items=[{"component": "TP1", "reason": "Bản chụp bị mờ, nộp lại bản rõ."}],
        now=vn(2026, 3, 2, 10),
    )
    settled = dossier_issue_result(
        dossier=at_leader_step(world), actor=world.leader, now=vn(2026, 3, 4, 16)
    )
    return asked, settled


@pytest.fixture
def citizen_page(  # type: ignore[no-untyped-def]
    browser, live_server, world: World, request
) -> Iterator[tuple[object, dict[str, int], bool]]:
    javascript = request.param
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 360, "height": 800},
        java_script_enabled=javascript,
        accept_downloads=True,
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
    page.fill("#id_username", world.citizen.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    weights.clear()
    yield page, weights, javascript
    context.close()


def _look(page, name: str, weights: dict[str, int], *, javascript: bool) -> None:  # type: ignore[no-untyped-def]
    if javascript:
        _check(page, name, weights)
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert sum(weights.values()) < 150 * 1024, (name, weights)
    weights.clear()


@pytest.mark.parametrize("citizen_page", [True, False], ids=["js", "no-js"], indirect=True)
def test_the_citizen_supplements_then_downloads_the_result_and_rates(
    citizen_page, live_server, world: World, tmp_path: Path
) -> None:
    page, weights, javascript = citizen_page
    asked, settled = _dossiers(world)
    suffix = "js" if javascript else "nojs"

    page.goto(live_server.url + "/my/")
    assert "Hồ sơ của tôi" in page.locator("h1").inner_text()
    _look(page, f"mine-list-{suffix}", weights, javascript=javascript)
    page.get_by_role("link", name="Bổ sung hồ sơ").click()
    page.wait_for_url(f"**/my/{asked.code}/**")
    assert "Bản chụp bị mờ" in page.locator("#main").inner_text()
    _look(page, f"mine-supplement-{suffix}", weights, javascript=javascript)

    form = page.locator("#action-supplement")
    assert form.locator("input[type=file]").count() == 1  # only the component asked for
    upload = tmp_path / "to-khai.pdf"
    upload.write_bytes(pdf_bytes())
    form.locator("input[name='files[TP1]']").set_input_files(str(upload))
    form.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    page.wait_for_selector("#main .banner--success")
    asked.refresh_from_db()
    assert asked.status == DossierStatus.RECEIVED
    assert DossierFile.objects.filter(dossier=asked, component_code="TP1").count() == 1
    _look(page, f"mine-supplemented-{suffix}", weights, javascript=javascript)

    page.goto(live_server.url + f"/my/{settled.code}/")
    results = page.locator("#results + ul")
    assert "Mã kiểm tra" in results.inner_text()
    _look(page, f"mine-result-{suffix}", weights, javascript=javascript)
    with page.expect_download() as caught:
        results.get_by_role("link").first.click()
    saved = tmp_path / "result.pdf"
    caught.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    weights.clear()

    page.get_by_role("link", name="Đánh giá", exact=True).click()
    page.wait_for_url(f"**/my/{settled.code}/rating/")
    _look(page, f"mine-rate-{suffix}", weights, javascript=javascript)
    page.get_by_role("button", name="Gửi đánh giá").click()  # nothing chosen: an error
    assert "Chọn mức độ hài lòng chung." in page.locator(".error-summary").inner_text()
    _look(page, f"mine-rate-error-{suffix}", weights, javascript=javascript)
    page.locator("#overall-very_satisfied").check()
    page.locator("#c-staff_attitude-satisfied").check()
    page.fill("#comment", "Cán bộ hướng dẫn tận tình.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("#main .banner--success")
    rating = DossierRating.objects.get(dossier=settled)
    assert (rating.overall, rating.staff_attitude) == ("very_satisfied", "satisfied")
    assert "Bạn đã đánh giá" in page.locator("#rating ~ p").first.inner_text()
    _look(page, f"mine-rated-{suffix}", weights, javascript=javascript)
