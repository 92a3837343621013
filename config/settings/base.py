"""Settings shared by every environment. Secrets and hosts come from the environment."""

from __future__ import annotations

import os
from pathlib import Path

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
    # Listed so that the API docs page serves Swagger UI from our own static files (the
    # default loads it from a CDN, which the Content Security Policy forbids).
    "ninja",
    "motcua.core",
    "motcua.accounts",
    "motcua.organisation",
    "motcua.deadlines",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.api",
    "motcua.portal",
    "motcua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "motcua.core.middleware.SignInRateLimitMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/admin/login/"

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

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "motcua",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Security defaults (production.py tightens the transport settings).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
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

# Background work: outbox rows are delivered by Celery when a broker is configured,
# otherwise in-process right after the transaction commits (nothing is lost either way).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
# `celery -A config beat`: the periodic jobs (each is also a management command).
# At most one `deliver_outbox.delay()` per process per window after a commit, plus one trailing
# send at the end of the window when commits were skipped (motcua.core.outbox). 0: every commit.
MOTCUA_OUTBOX_HANDOFF_MS = int(os.environ.get("MOTCUA_OUTBOX_HANDOFF_MS", "200"))

CELERY_BEAT_SCHEDULE = {
    # Rows whose hand-off after commit was lost (see motcua.core.outbox): the worst-case latency.
    "deliver-outbox": {"task": "motcua.core.deliver_outbox", "schedule": 10.0},
    "reception-alerts": {"task": "motcua.dossiers.reception_alerts", "schedule": 300.0},
    "close-unsupplemented": {"task": "motcua.dossiers.close_unsupplemented", "schedule": 3600.0},
    "purge-idempotency": {"task": "motcua.api.purge_idempotency", "schedule": 3600.0},
}
# `Idempotency-Key` records are kept this many days, then purged (a retry after that is new).
MOTCUA_IDEMPOTENCY_TTL_DAYS = int(os.environ.get("MOTCUA_IDEMPOTENCY_TTL_DAYS", "7"))

# Rate limits (requests per window) for sign-in and public look-ups.
MOTCUA_RATE_LIMITS = {
    "login": (10, 60),
    "lookup": (60, 60),
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
