"""Settings for the test suite: fast hashing; in-memory SQLite unless DATABASE_URL is set."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
LANGUAGE_CODE = "vi"
MOTCUA_RATE_LIMITS = {"login": (1000, 60), "lookup": (1000, 60)}
MOTCUA_DEMO_MODE = True
