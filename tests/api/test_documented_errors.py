"""Every error response the OpenAPI document promises is produced as documented: for each
(operation, status) of the document a request that causes it, answering that status with a
JSON body of the documented schema (`code` and `message`, plus `errors` for
ValidationErrorOut). A new documented error without a case here fails the walk."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import api_token_create
from motcua.api.main import openapi_document
from motcua.catalog.models import Procedure
from motcua.organisation.models import Unit
from tests.api.conftest import bearer
from tests.documents.samples import free_port, issued_sample, pdf_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Documented but not reachable from outside in a test: submitting creates the dossier, so
# there is no concurrent version to conflict with (the 409 is shared by the write operations).
NOT_PRACTICAL = {("dossiers_submit", "409")}

SUBMIT = {"procedure": "1.001193", "receiving_unit": "00070", "form_data": {"ten_tre": "An"}}
LIMITS_ZERO = {
    "login": (0, 60),
    "login_account": (0, 900),
    "auth_token": (0, 60),
    "lookup": (0, 60),
    "verify": (0, 60),
    "payment_callback": (0, 60),
    "dossier_lookup": (0, 600),
    "feedback_submit": (0, 3600),
    "feedback_follow": (0, 600),
}
FEEDBACK = {"subject": "Chậm trả kết quả", "body": "Quá hẹn.", "sender_name": "An",
            "sender_phone": "0912345678"}  # fmt: skip


def _staff_get(w: World, path: str) -> Any:
    from motcua.organisation.models import Role
    from tests.factories import RoleAssignmentFactory, StaffFactory

    staff = StaffFactory(username="canbo_pa")
    RoleAssignmentFactory(user=staff, unit=w.ward, role=Role.OFFICER)
    return w.client.get(path, **bearer(staff))


class World:
    def __init__(self, citizen: User, integrator: User, ward: Unit) -> None:
        self.citizen = citizen
        self.integrator = integrator
        self.ward = ward
        self.auth = bearer(citizen)
        self.client = Client()

    def csrf_client(self) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.citizen)
        return client

    def post(self, path: str, body: Any, **extra: Any) -> Any:
        text = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(path, text, content_type="application/json", **extra)


def _too_big() -> str:
    return json.dumps({**SUBMIT, "form_data": {"x": "x" * 1_100_000}})


def _with(settings_override: dict[str, Any], call: Callable[[], Any]) -> Any:
    with override_settings(**settings_override):
        return call()


def _db_down() -> Any:
    return mock.patch("motcua.core.health.connection.cursor", side_effect=OperationalError("down"))


def _ready_db_down(w: World) -> Any:
    with _db_down():
        return w.client.get("/api/v1/ready")


def _too_many_tokens(w: World) -> Any:
    for _ in range(2):
        w.post("/api/v1/auth/token", {"username": "an", "password": "matkhau-demo-2026"})
    with override_settings(MOTCUA_PERSONAL_TOKENS={"days": 90, "max_active": 2}):
        return w.post("/api/v1/auth/token", {"username": "an", "password": "matkhau-demo-2026"})


def _quota(w: World) -> Any:
    with override_settings(
        MOTCUA_SUBMISSION_QUOTAS={"default": (0, 3600), "integrator": (0, 3600)}
    ):
        return w.post("/api/v1/dossiers", SUBMIT, **w.auth)


def _someone_elses_token(w: World) -> Any:
    token, _ = api_token_create(user=UserFactory(username="khac"), name="x", now=timezone.now())
    return w.client.delete(f"/api/v1/auth/tokens/{token.pk}", **w.auth)


def _unsigned_receipt(w: World) -> Any:
    """A receipt of the citizen's own dossier whose signature is still to come."""
    from motcua.payments.receipts import receipt_issue
    from motcua.payments.services import fee_line_add, fee_lines_pay
    from tests.dossiers.helpers import hk_receipt_series

    code = _own_dossier(w)
    now = timezone.now()
    hk_receipt_series(unit=w.ward, now=now)
    line = fee_line_add(
        dossier_code=code, collecting_unit=w.ward, name="Lệ phí", kind="charge",
        timing="before", unit_amount_vnd=10_000, now=now,
    )  # fmt: skip
    payment = fee_lines_pay(lines=[line], method="cash", reference="PT-1", now=now)
    receipt = receipt_issue(payment=payment, payer_name="An", now=now)
    number = f"{receipt.series.series}-{receipt.number_text}"
    return w.client.get(f"/api/v1/receipts/{number}/pdf", **w.auth)


def _pay(w: World, code: str | None = None, body: Any = None, **extra: Any) -> Any:
    code = code or _own_dossier(w)
    return w.post(f"/api/v1/dossiers/{code}/payments", {} if body is None else body, **extra)


RECONCILIATIONS = "/api/v1/payments/reconciliations"


def _accountant(w: World) -> dict[str, Any]:
    from motcua.organisation.models import Role
    from tests.factories import RoleAssignmentFactory, StaffFactory

    user = StaffFactory(username="ketoan")
    RoleAssignmentFactory(user=user, unit=w.ward, role=Role.ACCOUNTANT)
    return bearer(user)


def _statement(w: World, content: bytes | None, gateway: str = "sandbox", **extra: Any) -> Any:
    body: dict[str, Any] = {"gateway": gateway, "date": "2026-12-01"}
    if content is not None:
        body["file"] = SimpleUploadedFile("saoke.csv", content, content_type="text/csv")
    return w.client.post(RECONCILIATIONS, body, **extra)


BAD_STATEMENT = b"vnp_TxnRef,vnp_Amount\nMC1,100\n"


TOKEN = "/api/v1/auth/token"
BOOK = "/api/v1/units/00070/tracking-book?from=2026-03-01&to=2026-03-31"
GOOD = {"username": "an", "password": "matkhau-demo-2026"}


