"""The whole citizen journey in one run, in Chromium at 360 px (issue 9): find a procedure by
typing it without accents, sign in through the demo VNeID (a real OpenID Connect flow served by
motcua itself), apply online with the e-form prefilled and the identity card reused from the
data store, an officer accepts the dossier in the workspace and asks for a supplement, the
citizen uploads it, the dossier is settled, the citizen downloads the signed result and rates
the service. axe-core finds no serious or critical violation on the pages visited.

The internal processing between the supplement and the result (the specialist's and the
leader's steps) is done through the services, as the workspace's own browser tests walk it
(tests/browser/test_workspace_processing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from motcua.accounts.identity.registry import identity_providers_reset
from motcua.accounts.models import User
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.demo.datastore import demo_datastore_load
from motcua.demo.identity import demo_identity_people_load
from motcua.dossiers.models import (
    ComponentSource,
    Dossier,
    DossierComponentSource,
    DossierRating,
    DossierStatus,
)
from motcua.dossiers.selectors import dossier_actions_for
from motcua.dossiers.services import dossier_act
from motcua.organisation.services import unit_tree_load
from tests.browser.test_workspace import _check
from tests.documents.samples import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCEDURE = "HN.DEMO.013"


@pytest.fixture
def demo_city(settings, live_server) -> None:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)
    demo_datastore_load(now=now)
    demo_identity_people_load()
    # The demo VNeID as this live server answers it (the test settings name testserver).
    from config.settings.base import identity_providers_config

    settings.MOTCUA_DEMO_IDP_ISSUER = f"{live_server.url}/demo-idp"
    settings.MOTCUA_IDENTITY_PROVIDERS = identity_providers_config(
        demo_idp=True, public_url=live_server.url
    )
    identity_providers_reset()
    yield
    identity_providers_reset()


def _phone(browser, *, downloads: bool = False):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 800}, accept_downloads=downloads
    )
    page = context.new_page()
    weights: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if response.request.resource_type != "fetch":
            try:
                weights[response.url] = len(response.body())
            except Exception:  # a redirect or a download has no body here
                weights[response.url] = 0

    page.on("response", on_response)
    return context, page, weights


def _continue(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_load_state()


def _step(dossier: Dossier, actors: list[User]) -> None:
    """Whoever may move the dossier on does it: the result when the steps are done, else a
    hand-over to the first person the action offers (the same call the pages make)."""
    dossier.refresh_from_db()
    now = timezone.now()
    for actor in actors:
        offered = {a.action: a for a in dossier_actions_for(actor=actor, dossier=dossier, now=now)}
        for action in ("issue_result", "forward"):
            if action not in offered:
                continue
            values = {}
            for field in offered[action].fields:
                if field.name in ("to_user", "outcome") and field.choices:
                    values[field.name] = field.choices[0].value
            dossier_act(
                action=action,
                dossier=dossier,
                actor=actor,
                now=now,
                expected_version=dossier.version,
                values=values,
            )
            return
    raise AssertionError(f"nobody may move {dossier.code} on ({dossier.status})")


def test_search_sign_in_with_vneid_apply_supplement_result_and_rate(
    browser, live_server, demo_city, tmp_path: Path
) -> None:
    citizen_context, page, weights = _phone(browser, downloads=True)

    # find the procedure, typed without accents
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "cap ban sao tu so goc")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/procedures/" in url and "q=" in url)
    page.locator(f"a[href='/procedures/{PROCEDURE}/']").first.click()
    page.wait_for_url(f"**/procedures/{PROCEDURE}/")
    _check(page, "journey-procedure", weights)
    page.get_by_role("button", name="Nộp hồ sơ trực tuyến").click()

    # sign in through the demo VNeID, back to the application
    page.wait_for_url(lambda url: "/accounts/login/" in url and "next=" in url)
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url("**/demo-idp/authorize/**")
    page.get_by_label("Nguyễn Văn An", exact=False).check()
    page.get_by_role("button", name="Đồng ý chia sẻ và đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/apply/{PROCEDURE}/")
    _check(page, "journey-apply-start", weights)

    # apply: prefilled, the identity card reused in one click
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url("**/who/")
    page.get_by_label("Cho chính tôi").check()
    _continue(page)
    page.wait_for_url("**/place/")
    _continue(page)
    page.wait_for_url("**/form-1/")
    assert page.get_by_text("Nguyễn Văn An").first.is_visible()
    assert page.locator("#form-phone").input_value() == "0912345678"
    page.fill("#form-request_content", "Cấp 02 bản sao giấy khai sinh")
    _continue(page)
    page.wait_for_url("**/component-TP01/")
    assert page.get_by_label("Dùng giấy tờ đã lưu: Thẻ căn cước", exact=False).first.is_checked()
    _continue(page)
    page.wait_for_url("**/component-TP02/")
    _continue(page)
    page.wait_for_url("**/delivery/")
    page.get_by_label("Nhận tại nơi nộp hồ sơ").check()
    _continue(page)
    page.wait_for_url("**/fees/")
    _continue(page)
    page.wait_for_url("**/check/")
    page.get_by_label("Tôi cam đoan", exact=False).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/done/")
    dossier = Dossier.objects.get()
    citizen = User.objects.get(username="congdan")
    assert (dossier.status, dossier.applicant_id) == (DossierStatus.REGISTERED, citizen.pk)
    source = DossierComponentSource.objects.get(dossier=dossier)
    assert (source.component_code, source.source) == ("TP01", ComponentSource.REUSED)
    _check(page, "journey-done", weights)

    # the one-stop officer accepts it in the inbox, then asks for a supplement
    officer_context, officer, officer_weights = _phone(browser)
    officer.set_viewport_size({"width": 1366, "height": 768})
    officer.goto(live_server.url + "/accounts/login/")
    officer.fill("#id_username", "motcua.hoankiem")
    officer.fill("#id_password", DEMO_PASSWORD)
    officer.click("main button[type=submit]")
    officer.wait_for_url(live_server.url + "/workspace/")
    officer.goto(live_server.url + "/workspace/inbox/")
    row = officer.locator(f"#inbox-{dossier.code}")
    row.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    officer.wait_for_selector(f"#inbox-{dossier.code} .banner--success")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    officer.goto(live_server.url + f"/workspace/dossiers/{dossier.code}/")
    form = officer.locator("#action-request_supplement")
    form.locator("input[name^=items__]").first.fill("Bản chụp thẻ căn cước bị mờ")
    form.get_by_role("button", name="Yêu cầu bổ sung hồ sơ").click()
    officer.wait_for_selector("#main .banner--success")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    _check(officer, "journey-officer-supplement", officer_weights)

    # the citizen sees what is asked and uploads only that
    page.goto(live_server.url + f"/my/{dossier.code}/")
    assert "Bản chụp thẻ căn cước bị mờ" in page.locator("#main").inner_text()
    upload = tmp_path / "the-can-cuoc.pdf"
    upload.write_bytes(pdf_bytes())
    supplement = page.locator("#action-supplement")
    assert supplement.locator("input[type=file]").count() == 1
    supplement.locator("input[type=file]").set_input_files(str(upload))
    supplement.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    page.wait_for_selector("#main .banner--success")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    _check(page, "journey-supplemented", weights)

    # inside the agency: through the steps to the signed result (as the pages would)
    officer_user = User.objects.get(username="motcua.hoankiem")
    specialist = User.objects.get(username="chuyenvien.hoankiem")
    leader = User.objects.get(username="lanhdao.hoankiem")
    for _ in range(6):
        dossier.refresh_from_db()
        if dossier.status == DossierStatus.FINISHED:
            break
        _step(dossier, [officer_user, specialist, leader])
    dossier.refresh_from_db()
    assert dossier.status in (DossierStatus.FINISHED, DossierStatus.RETURNED)

    # the citizen downloads the signed result and rates the service
    page.goto(live_server.url + f"/my/{dossier.code}/")
    results = page.locator("#results + ul")
    assert "Mã kiểm tra" in results.inner_text()
    with page.expect_download() as caught:
        results.get_by_role("link").first.click()
    saved = tmp_path / "ket-qua.pdf"
    caught.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    weights.clear()
    page.get_by_role("link", name="Đánh giá", exact=True).click()
    page.wait_for_url(f"**/my/{dossier.code}/rating/")
    page.locator("#overall-very_satisfied").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("#main .banner--success")
    assert DossierRating.objects.get(dossier=dossier).overall == "very_satisfied"
    _check(page, "journey-rated", weights)
    officer_context.close()
    citizen_context.close()
