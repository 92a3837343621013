"""Settings shared by every environment. Secrets and hosts come from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The development default key is only for the embedded setup; production.py refuses it.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-motcua-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    # Second factor for staff (TOTP, and static tokens as recovery codes): ADR "django-otp".
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Listed so that the API docs page serves Swagger UI from our own static files (the
    # default loads it from a CDN, which the Content Security Policy forbids).
    "ninja",
    "motcua.core",
    "motcua.accounts",
    "motcua.organisation",
    "motcua.deadlines",
    "motcua.documents",
    "motcua.payments",
    "motcua.notifications",
    "motcua.counter",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.privacy",
    "motcua.feedback",
    "motcua.api",
    "motcua.web",
    "motcua.portal",
    "motcua.workspace",
    "motcua.idp_demo",
    "motcua.paygate_demo",
    "motcua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of ours: any error response under /api/ (405, 404, 500, ...) becomes JSON.
    "motcua.api.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # NUL bytes in the path, query string or headers, oversized API bodies: refused (400/413).
    "motcua.core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the second factor of this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Signs out a session idle for longer than MOTCUA_SESSION_IDLE_SECONDS (staff: 30 min).
    "motcua.accounts.middleware.SessionIdleMiddleware",
    # Under htmx, a redirect to the sign-in page becomes HX-Redirect (never the sign-in page
    # inside a fragment).
    "motcua.web.htmx.HtmxSignInRedirectMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "motcua.accounts.middleware.SignInRateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # motcua/templates overrides Django's own (admin/base_site.html: the site's icon); the
        # apps' templates come after, django.contrib.admin first among them.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite in WAL mode is the embedded default; DATABASE_URL selects PostgreSQL in production.
DEFAULT_SQLITE_PATH = VAR_DIR / "motcua.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of
    # failing half-way with "database is locked"; init_command switches the file to WAL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the request (and /api/v1/ready) in seconds.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# Sessions end after this much inactivity (seconds; every request refreshes the session):
# staff accounts and everyone else. The stored session lasts twice as long (the idle
# middleware signs it out and says why); the cookie, twice the longer limit.
MOTCUA_SESSION_IDLE_SECONDS = {
    "staff": int(os.environ.get("MOTCUA_STAFF_IDLE_SECONDS", str(30 * 60))),
    "default": int(os.environ.get("MOTCUA_IDLE_SECONDS", str(2 * 60 * 60))),
}
SESSION_COOKIE_AGE = 2 * max(MOTCUA_SESSION_IDLE_SECONDS.values())
# Staff must pass a second factor (TOTP or a recovery code) after the password before the
# workspace opens. On by default in production (production.py); off in local/demo settings
# so the demo accounts sign in with their password alone.
MOTCUA_STAFF_2FA_REQUIRED = env_bool("MOTCUA_STAFF_2FA_REQUIRED", False)
# The issuer shown by authenticator apps next to the account name.
OTP_TOTP_ISSUER = os.environ.get("MOTCUA_OTP_ISSUER", "motcua")
# Django's model backend plus sign-in failure limits (per account and per address) and
# failure logging; also accepts a phone number in place of the user name.
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English too.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Stored files (motcua.documents): never under a public URL. Local files under
# var/documents by default; S3-compatible object storage when MOTCUA_DOCUMENTS_S3_BUCKET is
# set (needs the `s3` extra, django-storages; docs/operations.md).
DOCUMENTS_ROOT = Path(os.environ.get("MOTCUA_DOCUMENTS_ROOT", VAR_DIR / "documents"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTS_ROOT), "base_url": None},
    },
}
if os.environ.get("MOTCUA_DOCUMENTS_S3_BUCKET"):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MOTCUA_DOCUMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("MOTCUA_DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MOTCUA_DOCUMENTS_S3_REGION") or None,
            "location": os.environ.get("MOTCUA_DOCUMENTS_S3_PREFIX", ""),
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3 reads them).
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Antivirus: clamd's INSTREAM over a Unix socket or TCP; unset: files are not scanned.
MOTCUA_CLAMAV_SOCKET = os.environ.get("MOTCUA_CLAMAV_SOCKET", "")
MOTCUA_CLAMAV_HOST = os.environ.get("MOTCUA_CLAMAV_HOST", "")
MOTCUA_CLAMAV_PORT = int(os.environ.get("MOTCUA_CLAMAV_PORT", "3310"))
MOTCUA_CLAMAV_TIMEOUT = float(os.environ.get("MOTCUA_CLAMAV_TIMEOUT", "30"))
# Images with more pixels are refused (image_too_large): Pillow's decompression bomb limit.
MOTCUA_DOCUMENTS_MAX_IMAGE_PIXELS = int(
    os.environ.get("MOTCUA_DOCUMENTS_MAX_IMAGE_PIXELS", str(89_478_485))
)

# National data instead of paper (docs/data-store.md): which connector answers for which
# national database. MOTCUA_NATIONAL_DATA_CONNECTOR: "" (none: components are filed as
# papers), "demo" (seeded records, demo mode) or "http" (MOTCUA_NATIONAL_DATA_URL, _TOKEN,
# _TIMEOUT seconds, _RETRIES); MOTCUA_NATIONAL_DATA_DATABASES limits it to some databases
# (comma-separated codes; default every one).
MOTCUA_NATIONAL_DATA_CONNECTOR = os.environ.get("MOTCUA_NATIONAL_DATA_CONNECTOR", "")


def national_data_config(connector: str) -> dict[str, dict[str, Any]]:
    """`MOTCUA_NATIONAL_DATA` for one connector name, options from the environment."""
    if not connector:
        return {}
    options: dict[str, Any] = {}
    if connector == "http":
        options = {
            "base_url": os.environ.get("MOTCUA_NATIONAL_DATA_URL", ""),
            "token": os.environ.get("MOTCUA_NATIONAL_DATA_TOKEN", ""),
            "timeout": float(os.environ.get("MOTCUA_NATIONAL_DATA_TIMEOUT", "5")),
            "retries": int(os.environ.get("MOTCUA_NATIONAL_DATA_RETRIES", "2")),
        }
    databases = env_list("MOTCUA_NATIONAL_DATA_DATABASES", "*")
    return {db: {"connector": connector, "options": options} for db in databases}


MOTCUA_NATIONAL_DATA = national_data_config(MOTCUA_NATIONAL_DATA_CONNECTOR)

CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "motcua",
    }
}
if os.environ.get("REDIS_URL"):
    # Short socket timeouts: an unreachable Redis costs a request at most this long before
    # motcua.core.shared_cache falls back (and stops trying for MOTCUA_CACHE_RETRY_SECONDS).
    _redis_timeout = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {"socket_connect_timeout": _redis_timeout, "socket_timeout": _redis_timeout},
    }
# After a cache failure: seconds without trying the cache again (one warning per period).
MOTCUA_CACHE_RETRY_SECONDS = float(os.environ.get("MOTCUA_CACHE_RETRY_SECONDS", "30"))

# Security defaults (production.py tightens the transport settings).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Under htmx a refused token is a message in the page (htmx swaps no 403), else Django's page.
CSRF_FAILURE_VIEW = "motcua.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Background work: outbox deliveries are made by Celery when a broker is configured,
# otherwise in-process right after the transaction commits (nothing is lost either way).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
# `celery -A config beat`: the periodic jobs (each is also a management command).
# At most one `deliver_outbox.delay()` per process per window after a commit, plus one trailing
# send at the end of the window when commits were skipped (motcua.core.outbox). 0: every commit.
MOTCUA_OUTBOX_HANDOFF_MS = int(os.environ.get("MOTCUA_OUTBOX_HANDOFF_MS", "200"))
# A failed publish opens a per-process circuit breaker for this long: no commit tries the
# broker meanwhile (the beat job delivers the rows). The publish never retries and gives up
# connecting after MOTCUA_OUTBOX_PUBLISH_TIMEOUT_S.
MOTCUA_OUTBOX_BROKER_COOLDOWN_S = float(os.environ.get("MOTCUA_OUTBOX_BROKER_COOLDOWN_S", "5"))
MOTCUA_OUTBOX_PUBLISH_TIMEOUT_S = float(os.environ.get("MOTCUA_OUTBOX_PUBLISH_TIMEOUT_S", "0.5"))
# Each delivery (one message, one subscriber) is tried at most this many times, waiting
# min(MAX, BASE * 2**(n-1)) seconds, less up to half of it at random, after the n-th failure;
# then it is a dead letter (admin: "Gửi lại"). Defaults: 10 attempts over about 3 hours.
MOTCUA_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_OUTBOX_MAX_ATTEMPTS", "10"))
MOTCUA_OUTBOX_RETRY_BASE_S = float(os.environ.get("MOTCUA_OUTBOX_RETRY_BASE_S", "30"))
MOTCUA_OUTBOX_RETRY_MAX_S = float(os.environ.get("MOTCUA_OUTBOX_RETRY_MAX_S", "3600"))
# A worker's claim on a batch of deliveries; a crashed worker's claims are retaken after it.
MOTCUA_OUTBOX_LEASE_S = float(os.environ.get("MOTCUA_OUTBOX_LEASE_S", "300"))
# A web or Celery worker process, once started, freezes what it loaded out of the garbage
# collector's passes (motcua.core.runtime, docs/adr/0034).
MOTCUA_GC_FREEZE = env_bool("MOTCUA_GC_FREEZE", True)

CELERY_BEAT_SCHEDULE = {
    # Rows whose hand-off after commit was lost (see motcua.core.outbox): the worst-case latency.
    "deliver-outbox": {"task": "motcua.core.deliver_outbox", "schedule": 10.0},
    "reception-alerts": {"task": "motcua.dossiers.reception_alerts", "schedule": 300.0},
    "close-unsupplemented": {"task": "motcua.dossiers.close_unsupplemented", "schedule": 3600.0},
    "purge-idempotency": {"task": "motcua.api.purge_idempotency", "schedule": 3600.0},
    # Receipts whose signature failed when the money moved (motcua.dossiers.services.receipts).
    "receipts-issue-missing": {
        "task": "motcua.dossiers.receipts_issue_missing",
        "schedule": 600.0,
    },
    # Reminders to the units of feedback due within 2 working days or late (motcua.feedback).
    "feedback-remind": {"task": "motcua.feedback.reminders_send", "schedule": 3600.0},
    "purge-orphan-files": {"task": "motcua.documents.purge_orphan_files", "schedule": 86400.0},
    # Previous webhook secrets whose rotation grace is over are erased, not only ignored.
    "webhook-secrets-erase": {
        "task": "motcua.notifications.webhook_secrets_erase",
        "schedule": 3600.0,
    },
    # Procedure.use_count (search ranking): dossiers of the last 12 months per procedure.
    "refresh-procedure-use": {
        "task": "motcua.dossiers.refresh_procedure_use",
        "schedule": 86400.0,
    },
}
# Feedback (phản ánh, kiến nghị; docs/feedback.md): the answer is due this many working days
# after receipt (domain.md section 7: 10), or the category's own number when listed here.
MOTCUA_FEEDBACK_ANSWER_DAYS = int(os.environ.get("MOTCUA_FEEDBACK_ANSWER_DAYS", "10"))
MOTCUA_FEEDBACK_ANSWER_DAYS_BY_CATEGORY: dict[str, int] = {}
# Photos and PDFs attached to a feedback (motcua.feedback.services): how many, each file's
# limit (a dossier component's default, 10 MB) and all of them together; the API accepts a
# multipart POST /api/v1/feedback up to `total_bytes` plus room for the envelope.
MOTCUA_FEEDBACK_ATTACHMENTS = {
    "max_files": 5,
    "max_bytes": 10 * 1024 * 1024,
    "total_bytes": int(
        os.environ.get("MOTCUA_FEEDBACK_ATTACHMENTS_TOTAL_BYTES", str(20 * 1024 * 1024))
    ),
}
# `Idempotency-Key` records are kept this many days, then purged (a retry after that is new).
MOTCUA_IDEMPOTENCY_TTL_DAYS = int(os.environ.get("MOTCUA_IDEMPOTENCY_TTL_DAYS", "7"))

# Rate limits (count per window in seconds). "login": failed sign-ins per client address;
# "login_account": failed sign-ins per account (while reached, even the right password is
# refused until the window ends); "auth_token": POST /api/v1/auth/token per address (every
# attempt); "lookup": public look-ups per address.
MOTCUA_RATE_LIMITS = {
    "login": (10, 60),
    "login_account": (10, 900),
    "auth_token": (20, 60),
    "lookup": (60, 60),
    # Public verification of issued documents (/verify/, /api/v1/verify/), per address.
    "verify": (30, 60),
    # Payment gateways' callbacks per address: generous (a bank's IPN bursts), but a flood
    # of forged callbacks is cut off.
    "payment_callback": (600, 60),
    # Account sign-ups (/accounts/signup/) per client address: every attempt counts.
    "signup": (10, 3600),
    # The public look-up of a dossier (/lookup/, /api/v1/lookup), per address: 4 digits are
    # 10,000 guesses, so few tries (docs/portal.md).
    "dossier_lookup": (10, 600),
    # Feedback sent without an account (/feedback/, POST /api/v1/feedback) per address, and
    # the follow-up of one with its secret (/feedback/<code>/, GET /api/v1/feedback/{code}).
    "feedback_submit": (10, 3600),
    "feedback_follow": (20, 600),
    # Sign-in codes by SMS (docs/identity.md): sending per phone (1 a minute, 5 an hour) and
    # per address; checking per address; 5 wrong codes lock a phone for 15 minutes.
    "sms_code_phone": (1, 60),
    "sms_code_phone_hour": (5, 3600),
    "sms_code_address": (20, 3600),
    "sms_code_verify": (30, 600),
    "sms_code_failures": (5, 900),
    # Contact confirmation codes (docs/accounts.md): sent per account and channel (1 a
    # minute, 5 an hour); 5 wrong codes lock the checking for 15 minutes.
    "contact_code_send": (1, 60),
    "contact_code_send_hour": (5, 3600),
    "contact_code_failures": (5, 900),
    # Test events sent at once by POST /api/v1/webhooks/{id}/test, per account: each holds an
    # API worker until the endpoint answers (up to 5 s).
    "webhook_test": (10, 60),
}
# How accounts texts a sign-in code (a seam: accounts sits below notifications).
MOTCUA_SIGN_IN_CODE_SENDER = "motcua.notifications.sign_in.NotificationsSignInCodeSender"
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated),
# e.g. "127.0.0.1" for nginx on the same host. Empty: the socket peer is the client.
MOTCUA_TRUSTED_PROXIES = env_list("MOTCUA_TRUSTED_PROXIES")

# Dossiers one account may submit through the API in a rolling window: (count, seconds).
# "integrator" applies to integrator accounts, "default" to everyone else.
MOTCUA_SUBMISSION_QUOTAS = {
    "default": (int(os.environ.get("MOTCUA_SUBMISSION_QUOTA", "50")), 3600),
    "integrator": (int(os.environ.get("MOTCUA_SUBMISSION_QUOTA_INTEGRATOR", "5000")), 3600),
}

# What the API accepts in a request (motcua.api.parser, motcua.core.middleware).
MOTCUA_API_INPUT_LIMITS = {
    "body_bytes": int(os.environ.get("MOTCUA_API_MAX_BODY_BYTES", str(1024 * 1024))),
    "string_length": 10_000,  # characters, any string of a JSON body (keys too)
    "depth": 16,  # nesting of objects and arrays
    "items": 5_000,  # values in the whole document
}
# A multipart upload to POST /api/v1/dossiers/{code}/files may be this large (the largest
# component limit, 10 MB by default, plus room for the multipart envelope).
MOTCUA_API_UPLOAD_MAX_BYTES = int(
    os.environ.get("MOTCUA_API_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024 + 64 * 1024))
)

# Personal tokens created with POST /api/v1/auth/token.
MOTCUA_PERSONAL_TOKENS = {
    "days": int(os.environ.get("MOTCUA_PERSONAL_TOKEN_DAYS", "90")),
    "max_active": 20,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# `load_demo` creates accounts sharing one public password: it runs only in demo mode
# (local and test settings; a public demonstration server may set MOTCUA_DEMO_MODE=1).
MOTCUA_DEMO_MODE = env_bool("MOTCUA_DEMO_MODE", False)

# What a catalog file may weigh (import_procedures, the admin import): the file or all it
# unpacks to, the entries of an archive (a .zip of CSV, an XLSX workbook), their compression
# ratio (zip bombs), the characters of one cell (Excel's own limit).
MOTCUA_IMPORT_MAX_BYTES = int(os.environ.get("MOTCUA_IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
MOTCUA_IMPORT_MAX_MEMBERS = int(os.environ.get("MOTCUA_IMPORT_MAX_MEMBERS", "100"))
MOTCUA_IMPORT_MAX_RATIO = int(os.environ.get("MOTCUA_IMPORT_MAX_RATIO", "200"))
MOTCUA_IMPORT_MAX_CELL_CHARS = int(os.environ.get("MOTCUA_IMPORT_MAX_CELL_CHARS", "32767"))

# --- Signing (motcua.documents.signing; docs/signing.md) -----------------------------------
# Defaults point at the demo PKI that `demo_pki` (make run) writes under var/pki; production
# sets a directory of `<unit code>.p12` files, the trust roots (PEM or DER files, `:`-separated)
# and where the CRLs named by the certificates' distribution points are mirrored on disk
# (`URL prefix=directory`, `,`-separated): validation never fetches anything from the network.
MOTCUA_SIGNING_BACKEND = os.environ.get("MOTCUA_SIGNING_BACKEND", "pkcs12")
MOTCUA_SIGNING_DIR = Path(os.environ.get("MOTCUA_SIGNING_DIR", VAR_DIR / "pki" / "signers"))
MOTCUA_SIGNING_TRUST_ROOTS = [
    Path(p)
    for p in os.environ.get("MOTCUA_SIGNING_TRUST_ROOTS", str(VAR_DIR / "pki" / "ca.pem")).split(
        ":"
    )
    if p
]
MOTCUA_SIGNING_CRL_MIRRORS = dict(
    item.split("=", 1)
    for item in os.environ.get(
        "MOTCUA_SIGNING_CRL_MIRRORS", f"http://pki.motcua.invalid/={VAR_DIR / 'pki' / 'crl'}"
    ).split(",")
    if "=" in item
)
MOTCUA_SIGNING_FONT = os.environ.get(
    "MOTCUA_SIGNING_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

# The address the public reaches motcua at: QR codes on issued documents and forms point to
# `<MOTCUA_PUBLIC_URL>/verify/<code>` and to the public lookup.
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Notifications (docs/notifications.md). The public lookup quoted in messages.
MOTCUA_LOOKUP_URL = os.environ.get("MOTCUA_LOOKUP_URL", f"{MOTCUA_PUBLIC_URL}/lookup/")
# Where a sender follows a feedback (`<MOTCUA_FEEDBACK_URL><code>/`) and where the staff
# answer it, quoted in the feedback messages.
MOTCUA_FEEDBACK_URL = os.environ.get("MOTCUA_FEEDBACK_URL", f"{MOTCUA_PUBLIC_URL}/feedback/")
MOTCUA_WORKSPACE_FEEDBACK_URL = os.environ.get(
    "MOTCUA_WORKSPACE_FEEDBACK_URL", f"{MOTCUA_PUBLIC_URL}/workspace/feedback/"
)
# SMS providers in order of preference (failover on timeout/5xx): console (demo, logs a
# masked number), sandbox (in-database inbox), http_a, http_b (their settings below).
MOTCUA_SMS_PROVIDERS = [
    name.strip()
    for name in os.environ.get("MOTCUA_SMS_PROVIDERS", "console").split(",")
    if name.strip()
]
MOTCUA_SMS_OPTIONS: dict[str, dict[str, Any]] = {
    "http_a": {
        "url": os.environ.get("MOTCUA_SMS_HTTP_A_URL", ""),
        "api_key": os.environ.get("MOTCUA_SMS_HTTP_A_API_KEY", ""),
        "brandname": os.environ.get("MOTCUA_SMS_HTTP_A_BRANDNAME", "MOTCUA"),
        "timeout_s": float(os.environ.get("MOTCUA_SMS_HTTP_A_TIMEOUT_S", "5")),
    },
    "http_b": {
        "url": os.environ.get("MOTCUA_SMS_HTTP_B_URL", ""),
        "api_key": os.environ.get("MOTCUA_SMS_HTTP_B_API_KEY", ""),
        "sender": os.environ.get("MOTCUA_SMS_HTTP_B_SENDER", "MOTCUA"),
        "timeout_s": float(os.environ.get("MOTCUA_SMS_HTTP_B_TIMEOUT_S", "5")),
    },
}
# Webhooks for integrators (docs/notifications.md). An integrator's endpoint must be public
# https; on (development, tests) it may also be plain http or an address on this machine or
# the local network. Never on in production: it would let an API token reach the internal
# network from the server (SSRF).
MOTCUA_WEBHOOK_LOCAL_URLS = env_bool("MOTCUA_WEBHOOK_LOCAL_URLS", False)
# Endpoints one account may have (deleted ones not counted).
MOTCUA_WEBHOOKS_MAX_PER_OWNER = int(os.environ.get("MOTCUA_WEBHOOKS_MAX_PER_OWNER", "10"))
# After a secret rotation the old secret keeps signing (beside the new one) this long by
# default; a rotation may ask for 0 (at once) up to the maximum (ADR 0027).
MOTCUA_WEBHOOK_SECRET_GRACE_S = int(os.environ.get("MOTCUA_WEBHOOK_SECRET_GRACE_S", "86400"))
MOTCUA_WEBHOOK_SECRET_GRACE_MAX_S = int(
    os.environ.get("MOTCUA_WEBHOOK_SECRET_GRACE_MAX_S", str(7 * 86400))
)
# E-mail goes through Django's mail (EMAIL_BACKEND; django-anymail for a provider).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua <no-reply@motcua.invalid>")
# The official forms (motcua.dossiers.forms, docs/forms.md): the serif font (Times New Roman
# metrics, every Vietnamese letter) is Liberation Serif 2 from Debian's fonts-liberation2
# (`make fonts`).
MOTCUA_FORMS_FONT_DIR = Path(
    os.environ.get("MOTCUA_FORMS_FONT_DIR", "/usr/share/fonts/truetype/liberation2")
)

# --- Identity providers (motcua.accounts.identity; docs/identity.md) --------------------------
# Each entry: a name (used in URLs: /accounts/oidc/login/ is "oidc"), the provider class and
# its options. The "oidc" provider is any OpenID Connect provider (VNeID): discovery from the
# issuer, authorization code with PKCE (S256), state and nonce, ID token checked against the
# provider's JWKS (Authlib). Claims are mapped onto the account's identity fields; the JSON in
# MOTCUA_OIDC_CLAIMS overrides single names ({"personal_id": "so_dinh_danh", ...}); a dotted
# name reads inside an object claim ("address.formatted").
MOTCUA_OIDC_CLAIMS_DEFAULT = {
    "personal_id": "personal_id",
    "full_name": "name",
    "date_of_birth": "birthdate",
    "sex": "gender",
    "address": "address.formatted",
    "phone": "phone_number",
    "email": "email",
}


def identity_providers_config(*, demo_idp: bool, public_url: str) -> dict[str, dict[str, Any]]:
    """The providers from the environment; without MOTCUA_OIDC_ISSUER, the demo "VNeID"
    served by motcua itself (motcua.idp_demo) when it is on, else none."""
    issuer = os.environ.get("MOTCUA_OIDC_ISSUER", "").rstrip("/")
    if not issuer and demo_idp:
        issuer = f"{public_url}/demo-idp"
    if not issuer:
        return {}
    return {
        "oidc": {
            "class": "motcua.accounts.identity.contrib.oidc.OidcProvider",
            "label": os.environ.get("MOTCUA_OIDC_LABEL", "VNeID"),
            "source": os.environ.get("MOTCUA_OIDC_SOURCE", "vneid"),
            "issuer": issuer,
            "client_id": os.environ.get("MOTCUA_OIDC_CLIENT_ID", "motcua-demo"),
            "client_secret": os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", "motcua-demo-secret"),
            "scopes": os.environ.get("MOTCUA_OIDC_SCOPES", "openid profile phone address"),
            "claims": {
                **MOTCUA_OIDC_CLAIMS_DEFAULT,
                **json.loads(os.environ.get("MOTCUA_OIDC_CLAIMS", "{}")),
            },
            # Also read the userinfo endpoint (when the provider has one): its claims win.
            "userinfo": env_bool("MOTCUA_OIDC_USERINFO", True),
            "timeout": float(os.environ.get("MOTCUA_OIDC_TIMEOUT", "10")),
        }
    }


# Payment gateways (motcua.payments.gateways, docs/payments.md). The built-in sandbox bank
# (motcua.paygate_demo, under /demo-bank/) is on with the demo mode or MOTCUA_DEMO_BANK=1;
# a VNPay-style bank when its merchant code is set.
def payment_gateways_config(*, demo_bank: bool) -> dict[str, dict[str, str]]:
    gateways: dict[str, dict[str, str]] = {}
    if demo_bank:
        gateways["sandbox"] = {
            "secret": os.environ.get("MOTCUA_SANDBOX_PAYMENT_SECRET", "motcua-sandbox-secret"),
        }
    if os.environ.get("MOTCUA_VNPAY_TMN_CODE"):
        gateways["vnpay"] = {
            "tmn_code": os.environ["MOTCUA_VNPAY_TMN_CODE"],
            "hash_secret": os.environ.get("MOTCUA_VNPAY_HASH_SECRET", ""),
            "pay_url": os.environ.get(
                "MOTCUA_VNPAY_PAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
            ),
        }
    return gateways


MOTCUA_DEMO_BANK = env_bool("MOTCUA_DEMO_BANK", MOTCUA_DEMO_MODE)
# How long the demo bank waits for motcua to answer its server-to-server result (the IPN)
# before sending the payer back anyway (the return then carries the result).
MOTCUA_DEMO_BANK_IPN_TIMEOUT_S = float(os.environ.get("MOTCUA_DEMO_BANK_IPN_TIMEOUT_S", "5"))
MOTCUA_PAYMENT_GATEWAYS = payment_gateways_config(demo_bank=MOTCUA_DEMO_BANK)

# The demo identity provider (motcua.idp_demo, under /demo-idp/): on with the demo mode
# (local and test settings) or MOTCUA_DEMO_IDP=1; never in production unless asked for.
MOTCUA_DEMO_IDP = env_bool("MOTCUA_DEMO_IDP", MOTCUA_DEMO_MODE)
MOTCUA_IDENTITY_PROVIDERS = identity_providers_config(
    demo_idp=MOTCUA_DEMO_IDP, public_url=MOTCUA_PUBLIC_URL
)
# The demo identity provider's one client, and where its RS256 signing key lives (generated
# on first use; a JWK in JSON).
MOTCUA_DEMO_IDP_CLIENTS = {
    os.environ.get("MOTCUA_OIDC_CLIENT_ID", "motcua-demo"): os.environ.get(
        "MOTCUA_OIDC_CLIENT_SECRET", "motcua-demo-secret"
    )
}
MOTCUA_DEMO_IDP_KEY_FILE: Path | None = Path(
    os.environ.get("MOTCUA_DEMO_IDP_KEY_FILE", VAR_DIR / "demo_idp" / "signing-key.json")
)
MOTCUA_DEMO_IDP_ISSUER = os.environ.get(
    "MOTCUA_DEMO_IDP_ISSUER", f"{MOTCUA_PUBLIC_URL}/demo-idp"
).rstrip("/")

# Confirming a new or changed phone number / e-mail address (motcua.accounts.contact): a
# dotted path to a sender. The default sends a 6-digit code by SMS or e-mail through the
# outbox; "motcua.accounts.contact.PendingConfirmationSender" sends nothing (docs/accounts.md).
MOTCUA_CONTACT_CONFIRMATION_SENDER = os.environ.get(
    "MOTCUA_CONTACT_CONFIRMATION_SENDER", "motcua.accounts.contact.CodeConfirmationSender"
)
# Where an organisation's tax code is checked when a person registers it
# (motcua.accounts.organisations): a dotted path to a registry. The default knows the
# organisations whose account was verified (the demo business of load_demo); a connection to
# the National Business Registration Database replaces it.
MOTCUA_BUSINESS_REGISTRY = os.environ.get(
    "MOTCUA_BUSINESS_REGISTRY", "motcua.accounts.organisations.VerifiedAccountsRegistry"
)
