"""The workspace's navigation offers only the pages the signed-in person may open: an
accountant (or a privacy officer) is not shown counter reception, the counter's records or
the certification book, which would answer 403."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.organisation.models import Role
from tests.factories import RoleAssignmentFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

ENTRIES = {
    "/workspace/counter/": "Tiếp nhận tại quầy",
    "/workspace/counter/advice/": "Quanh quầy",
    "/workspace/certified-copies/": "Chứng thực bản sao",
}


def _nav(user) -> tuple[Client, str]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    html = client.get("/workspace/").content.decode()
    return client, html[html.index('class="service-nav"') : html.index("</nav>")]


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.PRIVACY_OFFICER])
def test_no_entry_that_would_refuse(role) -> None:  # type: ignore[no-untyped-def]
    user = StaffFactory()
    RoleAssignmentFactory(user=user, unit=UnitFactory(code="00070"), role=role)
    client, nav = _nav(user)
    for url in ENTRIES:
        assert f'href="{url}"' not in nav
        assert client.get(url).status_code == 403


def test_an_officer_is_offered_each_of_them() -> None:
    user = StaffFactory()
    RoleAssignmentFactory(user=user, unit=UnitFactory(code="00070"), role=Role.OFFICER)
    client, nav = _nav(user)
    for url, label in ENTRIES.items():
        assert f'href="{url}"' in nav
        assert label in nav
        assert client.get(url).status_code == 200


def test_a_specialist_reads_the_counter_records_but_does_not_receive() -> None:
    user = StaffFactory()
    RoleAssignmentFactory(user=user, unit=UnitFactory(code="00070"), role=Role.SPECIALIST)
    client, nav = _nav(user)
    assert 'href="/workspace/counter/advice/"' in nav
    assert 'href="/workspace/counter/"' not in nav
    assert 'href="/workspace/certified-copies/"' not in nav
    assert client.get("/workspace/counter/").status_code == 403
    assert client.get("/workspace/certified-copies/").status_code == 403


def test_a_superuser_without_a_post_is_not_sent_to_the_counter_or_the_book(admin_user) -> None:  # type: ignore[no-untyped-def]
    """Both pages need the role itself (an officer's post; a unit whose book one reads)."""
    UnitFactory(code="00070")
    client, nav = _nav(admin_user)
    assert 'href="/workspace/counter/"' not in nav
    assert 'href="/workspace/certified-copies/"' not in nav
    assert client.get("/workspace/counter/").status_code == 403
    assert client.get("/workspace/certified-copies/").status_code == 403
    # what a superuser does get stays offered
    assert 'href="/workspace/counter/advice/"' in nav
    assert client.get("/workspace/counter/advice/").status_code == 200
    assert 'href="/workspace/procedures/"' in nav


def test_each_page_marks_one_entry_its_own() -> None:
    """One `aria-current="page"` in the navigation, on the page's own entry (counter
    reception and the counter's records were both marked on either)."""
    user = StaffFactory()
    RoleAssignmentFactory(user=user, unit=UnitFactory(code="00070"), role=Role.OFFICER)
    client = Client()
    client.force_login(user)
    pages = {
        "/workspace/": "Hồ sơ cần xử lý",
        **ENTRIES,
        "/workspace/counter/home/": "Quanh quầy",
        "/workspace/counter/hotline/": "Quanh quầy",
    }
    for url, label in pages.items():
        html = client.get(url).content.decode()
        nav = html[html.index('class="service-nav"') : html.index("</nav>")]
        assert nav.count('aria-current="page"') == 1, url
        assert f'aria-current="page">{label}</a>' in nav, url
