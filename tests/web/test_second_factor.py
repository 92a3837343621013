"""The staff second factor: enrolment (QR code, secret, first code, 10 recovery codes shown
once), verification after the password, recovery codes single-use; required or not."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.models import AuditEvent
from tests.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db
PASSWORD = "matkhau-demo-2026"


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _sign_in(client: Client, username: str) -> str:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


@pytest.fixture
def required(settings) -> None:
    settings.MOTCUA_STAFF_2FA_REQUIRED = True


@pytest.mark.usefixtures("required")
def test_enrol_verify_and_recovery_codes_once(client: Client) -> None:
    staff = StaffFactory(username="canbo.2fa")
    # password accepted: the second factor comes next, the workspace stays closed
    assert _sign_in(client, "canbo.2fa") == "/accounts/2fa/setup/"
    assert client.get("/workspace/")["Location"].startswith("/accounts/2fa/setup/")

    page = client.get("/accounts/2fa/setup/").content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, an image under img-src data:
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.get("/accounts/2fa/setup/").status_code == 200
    assert TOTPDevice.objects.filter(user=staff).count() == 1  # a reload keeps the secret
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    assert len(secret.group(1).replace(" ", "")) == 32

    wrong = client.post("/accounts/2fa/setup/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Mã xác thực không đúng" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp throttles after a failure: lift it here
    device.throttling_failure_timestamp = None
    device.save()

    done = client.post("/accounts/2fa/setup/", {"code": _code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert AuditEvent.objects.filter(action="second_factor_enrol", object_id=str(staff.pk)).exists()
    assert client.get("/workspace/").status_code == 200  # verified in this session
    # the codes are shown once: the enrolment page no longer shows them
    assert codes[0] not in client.get("/accounts/2fa/setup/").content.decode()

    # a new session: password, then a recovery code (spent), then the workspace
    other = Client()
    assert _sign_in(other, "canbo.2fa") == "/accounts/2fa/verify/"
    assert other.get("/workspace/")["Location"].startswith("/accounts/2fa/verify/")
    response = other.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    assert other.get("/workspace/").status_code == 200
    assert StaticToken.objects.filter(device__user=staff).count() == 9

    third = Client()
    _sign_in(third, "canbo.2fa")
    again = third.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert again.status_code == 200
    assert "Mã xác thực không đúng, đã dùng hoặc đã hết hạn" in again.content.decode()
    assert third.get("/workspace/").status_code == 302


@pytest.mark.usefixtures("required")
def test_verify_with_the_authenticator_code(client: Client) -> None:
    staff = StaffFactory(username="canbo.totp")
    device = TOTPDevice.objects.create(user=staff, name="motcua", confirmed=True)
    assert _sign_in(client, "canbo.totp") == "/accounts/2fa/verify/"
    response = client.post(
        "/accounts/2fa/verify/?next=/workspace/inbox/",
        {"code": _code(device), "next": "/workspace/inbox/"},
    )
    assert response["Location"] == "/workspace/inbox/"
    assert client.get("/workspace/inbox/").status_code == 200


@pytest.mark.usefixtures("required")
def test_a_confirmed_authenticator_cannot_be_replaced_before_the_second_factor(
    client: Client,
) -> None:
    staff = StaffFactory(username="canbo.replace")
    TOTPDevice.objects.create(user=staff, name="motcua", confirmed=True)
    _sign_in(client, "canbo.replace")
    assert client.get("/accounts/2fa/setup/")["Location"].startswith("/accounts/2fa/verify/")


@pytest.mark.usefixtures("required")
def test_citizens_never_need_a_second_factor(client: Client) -> None:
    CitizenFactory(username="congdan.2fa")
    assert _sign_in(client, "congdan.2fa") == "/"


def test_not_required_staff_sign_in_with_the_password_alone(client: Client, settings) -> None:
    settings.MOTCUA_STAFF_2FA_REQUIRED = False
    StaffFactory(username="canbo.demo")
    assert _sign_in(client, "canbo.demo") == "/workspace/"
    assert client.get("/workspace/").status_code == 200


def test_production_requires_it_by_default_local_does_not() -> None:
    from config.settings import base, local

    source = (base.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert 'MOTCUA_STAFF_2FA_REQUIRED = env_bool("MOTCUA_STAFF_2FA_REQUIRED", True)' in source
    assert local.MOTCUA_STAFF_2FA_REQUIRED is False


@pytest.mark.usefixtures("required")
def test_the_admin_asks_for_the_second_factor_too(client: Client) -> None:
    StaffFactory(username="quantri.2fa", is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "quantri.2fa", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/2fa/setup/?next=/admin/"


def test_without_the_requirement_the_admin_opens_with_the_password(
    client: Client, settings
) -> None:
    settings.MOTCUA_STAFF_2FA_REQUIRED = False
    StaffFactory(username="quantri.pw", is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": "quantri.pw", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200
