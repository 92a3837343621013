"""The REST API (django-ninja). OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs.

Each router module is an interface: it parses input, calls one selector or service and
renders the result. Errors are rendered by `errors.install_error_handlers`.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from ninja import NinjaAPI

from . import (
    certified_copies,
    datastore,
    dossier_actions,
    dossiers,
    feedback,
    files,
    forms,
    lookup,
    notifications,
    payments,
    procedures,
    ratings,
    receipts,
    reconciliations,
    system,
    tokens,
    units,
    verify,
    webhooks,
)
from .errors import install_error_handlers
from .parser import GuardedJsonParser

DESCRIPTION = """\
REST API của motcua: tra cứu thủ tục hành chính và đơn vị, nộp và theo dõi hồ sơ.

The motcua REST API: look up administrative procedures and units, submit and follow dossiers.

* **Authentication**: `Authorization: Bearer <khoá API>` (or `Token <key>`), or the Django
  session of a signed-in user (unsafe methods then need the `X-CSRFToken` header). A personal
  token is created with `POST /auth/token` (user name or phone number and password).
* **Errors** are always `{"code", "message"}` (plus `errors` for invalid input); `code` is
  stable, `message` follows `Accept-Language` (Vietnamese by default, `en` for English).
* **Input limits**: no NUL characters or lone surrogates, no NaN/Infinity, strings up to
  10,000 characters, bodies up to 1 MiB (413 `payload_too_large`); a file upload
  (`POST /dossiers/{code}/files`) up to `MOTCUA_API_UPLOAD_MAX_BYTES` (10 MB and the
  multipart envelope by default), each component having its own limit.
* **Idempotency**: send `Idempotency-Key` with `POST /dossiers` and
  `POST /dossiers/{code}/actions/{action}`; a retry returns the first response.
* **Lifecycle actions**: `GET /dossiers/{code}/actions` lists what the caller may do now;
  `POST /dossiers/{code}/actions/{action}` with `expected_version` does it (stale: 409).
* **Verification** (public): `GET /verify/{code}` says what an issued document is,
  `POST /verify/{code}` with a PDF whether it is exactly that document (docs/verification.md).
* **Lookup** (public): `GET /lookup?code=&last4=` follows a dossier with its code and the
  last 4 digits of the applicant's phone or identification number (docs/portal.md).
* **Webhooks** (integrator accounts): `POST /webhooks` subscribes an https endpoint to dossier
  events, each POSTed signed with HMAC-SHA256 (`X-Motcua-Signature`, `X-Motcua-Timestamp`,
  `X-Motcua-Delivery`); the secret is answered once (docs/notifications.md).
* **Feedback** (public): `POST /feedback` sends a feedback with or without an account; the
  sender follows it with `GET /feedback/{code}` and the `X-Feedback-Secret` header
  (docs/feedback.md).
* **Times** are ISO 8601 in Asia/Ho_Chi_Minh (`+07:00`).
"""

TAGS = [
    {"name": "procedures", "description": "Thủ tục hành chính (công khai) — procedures."},
    {"name": "units", "description": "Đơn vị (công khai) — units."},
    {"name": "dossiers", "description": "Hồ sơ (cần xác thực) — dossiers."},
    {
        "name": "data-store",
        "description": "Kho dữ liệu, dùng lại giấy tờ, dữ liệu quốc gia — data store, reuse, "
        "national data.",
    },
    {
        "name": "notifications",
        "description": "Thông báo của người gọi, đánh dấu đã đọc — the caller's notifications.",
    },
    {"name": "payments", "description": "Cổng thanh toán gọi lại (công khai) — payment callbacks."},
    {"name": "receipts", "description": "Biên lai điện tử thu phí, lệ phí — receipts."},
    {"name": "verify", "description": "Kiểm tra giấy tờ đã phát hành (công khai) — verify."},
    {"name": "lookup", "description": "Tra cứu hồ sơ không cần tài khoản (công khai) — lookup."},
    {
        "name": "feedback",
        "description": "Phản ánh, kiến nghị của người dân (gửi công khai) — citizen feedback.",
    },
    {"name": "reports", "description": "Báo cáo cho người giám sát — reports for supervisors."},
    {"name": "auth", "description": "Khoá API cá nhân — personal API tokens."},
    {
        "name": "webhooks",
        "description": "Đăng ký nhận sự kiện hồ sơ có chữ ký (hệ thống tích hợp) — webhook "
        "subscriptions for integrators.",
    },
    {"name": "system", "description": "Tình trạng hệ thống — health and readiness."},
]

api = NinjaAPI(
    title="motcua API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    openapi_extra={"tags": TAGS},
    parser=GuardedJsonParser(),
)
install_error_handlers(api)

api.add_router("/procedures", procedures.router)
api.add_router("/life-events", procedures.life_events_router)
api.add_router("/units", units.router)
api.add_router("/dossiers", dossiers.router)
api.add_router("/dossiers", dossier_actions.router)
api.add_router("/dossiers", certified_copies.router)
api.add_router("/dossiers", ratings.router)
api.add_router("/dossiers", payments.dossier_router)
api.add_router("/reports", certified_copies.reports_router)
api.add_router("", files.router)
api.add_router("", datastore.router)
api.add_router("", notifications.router)
api.add_router("", forms.router)
api.add_router("/verify", verify.router)
api.add_router("/payments", payments.router)
api.add_router("/payments/reconciliations", reconciliations.router)
api.add_router("/receipts", receipts.router)
api.add_router("/lookup", lookup.router)
api.add_router("/feedback", feedback.router)
api.add_router("/auth", tokens.router)
api.add_router("/webhooks", webhooks.router)
api.add_router("", system.router)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document as served at /api/v1/openapi.json (Vietnamese texts), as plain
    JSON values (status codes as strings)."""
    with translation.override(settings.LANGUAGE_CODE):
        schema = api.get_openapi_schema(path_prefix="/api/v1/")
        return dict(json.loads(json.dumps(schema, cls=DjangoJSONEncoder)))
