"""Under htmx (HX-Request), signing in again is a whole-window redirect (HX-Redirect) back to
the page the person was on, never the sign-in page inside a row; a refusal is a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from freezegun import freeze_time

from motcua.dossiers.models import Dossier, DossierStatus
from tests.dossiers.helpers import MON, World, submitted, vn
from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/workspace/inbox/?page=2"}


def test_an_htmx_post_after_the_session_expired_redirects_the_window(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = Client()
    with freeze_time(vn(2026, 3, 2, 10, 0)) as frozen:
        client.force_login(world.officer)
        assert client.get("/workspace/inbox/").status_code == 200
        frozen.tick(dt.timedelta(minutes=31))  # idle past the staff limit
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/receive/",
            {"expected_version": dossier.version, "partial": "inbox-row"},
            headers=HX,
        )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=/workspace/inbox/%3Fpage%3D2"
    assert response.content == b""  # never the sign-in page in the row
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED


def test_without_sign_in_the_request_path_is_the_fallback_for_another_origin(
    world: World,
) -> None:
    dossier = submitted(world, now=MON)
    response = Client().post(
        f"/workspace/dossiers/{dossier.code}/actions/receive/",
        {"expected_version": dossier.version},
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/workspace/"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == (
        f"/accounts/login/?next=/workspace/dossiers/{dossier.code}/actions/receive/"
    )


def test_without_js_the_redirect_to_sign_in_is_unchanged() -> None:
    response = Client().get("/workspace/inbox/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/workspace/inbox/%3Fpage%3D2"
    assert "HX-Redirect" not in response


def test_the_second_factor_redirect_under_htmx(settings) -> None:
    settings.MOTCUA_STAFF_2FA_REQUIRED = True
    client = Client()
    client.force_login(StaffFactory(username="canbo.htmx"))
    response = client.get(
        "/workspace/inbox/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/workspace/"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/2fa/setup/?next=/workspace/"


def test_a_citizen_under_htmx_gets_a_message_not_a_page() -> None:
    client = Client()
    client.force_login(CitizenFactory(username="congdan.htmx"))
    response = client.get("/workspace/inbox/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#htmx-message"
    assert response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert "<html" not in body
    assert "Không có quyền truy cập" in body
    assert 'role="alert"' in body
    plain = client.get("/workspace/inbox/")
    assert plain.status_code == 403
    assert "<html" in plain.content.decode()


def test_a_refused_inbox_action_under_htmx_is_the_row_with_the_message(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = Client()
    client.force_login(world.specialist)
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        # the one-stop officer's action, which a specialist may not take
        response = client.post(
            f"/workspace/dossiers/{dossier.code}/actions/receive/",
            {"expected_version": dossier.version, "partial": "inbox-row"},
            headers=HX,
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="inbox-{dossier.code}"')
    assert 'class="error-message" role="alert"' in body
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED


def test_the_layout_has_the_message_region(world: World) -> None:
    client = Client()
    client.force_login(world.officer)
    assert '<div id="htmx-message"' in client.get("/workspace/inbox/").content.decode()


def test_a_forged_htmx_post_is_a_message_and_nothing_changes(world: World) -> None:
    dossier = submitted(world, now=MON)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    url = f"/workspace/dossiers/{dossier.code}/actions/receive/"
    with freeze_time(vn(2026, 3, 2, 10, 0)):
        htmx = client.post(
            url, {"expected_version": dossier.version, "partial": "inbox-row"}, headers=HX
        )
        plain = client.post(url, {"expected_version": dossier.version})
    assert htmx.status_code == 200
    assert htmx["HX-Retarget"] == "#htmx-message"
    assert "Hãy tải lại trang rồi thử lại." in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    assert plain.status_code == 403
    assert "CSRF" in plain.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED
