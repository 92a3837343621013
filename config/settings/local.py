"""The embedded development setup used by `make run`."""

from .base import *  # noqa: F403
from .base import MOTCUA_PUBLIC_URL, env_bool, identity_providers_config

DEBUG = env_bool("DJANGO_DEBUG", True)
MOTCUA_DEMO_MODE = True
MOTCUA_DEMO_IDP = env_bool("MOTCUA_DEMO_IDP", True)
MOTCUA_IDENTITY_PROVIDERS = identity_providers_config(
    demo_idp=MOTCUA_DEMO_IDP, public_url=MOTCUA_PUBLIC_URL
)