def _own_dossier(w: World) -> str:
    """A dossier the citizen filed (status 1, version 1)."""
    response = w.post("/api/v1/dossiers", SUBMIT, **w.auth)
    assert response.status_code == 201, response.content[:300]
    code: str = response.json()["code"]
    return code


def _act(w: World, action: str, body: Any, **extra: Any) -> Any:
    return w.post(f"/api/v1/dossiers/{_own_dossier(w)}/actions/{action}", body, **extra)


def _upload(w: World, code: str, data: bytes | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"component": "GCS"}
    if data is not None:
        body["file"] = SimpleUploadedFile("a.pdf", data)
    return w.client.post(f"/api/v1/dossiers/{code}/files", body, **extra)


def _upload_locked(w: World) -> Any:
    code = _own_dossier(w)
    body = json.dumps({"expected_version": 1, "reason": "x"})
    w.client.post(
        f"/api/v1/dossiers/{code}/actions/withdraw",
        body,
        content_type="application/json",
        **w.auth,
    )
    return _upload(w, code, pdf_bytes(), **w.auth)


def _upload_unscanned(w: World) -> Any:
    code = _own_dossier(w)
    with override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=free_port()):
        return _upload(w, code, pdf_bytes(), **w.auth)


def _feedback_unscanned(w: World) -> Any:
    photo = SimpleUploadedFile("anh.pdf", pdf_bytes(), content_type="application/pdf")
    with override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=free_port()):
        return w.client.post("/api/v1/feedback", {**FEEDBACK, "attachments": photo})


def _upload_too_big(w: World) -> Any:
    code = _own_dossier(w)
    with override_settings(MOTCUA_API_UPLOAD_MAX_BYTES=100):
        return _upload(w, code, pdf_bytes(), **w.auth)


def _withdrawn(w: World) -> str:
    code = _own_dossier(w)
    body = json.dumps({"expected_version": 1, "reason": "x"})
    w.client.post(
        f"/api/v1/dossiers/{code}/actions/withdraw",
        body,
        content_type="application/json",
        **w.auth,
    )
    return code


def _national_unavailable(w: World) -> Any:
    from motcua.catalog.models import Component

    Component.objects.create(
        version=Procedure.objects.get(code="1.001193").versions.get(number=2),
        order=9,
        code="CC",
        name="Giấy tờ tùy thân",
        accepted_forms=["national_data"],
        national_database="population",
    )
    code = _own_dossier(w)
    closed = {"connector": "http", "options": {"base_url": f"http://127.0.0.1:{free_port()}"}}
    with override_settings(MOTCUA_NATIONAL_DATA={"*": {**closed}}):
        options = closed["options"]
        assert isinstance(options, dict)
        options["retries"] = 0
        return w.post(f"/api/v1/dossiers/{code}/national-data", {"component": "CC"}, **w.auth)


REUSE = "/api/v1/dossiers/{}/reuse"
NATIONAL = "/api/v1/dossiers/{}/national-data"

ISSUE = "/api/v1/dossiers/{code}/actions/issue_result"


def _issue_upload(w: World, code: str, data: bytes, **extra: Any) -> Any:
    body = {"expected_version": "1", "file": SimpleUploadedFile("kq.pdf", data)}
    return w.client.post(ISSUE.format(code=code), body, **extra)


def _issue_unscanned(w: World) -> Any:
    code = _own_dossier(w)
    with override_settings(MOTCUA_CLAMAV_HOST="127.0.0.1", MOTCUA_CLAMAV_PORT=free_port()):
        return _issue_upload(w, code, pdf_bytes(), **w.auth)


def _issue_too_big(w: World) -> Any:
    code = _own_dossier(w)
    with override_settings(MOTCUA_API_UPLOAD_MAX_BYTES=100):
        return _issue_upload(w, code, pdf_bytes(), **w.auth)


def _issued_code() -> str:
    document, _signed = issued_sample()
    return document.code


def _verify_upload(code: str, data: bytes | None) -> Any:
    body = {} if data is None else {"file": SimpleUploadedFile("a.pdf", data)}
    return Client().post(f"/api/v1/verify/{code}", body)


def _verify_too_big(w: World) -> Any:
    code = _issued_code()
    with override_settings(MOTCUA_API_UPLOAD_MAX_BYTES=100):
        return _verify_upload(code, pdf_bytes())


def _report(w: World, code: str | None = None, body: Any = None, **extra: Any) -> Any:
    path = f"/api/v1/dossiers/{code or _own_dossier(w)}/certified-copy-reports"
    return w.post(path, {"component": "GCS"} if body is None else body, **extra)


def _report_twice(w: World) -> Any:
    code = _own_dossier(w)
    _report(w, code, **w.auth)
    return _report(w, code, **w.auth)


def _rate(w: World, code: str | None = None, body: Any = None, **extra: Any) -> Any:
    path = f"/api/v1/dossiers/{code or _own_dossier(w)}/rating"
    return w.post(path, {"overall": "satisfied"} if body is None else body, **extra)


COUNTS = "/api/v1/reports/certified-copy-requests"


HOOKS = "/api/v1/webhooks"
HOOK = {"name": "LGSP", "url": "http://127.0.0.1:9/hook", "topics": ["dossier.*"]}


def _integrator_auth(w: World) -> dict[str, Any]:
    return bearer(w.integrator)


def _hook(w: World) -> tuple[dict[str, Any], int]:
    """The integrator's headers and one endpoint of its own."""
    auth = _integrator_auth(w)
    response = w.post(HOOKS, HOOK, **auth)
    assert response.status_code == 201, response.content[:300]
    return auth, int(response.json()["id"])


def _hook_patch(w: World, body: Any) -> Any:
    auth, hook = _hook(w)
    text = body if isinstance(body, str) else json.dumps(body)
    return w.client.patch(f"{HOOKS}/{hook}", text, content_type="application/json", **auth)


def _too_many_hooks(w: World) -> Any:
    with override_settings(MOTCUA_WEBHOOKS_MAX_PER_OWNER=0):
        return w.post(HOOKS, HOOK, **_integrator_auth(w))


