"""The site has an icon: `/favicon.ico` answers, and every base template names the SVG."""

from __future__ import annotations

import pytest
from django.test import Client

ICON_LINK = '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">'


def test_favicon_ico_serves_the_svg_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_the_portal_names_the_icon(client: Client) -> None:
    assert ICON_LINK in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_admin_names_the_icon(client: Client, admin_user) -> None:
    assert ICON_LINK in client.get("/admin/login/").content.decode()
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    assert ICON_LINK in page
    assert "motcua — Hệ thống giải quyết thủ tục hành chính" in page  # the branding kept
