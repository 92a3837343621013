"""The embedded development setup used by `make run`."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
MOTCUA_DEMO_MODE = True