def _tests_limited(w: World) -> Any:
    auth, hook = _hook(w)
    limits = {**django_settings.MOTCUA_RATE_LIMITS, "webhook_test": (0, 60)}
    with override_settings(MOTCUA_RATE_LIMITS=limits):
        return w.post(f"{HOOKS}/{hook}/test", {}, **auth)


def _redeliver_paused(w: World) -> Any:
    from motcua.notifications.models import WebhookDelivery, WebhookEndpoint

    auth, hook = _hook(w)
    WebhookEndpoint.objects.filter(pk=hook).update(active=False)
    row = WebhookDelivery.objects.create(
        endpoint_id=hook, delivery_key="k", topic="dossier.receive", body="{}",
        status="failed", created_at=timezone.now(),
    )  # fmt: skip
    return w.post(f"{HOOKS}/{hook}/deliveries/{row.pk}/redeliver", {}, **auth)


def _csrf(w: World, method: str, path: str) -> Any:
    return getattr(w.csrf_client(), method)(path, "{}", content_type="application/json")


CASES: dict[tuple[str, str], Callable[[World], Any]] = {
    # public look-ups
    ("procedures_list", "400"): lambda w: w.client.get("/api/v1/procedures?q=%00"),
    ("procedures_list", "422"): lambda w: w.client.get("/api/v1/procedures?page=0"),
    ("procedures_list", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.client.get("/api/v1/procedures")
    ),
    ("procedures_get", "400"): lambda w: w.client.get("/api/v1/procedures/1%00"),
    ("procedures_get", "404"): lambda w: w.client.get("/api/v1/procedures/9.999"),
    ("procedures_get", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.client.get("/api/v1/procedures/1.001193")
    ),
    ("life_events_list", "400"): lambda w: w.client.get("/api/v1/life-events?x=%00"),
    ("life_events_list", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.client.get("/api/v1/life-events")
    ),
    ("units_list", "400"): lambda w: w.client.get("/api/v1/units?kind=%00"),
    ("units_list", "422"): lambda w: w.client.get("/api/v1/units?kind=castle"),
    ("units_list", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.client.get("/api/v1/units")
    ),
    # dossiers
    ("dossiers_list", "400"): lambda w: w.client.get("/api/v1/dossiers?page=%00", **w.auth),
    ("dossiers_list", "401"): lambda w: w.client.get("/api/v1/dossiers"),
    ("dossiers_list", "422"): lambda w: w.client.get("/api/v1/dossiers?page_size=1000", **w.auth),
    ("dossiers_submit", "400"): lambda w: w.post(
        "/api/v1/dossiers", {**SUBMIT, "form_data": {"ten_tre": "\x00"}}, **w.auth
    ),
    ("dossiers_submit", "401"): lambda w: w.post("/api/v1/dossiers", SUBMIT),
    ("dossiers_submit", "403"): lambda w: w.csrf_client().post(
        "/api/v1/dossiers", json.dumps(SUBMIT), content_type="application/json"
    ),
    ("dossiers_submit", "413"): lambda w: w.post("/api/v1/dossiers", _too_big(), **w.auth),
    ("dossiers_submit", "422"): lambda w: w.post("/api/v1/dossiers", {"x": 1}, **w.auth),
    ("dossiers_submit", "429"): _quota,
    ("dossiers_get", "400"): lambda w: w.client.get("/api/v1/dossiers/a%00", **w.auth),
    ("dossiers_get", "401"): lambda w: w.client.get("/api/v1/dossiers/x"),
    ("dossiers_get", "404"): lambda w: w.client.get("/api/v1/dossiers/x", **w.auth),
    ("dossiers_events", "400"): lambda w: w.client.get("/api/v1/dossiers/a%00/events", **w.auth),
    ("dossiers_events", "401"): lambda w: w.client.get("/api/v1/dossiers/x/events"),
    ("dossiers_events", "404"): lambda w: w.client.get("/api/v1/dossiers/x/events", **w.auth),
    ("dossiers_notifications", "400"): lambda w: w.client.get(
        "/api/v1/dossiers/a%00/notifications", **w.auth
    ),
    ("dossiers_notifications", "401"): lambda w: w.client.get("/api/v1/dossiers/x/notifications"),
    ("dossiers_notifications", "404"): lambda w: w.client.get(
        "/api/v1/dossiers/x/notifications", **w.auth
    ),
    # personal tokens
    ("auth_token_create", "400"): lambda w: w.post(TOKEN, '{"username": "a\\u0000"}'),
    ("auth_token_create", "401"): lambda w: w.post(TOKEN, {**GOOD, "password": "sai"}),
    ("auth_token_create", "403"): lambda w: w.post(
        TOKEN, {"username": "dvcqg", "password": "matkhau-demo-2026"}
    ),
    ("auth_token_create", "409"): _too_many_tokens,
    ("auth_token_create", "413"): lambda w: w.post(TOKEN, _too_big()),
    ("auth_token_create", "422"): lambda w: w.post(TOKEN, {"username": "an"}),
    ("auth_token_create", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.post(TOKEN, GOOD)
    ),
    ("auth_tokens_list", "400"): lambda w: w.client.get("/api/v1/auth/tokens?x=%00", **w.auth),
    ("auth_tokens_list", "401"): lambda w: w.client.get("/api/v1/auth/tokens"),
    ("auth_tokens_revoke", "400"): lambda w: w.client.delete("/api/v1/auth/tokens/1%00", **w.auth),
    ("auth_tokens_revoke", "401"): lambda w: w.client.delete("/api/v1/auth/tokens/1"),
    ("auth_tokens_revoke", "403"): lambda w: w.csrf_client().delete("/api/v1/auth/tokens/1"),
    ("auth_tokens_revoke", "404"): _someone_elses_token,
    ("auth_tokens_revoke", "422"): lambda w: w.client.delete("/api/v1/auth/tokens/abc", **w.auth),
    # system
    ("ready", "503"): _ready_db_down,
    ("dossiers_actions", "400"): lambda w: w.client.get("/api/v1/dossiers/a%00/actions", **w.auth),
    ("dossiers_actions", "401"): lambda w: w.client.get("/api/v1/dossiers/x/actions"),
    ("dossiers_actions", "404"): lambda w: w.client.get("/api/v1/dossiers/x/actions", **w.auth),
    # A field the action does not take: refused by dossier_act (the body itself parses).
    ("dossiers_act", "400"): lambda w: _act(
        w, "withdraw", {"expected_version": 1, "reason": "x", "amount_vnd": 5}, **w.auth
    ),
    ("dossiers_act", "401"): lambda w: w.post(
        "/api/v1/dossiers/x/actions/withdraw", {"expected_version": 1}
    ),
    ("dossiers_act", "403"): lambda w: _act(w, "receive", {"expected_version": 1}, **w.auth),
    ("dossiers_act", "404"): lambda w: w.post(
        "/api/v1/dossiers/x/actions/withdraw", {"expected_version": 1}, **w.auth
    ),
    ("dossiers_act", "409"): lambda w: _act(
        w, "withdraw", {"expected_version": 7, "reason": "x"}, **w.auth
    ),
    ("dossiers_act", "413"): lambda w: w.post(
        "/api/v1/dossiers/x/actions/withdraw", _too_big(), **w.auth
    ),
    ("dossiers_act", "422"): lambda w: _act(w, "withdraw", {"reason": "x"}, **w.auth),
    # files
    ("dossiers_files_add", "400"): lambda w: _upload(w, _own_dossier(w), b"MZ", **w.auth),
    ("dossiers_files_add", "401"): lambda w: _upload(w, "x", pdf_bytes()),
    ("dossiers_files_add", "403"): lambda w: w.csrf_client().post(
        "/api/v1/dossiers/x/files", {"component": "GCS", "file": SimpleUploadedFile("a", b"x")}
    ),
    ("dossiers_files_add", "404"): lambda w: _upload(w, "x", pdf_bytes(), **w.auth),
    ("dossiers_files_add", "409"): _upload_locked,
    ("dossiers_files_add", "413"): _upload_too_big,
    ("dossiers_files_add", "422"): lambda w: _upload(w, _own_dossier(w), None, **w.auth),
    ("dossiers_files_add", "503"): _upload_unscanned,
    ("dossiers_files_list", "400"): lambda w: w.client.get("/api/v1/dossiers/a%00/files", **w.auth),
    ("dossiers_files_list", "401"): lambda w: w.client.get("/api/v1/dossiers/x/files"),
    ("dossiers_files_list", "404"): lambda w: w.client.get("/api/v1/dossiers/x/files", **w.auth),
    ("files_download", "400"): lambda w: w.client.get("/api/v1/files/1?x=%00", **w.auth),
    ("files_download", "401"): lambda w: w.client.get("/api/v1/files/1"),
    ("files_download", "404"): lambda w: w.client.get("/api/v1/files/1", **w.auth),
    # data store, reuse, national data
    ("me_data_store", "400"): lambda w: w.client.get("/api/v1/me/data-store?x=%00", **w.auth),
    ("me_data_store", "401"): lambda w: w.client.get("/api/v1/me/data-store"),
    # the caller's in-app notifications
    ("me_notifications", "400"): lambda w: w.client.get("/api/v1/me/notifications?x=%00", **w.auth),
    ("me_notifications", "401"): lambda w: w.client.get("/api/v1/me/notifications"),
    ("me_notifications", "422"): lambda w: w.client.get(
        "/api/v1/me/notifications?page=0", **w.auth
    ),
    ("me_notifications_read", "400"): lambda w: w.post(
        "/api/v1/me/notifications/read", '{"all": "\\u0000"}', **w.auth
    ),
    ("me_notifications_read", "401"): lambda w: w.post(
        "/api/v1/me/notifications/read", {"all": True}
    ),
    ("me_notifications_read", "403"): lambda w: w.csrf_client().post(
        "/api/v1/me/notifications/read", json.dumps({"all": True}), content_type="application/json"
    ),
    ("me_notifications_read", "413"): lambda w: w.post(
        "/api/v1/me/notifications/read", _too_big(), **w.auth
    ),
    ("me_notifications_read", "422"): lambda w: w.post(
        "/api/v1/me/notifications/read", {}, **w.auth
    ),
    ("dossiers_component_reuse", "400"): lambda w: w.post(
        REUSE.format(_own_dossier(w)), {"item": 1, "component": "XX"}, **w.auth
    ),
    ("dossiers_component_reuse", "401"): lambda w: w.post(
        REUSE.format("x"), {"item": 1, "component": "CC"}
    ),
    ("dossiers_component_reuse", "403"): lambda w: w.csrf_client().post(
        REUSE.format("x"), {"item": 1, "component": "CC"}, content_type="application/json"
    ),
    ("dossiers_component_reuse", "404"): lambda w: w.post(
        REUSE.format("x"), {"item": 1, "component": "CC"}, **w.auth
    ),
    ("dossiers_component_reuse", "409"): lambda w: w.post(
        REUSE.format(_withdrawn(w)), {"item": 1, "component": "GCS"}, **w.auth
    ),
    ("dossiers_component_reuse", "413"): lambda w: w.post(REUSE.format("x"), _too_big(), **w.auth),
    ("dossiers_component_reuse", "422"): lambda w: w.post(REUSE.format("x"), {"x": 1}, **w.auth),
    ("dossiers_component_national_data", "400"): lambda w: w.post(
        NATIONAL.format(_own_dossier(w)), {"component": "GCS"}, **w.auth
    ),
    ("dossiers_component_national_data", "401"): lambda w: w.post(
        NATIONAL.format("x"), {"component": "CC"}
    ),
    ("dossiers_component_national_data", "403"): lambda w: w.csrf_client().post(
        NATIONAL.format("x"), {"component": "CC"}, content_type="application/json"
    ),
    ("dossiers_component_national_data", "404"): lambda w: w.post(
        NATIONAL.format("x"), {"component": "CC"}, **w.auth
    ),
    ("dossiers_component_national_data", "409"): lambda w: w.post(
        NATIONAL.format(_withdrawn(w)), {"component": "GCS"}, **w.auth
    ),
    ("dossiers_component_national_data", "413"): lambda w: w.post(
        NATIONAL.format("x"), _too_big(), **w.auth
    ),
    ("dossiers_component_national_data", "422"): lambda w: w.post(
        NATIONAL.format("x"), {"x": 1}, **w.auth
    ),
    ("dossiers_component_national_data", "503"): _national_unavailable,
    # official forms
    ("dossiers_forms_get", "400"): lambda w: w.client.get(
        "/api/v1/dossiers/a%00/forms/01", **w.auth
    ),
    ("dossiers_forms_get", "401"): lambda w: w.client.get("/api/v1/dossiers/x/forms/01"),
    ("dossiers_forms_get", "404"): lambda w: w.client.get("/api/v1/dossiers/x/forms/01", **w.auth),
    # A registered dossier has no apology letter (form 04) yet.
    ("dossiers_forms_get", "409"): lambda w: w.client.get(
        f"/api/v1/dossiers/{_own_dossier(w)}/forms/04", **w.auth
    ),
    ("dossiers_forms_get", "422"): lambda w: w.client.get(
        "/api/v1/dossiers/x/forms/01?size=a3", **w.auth
    ),
    ("units_tracking_book", "400"): lambda w: w.client.get(
        "/api/v1/units/0007%00/tracking-book?from=2026-03-01&to=2026-03-31", **w.auth
    ),
    ("units_tracking_book", "401"): lambda w: w.client.get(BOOK),
    ("units_tracking_book", "403"): lambda w: w.client.get(BOOK, **w.auth),
    ("units_tracking_book", "404"): lambda w: w.client.get(
        BOOK.replace("00070", "99999"), **w.auth
    ),
    ("units_tracking_book", "422"): lambda w: w.client.get(
        "/api/v1/units/00070/tracking-book?from=2026-03-01", **w.auth
    ),
    # issue_result with its signed result (JSON or multipart with the officer's PDF)
    ("dossiers_issue_result", "400"): lambda w: _issue_upload(w, _own_dossier(w), b"MZ", **w.auth),
    ("dossiers_issue_result", "401"): lambda w: w.post(
        ISSUE.format(code="x"), {"expected_version": 1}
    ),
    ("dossiers_issue_result", "403"): lambda w: w.post(
        ISSUE.format(code=_own_dossier(w)), {"expected_version": 1}, **w.auth
    ),
    ("dossiers_issue_result", "404"): lambda w: w.post(
        ISSUE.format(code="x"), {"expected_version": 1}, **w.auth
    ),
    ("dossiers_issue_result", "409"): lambda w: w.post(
        ISSUE.format(code=_own_dossier(w)), {"expected_version": 99}, **w.auth
    ),
    ("dossiers_issue_result", "413"): _issue_too_big,
    ("dossiers_issue_result", "422"): lambda w: w.post(
        ISSUE.format(code=_own_dossier(w)), {"reason": "x"}, **w.auth
    ),
    ("dossiers_issue_result", "503"): _issue_unscanned,
    # public verification
    ("verify_get", "400"): lambda w: w.client.get("/api/v1/verify/a%00"),
    ("verify_get", "404"): lambda w: w.client.get("/api/v1/verify/ABCDEFGH"),
    ("verify_get", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.client.get("/api/v1/verify/ABCDEFGH")
    ),
    ("verify_file", "400"): lambda w: _verify_upload(_issued_code(), b"MZ not a pdf"),
    ("verify_file", "404"): lambda w: _verify_upload("ABCDEFGH", pdf_bytes()),
    ("verify_file", "413"): _verify_too_big,
    ("verify_file", "422"): lambda w: _verify_upload(_issued_code(), None),
    ("verify_file", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: _verify_upload("ABCDEFGH", pdf_bytes())
    ),
    # payment gateways' callbacks (the counter has none: refused; a gateway not configured)
    ("payment_callback_get", "400"): lambda w: w.client.get("/api/v1/payments/callback/counter"),
    ("payment_callback_get", "404"): lambda w: w.client.get("/api/v1/payments/callback/nobank"),
    ("payment_callback_get", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO},
        lambda: w.client.get("/api/v1/payments/callback/sandbox"),
    ),
    ("payment_callback_post", "400"): lambda w: w.client.post(
        "/api/v1/payments/callback/counter", {"vnp_TxnRef": "x"}
    ),
    ("payment_callback_post", "404"): lambda w: w.client.post(
        "/api/v1/payments/callback/nobank", {"vnp_TxnRef": "x"}
    ),
    ("payment_callback_post", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO},
        lambda: w.client.post("/api/v1/payments/callback/sandbox", {"vnp_TxnRef": "x"}),
    ),
    # public dossier look-up
    ("lookup_get", "400"): lambda w: w.client.get("/api/v1/lookup?code=x&last4=12"),
    ("lookup_get", "404"): lambda w: w.client.get(
        "/api/v1/lookup?code=00070-260302-0001&last4=1234"
    ),
    ("lookup_get", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO},
        lambda: w.client.get("/api/v1/lookup?code=00070-260302-0001&last4=1234"),
    ),
    # citizen feedback
    ("feedback_create", "400"): lambda w: w.post(
        "/api/v1/feedback", {**FEEDBACK, "sender_phone": "1"}
    ),
    ("feedback_create", "401"): lambda w: w.post(
        "/api/v1/feedback", FEEDBACK, HTTP_AUTHORIZATION="Bearer wrong"
    ),
    ("feedback_create", "403"): lambda w: w.csrf_client().post(
        "/api/v1/feedback", json.dumps(FEEDBACK), content_type="application/json"
    ),
    ("feedback_create", "413"): lambda w: w.post("/api/v1/feedback", _too_big()),
    ("feedback_create", "422"): lambda w: w.post("/api/v1/feedback", {"x": 1}),
    ("feedback_create", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO}, lambda: w.post("/api/v1/feedback", FEEDBACK)
    ),
    ("feedback_get", "400"): lambda w: w.client.get("/api/v1/feedback/a%00"),
    ("feedback_get", "401"): lambda w: w.client.get(
        "/api/v1/feedback/PA-2026-000001", HTTP_AUTHORIZATION="Bearer wrong"
    ),
    ("feedback_get", "404"): lambda w: w.client.get(
        "/api/v1/feedback/PA-2026-000001", HTTP_X_FEEDBACK_SECRET="AAAA-AAAA-AAAA"
    ),
    ("feedback_get", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO},
        lambda: w.client.get(
            "/api/v1/feedback/PA-2026-000001", HTTP_X_FEEDBACK_SECRET="AAAA-AAAA-AAAA"
        ),
    ),
    ("feedback_create", "503"): _feedback_unscanned,
    ("feedback_attachment_download", "400"): lambda w: w.client.get(
        "/api/v1/feedback/a%00/attachments/1"
    ),
    ("feedback_attachment_download", "401"): lambda w: w.client.get(
        "/api/v1/feedback/PA-2026-000001/attachments/1", HTTP_AUTHORIZATION="Bearer wrong"
    ),
    ("feedback_attachment_download", "404"): lambda w: w.client.get(
        "/api/v1/feedback/PA-2026-000001/attachments/1", HTTP_X_FEEDBACK_SECRET="AAAA-AAAA-AAAA"
    ),
    ("feedback_attachment_download", "429"): lambda w: _with(
        {"MOTCUA_RATE_LIMITS": LIMITS_ZERO},
        lambda: w.client.get(
            "/api/v1/feedback/PA-2026-000001/attachments/1",
            HTTP_X_FEEDBACK_SECRET="AAAA-AAAA-AAAA",
        ),
    ),
    ("feedback_list", "400"): lambda w: _staff_get(w, "/api/v1/feedback?status=lost"),
    ("feedback_list", "401"): lambda w: w.client.get("/api/v1/feedback"),
    ("feedback_list", "403"): lambda w: w.client.get("/api/v1/feedback", **w.auth),
    ("feedback_list", "404"): lambda w: _staff_get(w, "/api/v1/feedback?unit=99999"),
    ("feedback_list", "422"): lambda w: _staff_get(w, "/api/v1/feedback?page=0"),
    # certified-copy reports
    ("dossiers_certified_copy_report", "400"): lambda w: _report(
        w, body={"component": "XX"}, **w.auth
    ),
    ("dossiers_certified_copy_report", "401"): lambda w: _report(w, "x"),
    ("dossiers_certified_copy_report", "403"): lambda w: w.csrf_client().post(
        "/api/v1/dossiers/x/certified-copy-reports",
        json.dumps({"component": "GCS"}),
        content_type="application/json",
    ),
    ("dossiers_certified_copy_report", "404"): lambda w: _report(w, "x", **w.auth),
    ("dossiers_certified_copy_report", "409"): _report_twice,
    ("dossiers_certified_copy_report", "413"): lambda w: w.post(
        "/api/v1/dossiers/x/certified-copy-reports", _too_big(), **w.auth
    ),
    ("dossiers_certified_copy_report", "422"): lambda w: _report(w, "x", body={}, **w.auth),
    # ratings (the dossier of the case is registered: not settled, 409 `not_rateable`)
    ("dossiers_rating_get", "400"): lambda w: w.client.get(
        "/api/v1/dossiers/a%00/rating", **w.auth
    ),
    ("dossiers_rating_get", "401"): lambda w: w.client.get("/api/v1/dossiers/x/rating"),
    ("dossiers_rating_get", "404"): lambda w: w.client.get("/api/v1/dossiers/x/rating", **w.auth),
    ("dossiers_rating_create", "400"): lambda w: _rate(w, body={"overall": "wow"}, **w.auth),
    ("dossiers_rating_create", "401"): lambda w: _rate(w, "x"),
    ("dossiers_rating_create", "403"): lambda w: w.csrf_client().post(
        "/api/v1/dossiers/x/rating",
        json.dumps({"overall": "satisfied"}),
        content_type="application/json",
    ),
    ("dossiers_rating_create", "404"): lambda w: _rate(w, "x", **w.auth),
    ("dossiers_rating_create", "409"): lambda w: _rate(w, **w.auth),
    ("dossiers_rating_create", "413"): lambda w: w.post(
        "/api/v1/dossiers/x/rating", _too_big(), **w.auth
    ),
    ("dossiers_rating_create", "422"): lambda w: _rate(w, "x", body={}, **w.auth),
    ("reports_certified_copy_requests", "400"): lambda w: w.client.get(
        COUNTS, {"from": "2026-03-02", "to": "2026-03-01"}, **w.auth
    ),
    ("reports_certified_copy_requests", "401"): lambda w: w.client.get(COUNTS),
    ("reports_certified_copy_requests", "403"): lambda w: w.client.get(
        COUNTS, {"from": "2026-03-01", "to": "2026-03-02"}, **w.auth
    ),
    ("reports_certified_copy_requests", "422"): lambda w: w.client.get(
        COUNTS, {"from": "hôm qua"}, **w.auth
    ),
    ("reports_certified_copy_requests", "404"): lambda w: w.client.get(
        COUNTS, {"from": "2026-03-01", "to": "2026-03-02", "unit": "99999"}, **w.auth
    ),
    # receipts
    ("receipts_list", "400"): lambda w: w.client.get(
        "/api/v1/receipts?from=2026-03-02&to=2026-03-01", **w.auth
    ),
    ("receipts_list", "401"): lambda w: w.client.get("/api/v1/receipts"),
    ("receipts_list", "404"): lambda w: w.client.get("/api/v1/receipts?unit=99999", **w.auth),
    ("receipts_list", "422"): lambda w: w.client.get("/api/v1/receipts?from=hom-qua", **w.auth),
    ("receipts_get", "400"): lambda w: w.client.get("/api/v1/receipts/0000001", **w.auth),
    ("receipts_get", "401"): lambda w: w.client.get("/api/v1/receipts/HK26-0000001"),
    ("receipts_get", "404"): lambda w: w.client.get("/api/v1/receipts/HK26-0000001", **w.auth),
    ("receipts_pdf", "400"): lambda w: w.client.get("/api/v1/receipts/0000001/pdf", **w.auth),
    ("receipts_pdf", "401"): lambda w: w.client.get("/api/v1/receipts/HK26-0000001/pdf"),
    ("receipts_pdf", "404"): lambda w: w.client.get("/api/v1/receipts/HK26-0000001/pdf", **w.auth),
    ("receipts_pdf", "409"): _unsigned_receipt,
    # a dossier's fees and paying them
    ("dossiers_fees", "400"): lambda w: w.client.get("/api/v1/dossiers/a%00/fees", **w.auth),
    ("dossiers_fees", "401"): lambda w: w.client.get("/api/v1/dossiers/x/fees"),
    ("dossiers_fees", "404"): lambda w: w.client.get("/api/v1/dossiers/x/fees", **w.auth),
    ("dossiers_payment_start", "400"): lambda w: _pay(w, body={"lines": [999999]}, **w.auth),
    ("dossiers_payment_start", "401"): lambda w: _pay(w, "x"),
    ("dossiers_payment_start", "403"): lambda w: w.csrf_client().post(
        "/api/v1/dossiers/x/payments", "{}", content_type="application/json"
    ),
    ("dossiers_payment_start", "404"): lambda w: _pay(w, "x", **w.auth),
    ("dossiers_payment_start", "409"): lambda w: _pay(w, **w.auth),
    ("dossiers_payment_start", "413"): lambda w: w.post(
        "/api/v1/dossiers/x/payments", _too_big(), **w.auth
    ),
    ("dossiers_payment_start", "422"): lambda w: _pay(w, "x", body={"bogus": 1}, **w.auth),
    # webhook subscriptions
    ("webhooks_topics", "400"): lambda w: w.client.get(f"{HOOKS}/topics?x=%00", **w.auth),
    ("webhooks_topics", "401"): lambda w: w.client.get(f"{HOOKS}/topics"),
    ("webhooks_list", "400"): lambda w: w.client.get(f"{HOOKS}?page=%00", **w.auth),
    ("webhooks_list", "401"): lambda w: w.client.get(HOOKS),
    ("webhooks_list", "403"): lambda w: w.client.get(HOOKS, **w.auth),
    ("webhooks_list", "422"): lambda w: w.client.get(
        f"{HOOKS}?page_size=1000", **_integrator_auth(w)
    ),
    ("webhooks_create", "400"): lambda w: w.post(
        HOOKS, {**HOOK, "topics": ["dossier.nope"]}, **_integrator_auth(w)
    ),
    ("webhooks_create", "401"): lambda w: w.post(HOOKS, HOOK),
    ("webhooks_create", "403"): lambda w: w.post(HOOKS, HOOK, **w.auth),
    ("webhooks_create", "409"): _too_many_hooks,
    ("webhooks_create", "413"): lambda w: w.post(HOOKS, _too_big(), **_integrator_auth(w)),
    ("webhooks_create", "422"): lambda w: w.post(HOOKS, {"x": 1}, **_integrator_auth(w)),
    ("webhooks_get", "400"): lambda w: w.client.get(f"{HOOKS}/1%00", **w.auth),
    ("webhooks_get", "401"): lambda w: w.client.get(f"{HOOKS}/1"),
    ("webhooks_get", "403"): lambda w: w.client.get(f"{HOOKS}/1", **w.auth),
    ("webhooks_get", "404"): lambda w: w.client.get(f"{HOOKS}/999999", **_integrator_auth(w)),
    ("webhooks_update", "400"): lambda w: _hook_patch(w, {"url": "ftp://x"}),
    ("webhooks_update", "401"): lambda w: w.client.patch(
        f"{HOOKS}/1", "{}", content_type="application/json"
    ),
    ("webhooks_update", "403"): lambda w: _csrf(w, "patch", f"{HOOKS}/1"),
    ("webhooks_update", "404"): lambda w: w.client.patch(
        f"{HOOKS}/999999", "{}", content_type="application/json", **_integrator_auth(w)
    ),
    ("webhooks_update", "413"): lambda w: _hook_patch(w, _too_big()),
    ("webhooks_update", "422"): lambda w: _hook_patch(w, {"active": "often"}),
    ("webhooks_delete", "400"): lambda w: w.client.delete(f"{HOOKS}/1%00", **w.auth),
    ("webhooks_delete", "401"): lambda w: w.client.delete(f"{HOOKS}/1"),
    ("webhooks_delete", "403"): lambda w: w.client.delete(f"{HOOKS}/1", **w.auth),
    ("webhooks_delete", "404"): lambda w: w.client.delete(f"{HOOKS}/999999", **_integrator_auth(w)),
    ("webhooks_rotate_secret", "400"): lambda w: w.post(
        f"{HOOKS}/1%00/rotate-secret", {}, **w.auth
    ),
    ("webhooks_rotate_secret", "401"): lambda w: w.post(f"{HOOKS}/1/rotate-secret", {}),
    ("webhooks_rotate_secret", "403"): lambda w: w.post(f"{HOOKS}/1/rotate-secret", {}, **w.auth),
    ("webhooks_rotate_secret", "404"): lambda w: w.post(
        f"{HOOKS}/999999/rotate-secret", {}, **_integrator_auth(w)
    ),
    ("webhooks_rotate_secret", "413"): lambda w: w.post(
        f"{HOOKS}/1/rotate-secret", _too_big(), **_integrator_auth(w)
    ),
    ("webhooks_rotate_secret", "422"): lambda w: w.post(
        f"{HOOKS}/1/rotate-secret", {"grace_hours": "a day"}, **_integrator_auth(w)
    ),
    ("webhooks_test", "400"): lambda w: w.post(f"{HOOKS}/1%00/test", {}, **w.auth),
    ("webhooks_test", "401"): lambda w: w.post(f"{HOOKS}/1/test", {}),
    ("webhooks_test", "403"): lambda w: _csrf(w, "post", f"{HOOKS}/1/test"),
    ("webhooks_test", "404"): lambda w: w.post(f"{HOOKS}/999999/test", {}, **_integrator_auth(w)),
    ("webhooks_test", "429"): _tests_limited,
    ("webhooks_deliveries", "400"): lambda w: w.client.get(
        f"{HOOKS}/1/deliveries?page=%00", **w.auth
    ),
    ("webhooks_deliveries", "401"): lambda w: w.client.get(f"{HOOKS}/1/deliveries"),
    ("webhooks_deliveries", "403"): lambda w: w.client.get(f"{HOOKS}/1/deliveries", **w.auth),
    ("webhooks_deliveries", "404"): lambda w: w.client.get(
        f"{HOOKS}/999999/deliveries", **_integrator_auth(w)
    ),
    ("webhooks_deliveries", "422"): lambda w: w.client.get(
        f"{HOOKS}/1/deliveries?page=0", **_integrator_auth(w)
    ),
    ("webhooks_delivery_get", "400"): lambda w: w.client.get(
        f"{HOOKS}/1/deliveries/1%00", **w.auth
    ),
    ("webhooks_delivery_get", "401"): lambda w: w.client.get(f"{HOOKS}/1/deliveries/1"),
    ("webhooks_delivery_get", "403"): lambda w: w.client.get(f"{HOOKS}/1/deliveries/1", **w.auth),
    ("webhooks_delivery_get", "404"): lambda w: w.client.get(
        f"{HOOKS}/999999/deliveries/1", **_integrator_auth(w)
    ),
    ("webhooks_redeliver", "400"): lambda w: w.post(
        f"{HOOKS}/1/deliveries/1%00/redeliver", {}, **w.auth
    ),
    ("webhooks_redeliver", "401"): lambda w: w.post(f"{HOOKS}/1/deliveries/1/redeliver", {}),
    ("webhooks_redeliver", "403"): lambda w: w.post(
        f"{HOOKS}/1/deliveries/1/redeliver", {}, **w.auth
    ),
    ("webhooks_redeliver", "404"): lambda w: w.post(
        f"{HOOKS}/999999/deliveries/1/redeliver", {}, **_integrator_auth(w)
    ),
    ("webhooks_redeliver", "409"): _redeliver_paused,
    # reconciliation of the gateways' statements
    ("reconciliations_list", "400"): lambda w: w.client.get(
        f"{RECONCILIATIONS}?from=2026-12-02&to=2026-12-01", **_accountant(w)
    ),
    ("reconciliations_list", "401"): lambda w: w.client.get(RECONCILIATIONS),
    ("reconciliations_list", "403"): lambda w: w.client.get(RECONCILIATIONS, **w.auth),
    ("reconciliations_list", "422"): lambda w: w.client.get(
        f"{RECONCILIATIONS}?from=hom-qua", **_accountant(w)
    ),
    ("reconciliations_get", "400"): lambda w: w.client.get(f"{RECONCILIATIONS}/1?x=%00"),
    ("reconciliations_get", "401"): lambda w: w.client.get(f"{RECONCILIATIONS}/1"),
    ("reconciliations_get", "403"): lambda w: w.client.get(f"{RECONCILIATIONS}/1", **w.auth),
    ("reconciliations_get", "404"): lambda w: w.client.get(
        f"{RECONCILIATIONS}/999999", **_accountant(w)
    ),
    ("reconciliations_create", "400"): lambda w: _statement(w, BAD_STATEMENT, **_accountant(w)),
    ("reconciliations_create", "401"): lambda w: _statement(w, BAD_STATEMENT),
    ("reconciliations_create", "403"): lambda w: _statement(w, BAD_STATEMENT, **w.auth),
    ("reconciliations_create", "404"): lambda w: _statement(
        w, BAD_STATEMENT, gateway="counter", **_accountant(w)
    ),
    ("reconciliations_create", "413"): lambda w: _with(
        {"MOTCUA_API_UPLOAD_MAX_BYTES": 100},
        lambda: _statement(w, b"x" * 200, **_accountant(w)),
    ),
    ("reconciliations_create", "422"): lambda w: _statement(w, None, **_accountant(w)),
}


def _documented() -> dict[tuple[str, str], str]:
    """(operationId, status) -> the schema name, for every documented 4xx/5xx."""
    schema = openapi_document()
    result = {}
    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    result[(operation["operationId"], status)] = ref.rsplit("/", 1)[-1]
    return result


def test_every_documented_error_has_a_case() -> None:
    assert set(_documented()) - NOT_PRACTICAL == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: f"{c[0]}-{c[1]}")
def test_each_documented_error_answers_as_documented(
    case: tuple[str, str], procedure: Procedure, ward: Unit, citizen: User, integrator: User
) -> None:
    schema_name = _documented()[case]
    world = World(citizen, integrator, ward)

    response = CASES[case](world)

    assert response.status_code == int(case[1]), response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if schema_name == "ReadyOut":
        assert body["status"] == "unavailable"
        return
    assert isinstance(body["code"], str)
    assert body["code"]
    assert isinstance(body["message"], str)
    assert body["message"]
    if schema_name == "ValidationErrorOut":
        assert set(body) == {"code", "message", "errors"}, body
        for error in body["errors"]:
            assert {"field", "code", "message"} <= set(error)
    else:
        assert schema_name == "ErrorOut"
        assert set(body) == {"code", "message"}, body
