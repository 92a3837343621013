"""Counter reception in Chromium, keyboard only: a demo officer finds the applicant by
number, finds the procedure by typing part of its name without accents, ticks the checklist,
reuses a paper of the data store, receives the dossier and lands on form 01; axe-core finds
no serious or critical violation; at 1366x768 and at 360 px nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.services import catalog_load_demo
from motcua.core.clock import local
from motcua.deadlines.services import calendar_seed
from motcua.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from motcua.demo.datastore import demo_datastore_load
from motcua.dossiers.models import ComponentSource, Dossier, DossierComponentSource, DossierStatus
from motcua.organisation.services import unit_tree_load

from .test_workspace import _check, officer_page  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCEDURE = "2.001002"  # Cấp Giấy phép lái xe quốc tế: settled by the police department


@pytest.fixture
def demo_catalog() -> User:
    now = timezone.now()
    unit_tree_load(province_code="01")
    year = local(now).year
    calendar_seed(years=[year - 1, year, year + 1], now=now)
    catalog_load_demo(now=now)
    demo_accounts_load(now=now)
    demo_datastore_load(now=now)  # congdan's papers: the driving licence is reused
    return User.objects.get(username="congdan")


def _tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus (fails after `limit` presses)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus")


def _focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.href || ''")


def _sign_in(page, live_server) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.focus("#id_username")
    page.keyboard.type("motcua.hoankiem")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/workspace/")


@pytest.mark.parametrize("size", [(1366, 768), (360, 740)], ids=["1366", "360"])
def test_an_officer_receives_at_the_counter_with_the_keyboard_only(
    officer_page,  # noqa: F811
    live_server,
    demo_catalog: User,
    size: tuple[int, int],
) -> None:
    page, weights, blocked = officer_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    tag = str(size[0])
    _sign_in(page, live_server)
    # to the counter through the navigation, by keyboard
    _tab_to(page, "a[href='/workspace/counter/']")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/workspace/counter/")
    assert _focused(page) == "number"  # autofocus on the first field
    _check(page, f"counter-start-{tag}", weights)
    page.keyboard.type(demo_catalog.personal_id)
    page.keyboard.press("Tab")
    page.keyboard.type("giay phep lai xe quoc te")  # no accents
    page.keyboard.press("Enter")
    page.wait_for_selector("#applicant-title")
    assert demo_catalog.full_name in page.locator("main").inner_text()
    assert f"procedure={PROCEDURE}" in _focused(page)  # the first result has the focus
    _check(page, f"counter-found-{tag}", weights)
    page.keyboard.press("Enter")
    page.wait_for_selector("form.counter-form")
    assert _focused(page) == "applicant-name"
    assert page.input_value("#applicant-name") == demo_catalog.full_name  # prefilled
    assert "Chuyển đơn vị có thẩm quyền" in page.locator("main").inner_text()
    _check(page, f"counter-dossier-{tag}", weights)
    # the e-form's one field without a prefill, then the checklist
    _tab_to(page, "#form-request_content")
    page.keyboard.type("Đi nước ngoài du lịch")
    _tab_to(page, "#checked-TP01")
    page.keyboard.press("Space")
    # the driving licence: reuse the one in the data store (arrow keys move in a radio group)
    _tab_to(page, "input[name=how-TP02]:checked")
    reuse = page.locator("input[name=how-TP02][value^='reuse:']")
    assert reuse.count() == 1
    for _ in range(5):
        if reuse.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert reuse.is_checked()
    _tab_to(page, "#checked-TP03")
    page.keyboard.press("Space")
    _tab_to(page, "button[value=receive]")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/workspace/counter/done/**")
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.receiving_unit.code == "00070"
    assert dossier.handling_unit.code == "01.CA"
    sources = dict(
        DossierComponentSource.objects.filter(dossier=dossier).values_list(
            "component_code", "source"
        )
    )
    assert sources == {"TP02": ComponentSource.REUSED}
    assert dossier.code in page.locator("h1 + p").inner_text()
    link = _focused(page)
    assert link.endswith(f"/workspace/dossiers/{dossier.code}/forms/01.pdf")  # Enter opens it
    _check(page, f"counter-done-{tag}", weights)
    pdf = page.request.get(link)
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    assert blocked == []
