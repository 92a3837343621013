"""Production: PostgreSQL, secrets from the environment, HTTPS only."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    MOTCUA_PUBLIC_URL,
    SECRET_KEY,
    env_bool,
    identity_providers_config,
    payment_gateways_config,
)

if SECRET_KEY.startswith("dev-insecure") or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (at least 40 characters) in production.")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("Set DATABASE_URL (postgres://...) in production.")

if "REDIS_URL" not in os.environ:
    # Rate limits and the working-clock cache must be shared by every worker process.
    raise ImproperlyConfigured("Set REDIS_URL (redis://host:6379/1) in production.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Staff sign in with a second factor (TOTP, recovery codes) unless explicitly switched off.
MOTCUA_STAFF_2FA_REQUIRED = env_bool("MOTCUA_STAFF_2FA_REQUIRED", True)

# The demo identity provider never runs in production unless asked for by name, and a real
# OpenID Connect provider needs its own client secret.
MOTCUA_DEMO_IDP = env_bool("MOTCUA_DEMO_IDP", False)
if "MOTCUA_OIDC_ISSUER" in os.environ and "MOTCUA_OIDC_CLIENT_SECRET" not in os.environ:
    raise ImproperlyConfigured("Set MOTCUA_OIDC_CLIENT_SECRET with MOTCUA_OIDC_ISSUER.")
MOTCUA_IDENTITY_PROVIDERS = identity_providers_config(
    demo_idp=MOTCUA_DEMO_IDP, public_url=MOTCUA_PUBLIC_URL
)
# Payment callbacks count only when signed with a secret nobody else knows: the sandbox bank
# only when asked for by name and with its own secret, a VNPay-style bank with its hash secret.
MOTCUA_DEMO_BANK = env_bool("MOTCUA_DEMO_BANK", False)
if MOTCUA_DEMO_BANK and len(os.environ.get("MOTCUA_SANDBOX_PAYMENT_SECRET", "")) < 32:
    raise ImproperlyConfigured(
        "Set MOTCUA_SANDBOX_PAYMENT_SECRET (at least 32 characters) with MOTCUA_DEMO_BANK."
    )
if (
    os.environ.get("MOTCUA_VNPAY_TMN_CODE")
    and len(os.environ.get("MOTCUA_VNPAY_HASH_SECRET", "")) < 16
):
    raise ImproperlyConfigured(
        "Set MOTCUA_VNPAY_HASH_SECRET (the bank's secret, at least 16 characters) with "
        "MOTCUA_VNPAY_TMN_CODE."
    )
MOTCUA_PAYMENT_GATEWAYS = payment_gateways_config(demo_bank=MOTCUA_DEMO_BANK)

# Integrators' webhooks go to public https addresses only (an API token must not reach the
# internal network through the server).
MOTCUA_WEBHOOK_LOCAL_URLS = False
