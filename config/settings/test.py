"""Settings for the test suite: fast hashing; in-memory SQLite unless DATABASE_URL is set."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
LANGUAGE_CODE = "vi"
MOTCUA_RATE_LIMITS = {
    "login": (1000, 60),
    "login_account": (1000, 900),
    "auth_token": (1000, 60),
    "lookup": (1000, 60),
    "verify": (1000, 60),
    "payment_callback": (1000, 60),
    "signup": (1000, 3600),
    "dossier_lookup": (1000, 60),
    "feedback_submit": (1000, 3600),
    "feedback_follow": (1000, 600),
    # The real limits of sign-in codes (tests/accounts/test_sms_codes.py exercises them).
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
    "webhook_test": (1000, 60),
}
MOTCUA_SUBMISSION_QUOTAS = {"default": (1000, 3600), "integrator": (1000, 3600)}
MOTCUA_DEMO_MODE = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
MOTCUA_CLAMAV_SOCKET = ""
MOTCUA_CLAMAV_HOST = ""
MOTCUA_NATIONAL_DATA = {"*": {"connector": "demo", "options": {}}}
# The demo identity provider as the test client reaches it; its key lives in memory only.
MOTCUA_DEMO_IDP = True
MOTCUA_DEMO_IDP_ISSUER = "http://testserver/demo-idp"
MOTCUA_DEMO_IDP_KEY_FILE = None
MOTCUA_IDENTITY_PROVIDERS = identity_providers_config(  # noqa: F405
    demo_idp=True, public_url="http://testserver"
)
MOTCUA_DEMO_IDP_CLIENTS = {"motcua-demo": "motcua-demo-secret"}
MOTCUA_DEMO_BANK = True
MOTCUA_PAYMENT_GATEWAYS = payment_gateways_config(demo_bank=True)  # noqa: F405
# Also in the worker processes some tests start (pytest-django sets it only in its own).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The webhook tests' receivers listen on 127.0.0.1 over plain http.
MOTCUA_WEBHOOK_LOCAL_URLS = True
