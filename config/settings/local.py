"""The embedded development setup used by `make run`."""

from .base import *  # noqa: F403
from .base import MOTCUA_PUBLIC_URL, env_bool, identity_providers_config, payment_gateways_config

DEBUG = env_bool("DJANGO_DEBUG", True)
MOTCUA_DEMO_MODE = True
# The demo city answers national-data look-ups from its seeded records unless told otherwise.
MOTCUA_NATIONAL_DATA = national_data_config(  # noqa: F405
    os.environ.get("MOTCUA_NATIONAL_DATA_CONNECTOR", "demo")  # noqa: F405
)
MOTCUA_DEMO_IDP = env_bool("MOTCUA_DEMO_IDP", True)
MOTCUA_IDENTITY_PROVIDERS = identity_providers_config(
    demo_idp=MOTCUA_DEMO_IDP, public_url=MOTCUA_PUBLIC_URL
)
MOTCUA_DEMO_BANK = env_bool("MOTCUA_DEMO_BANK", True)
MOTCUA_PAYMENT_GATEWAYS = payment_gateways_config(demo_bank=MOTCUA_DEMO_BANK)
# The demo's e-mails are written as files under var/mail (not to the console: they carry
# addresses); set EMAIL_BACKEND (or django-anymail's) to send them.
EMAIL_BACKEND = os.environ.get(  # noqa: F405
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
# The demo's SMS land in the in-database inbox (admin → tin SMS hộp thử), so that the codes
# of the sign-in, phone sign-up and contact confirmation pages can be read; the console
# provider logs only a masked number. MOTCUA_SMS_PROVIDERS overrides it.
MOTCUA_SMS_PROVIDERS = [
    name.strip()
    for name in os.environ.get("MOTCUA_SMS_PROVIDERS", "sandbox").split(",")  # noqa: F405
    if name.strip()
]
# Webhook receivers on this machine (http://127.0.0.1:...) for trying integrations.
MOTCUA_WEBHOOK_LOCAL_URLS = env_bool("MOTCUA_WEBHOOK_LOCAL_URLS", True)
