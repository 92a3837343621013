"""A staff member who lost their phone: self-service replacement of the authenticator and the
recovery codes (after the second factor), and an administrator's audited reset, after which
the next sign-in goes to enrolment."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.accounts.second_factor import second_factor_reset
from motcua.core.clock import now as clock_now
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.models import AuditEvent
from tests.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("required")]
PASSWORD = "matkhau-demo-2026"


@pytest.fixture
def required(settings) -> None:
    settings.MOTCUA_STAFF_2FA_REQUIRED = True


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _enrolled(username: str, **kw: object) -> tuple[User, TOTPDevice]:
    staff = StaffFactory(username=username, **kw)
    device = TOTPDevice.objects.create(user=staff, name="motcua", confirmed=True)
    static = StaticDevice.objects.create(user=staff, name="motcua", confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=f"abcd{i:04d}") for i in range(3)]
    )
    return staff, device


def _signed_in(username: str, device: TOTPDevice) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    response = client.post("/accounts/2fa/verify/", {"code": _code(device)})
    assert response.status_code == 302
    return client


def test_the_security_page_needs_the_second_factor_first() -> None:
    _enrolled("canbo.sec")
    client = Client()
    client.post("/accounts/login/", {"username": "canbo.sec", "password": PASSWORD})
    response = client.get("/accounts/2fa/")
    assert response["Location"] == "/accounts/2fa/verify/?next=/accounts/2fa/"
    assert client.post("/accounts/2fa/").status_code == 302
    assert StaticToken.objects.filter(device__user__username="canbo.sec").count() == 3


def test_regenerate_the_recovery_codes() -> None:
    staff, device = _enrolled("canbo.codes")
    client = _signed_in("canbo.codes", device)
    page = client.get("/accounts/2fa/").content.decode()
    assert "Bảo mật đăng nhập" in page
    assert re.search(r"<dt>Mã khôi phục còn lại</dt><dd>3</dd>", page)
    done = client.post("/accounts/2fa/")
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert "các mã cũ không còn dùng được" in done.content.decode()
    assert set(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    ) == set(codes)  # the old ones are gone
    assert AuditEvent.objects.filter(
        action="second_factor_recovery_codes", actor=staff, object_id=str(staff.pk)
    ).exists()
    assert TOTPDevice.objects.get(user=staff).pk == device.pk  # the authenticator stays


def test_replace_the_authenticator_confirmed_by_the_new_one() -> None:
    staff, old = _enrolled("canbo.phone")
    client = _signed_in("canbo.phone", old)
    page = client.get("/accounts/2fa/setup/?next=/accounts/2fa/").content.decode()
    assert "Bạn đang thay ứng dụng xác thực" in page
    new = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).get().pk == old.pk
    done = client.post("/accounts/2fa/setup/", {"code": _code(new), "next": "/accounts/2fa/"})
    assert done.status_code == 200
    assert list(TOTPDevice.objects.filter(user=staff).values_list("pk", flat=True)) == [new.pk]
    assert not StaticToken.objects.filter(token__startswith="abcd").exists()


def test_an_administrator_resets_and_the_next_sign_in_goes_to_enrolment() -> None:
    staff, device = _enrolled("canbo.lost")
    earlier = _signed_in("canbo.lost", device)  # a session verified with the old phone
    assert earlier.get("/workspace/").status_code == 200
    admin, admin_device = _enrolled("quantri.tk", is_superuser=True)
    client = _signed_in("quantri.tk", admin_device)
    page = client.get("/workspace/staff/second-factor/").content.decode()
    assert 'href="/workspace/staff/second-factor/" aria-current="page"' in page
    empty = client.post("/workspace/staff/second-factor/", {"username": "canbo.lost"})
    assert empty.status_code == 400
    assert "Cần ghi rõ lý do." in empty.content.decode()
    assert TOTPDevice.objects.filter(user=staff).exists()
    response = client.post(
        "/workspace/staff/second-factor/",
        {"username": "canbo.lost", "reason": "Mất điện thoại, đã xác minh trực tiếp"},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    event = AuditEvent.objects.get(action="second_factor_reset", object_id=str(staff.pk))
    assert event.actor == admin
    assert event.reason == "Mất điện thoại, đã xác minh trực tiếp"
    assert event.before == {"totp_devices": 1, "recovery_devices": 1}
    # the old session is no longer verified; a new sign-in goes to enrolment
    assert earlier.get("/workspace/")["Location"].startswith("/accounts/2fa/setup/")
    fresh = Client()
    response = fresh.post("/accounts/login/", {"username": "canbo.lost", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/setup/"


def test_only_an_administrator_of_accounts_may_reset() -> None:
    staff, _ = _enrolled("canbo.victim")
    other, other_device = _enrolled("canbo.other")
    client = _signed_in("canbo.other", other_device)
    page = client.get("/workspace/").content.decode()
    assert "/workspace/staff/second-factor/" not in page  # not offered
    response = client.post(
        "/workspace/staff/second-factor/", {"username": "canbo.victim", "reason": "thử"}
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=staff).exists()
    assert not AuditEvent.objects.filter(action="second_factor_reset").exists()
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=staff, actor=other, now=clock_now(), reason="thử")
    # the Django admin's right to change accounts is enough (for a Django admin user)
    other.user_permissions.add(Permission.objects.get(codename="change_user"))
    other = User.objects.get(pk=other.pk)
    with pytest.raises(PermissionDenied):
        second_factor_reset(user=staff, actor=other, now=clock_now(), reason="Mất máy")
    User.objects.filter(pk=other.pk).update(is_staff=True)
    other = User.objects.get(pk=other.pk)
    assert second_factor_reset(user=staff, actor=other, now=clock_now(), reason="Mất máy") == 2


def test_no_reset_of_oneself_and_a_reason_is_needed() -> None:
    admin, _ = _enrolled("quantri.self", is_superuser=True)
    with pytest.raises(PermissionDenied) as refused:
        second_factor_reset(user=admin, actor=admin, now=clock_now(), reason="mất máy")
    assert refused.value.code == "second_factor_reset_self"
    staff, _ = _enrolled("canbo.reason")
    with pytest.raises(ValidationError):
        second_factor_reset(user=staff, actor=admin, now=clock_now(), reason="  ")
    assert TOTPDevice.objects.filter(user__in=[admin, staff]).count() == 2


def test_the_django_admin_action_opens_the_reset_page_for_the_account() -> None:
    staff, _ = _enrolled("canbo.admin")
    _admin, admin_device = _enrolled("quantri.admin", is_superuser=True, is_staff=True)
    client = _signed_in("quantri.admin", admin_device)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "second_factor_reset_open", "_selected_action": [staff.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/staff/second-factor/?username=canbo.admin"
    page = client.get(response["Location"]).content.decode()
    assert 'value="canbo.admin"' in page
    assert TOTPDevice.objects.filter(user=staff).exists()  # nothing reset without a reason


def test_after_a_recovery_code_the_security_page_is_pointed_to() -> None:
    _enrolled("canbo.recover")
    client = Client()
    client.post("/accounts/login/", {"username": "canbo.recover", "password": PASSWORD})
    response = client.post("/accounts/2fa/verify/", {"code": "abcd0001"}, follow=True)
    page = response.content.decode()
    assert "còn 2 mã" in page
    assert "Bảo mật đăng nhập (/accounts/2fa/)" in page
    assert client.get("/accounts/2fa/").status_code == 200  # verified: the page opens
