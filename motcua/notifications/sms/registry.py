"""SMS providers by name, and the failover between the configured ones.

`MOTCUA_SMS_PROVIDERS` (environment: a comma-separated list, e.g. `http_a,http_b`) is the
order of preference: a temporary failure (timeout, 5xx, connection refused) of the first
moves on to the second with the same client reference; a permanent one (4xx) stops there.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import SmsError, SmsProvider, SmsResult, SmsTemporaryError

logger = logging.getLogger(__name__)

BUILTIN = {
    "console": "motcua.notifications.sms.contrib.console.provider.ConsoleProvider",
    "sandbox": "motcua.notifications.sms.contrib.sandbox.provider.SandboxProvider",
    "http_a": "motcua.notifications.sms.contrib.http_a.provider.HttpAProvider",
    "http_b": "motcua.notifications.sms.contrib.http_b.provider.HttpBProvider",
}


def provider_class(name: str) -> type[SmsProvider]:
    path = BUILTIN.get(name, name)
    module_name, _dot, attr = path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ImproperlyConfigured(f"unknown SMS provider {name!r}") from exc
    if not (isinstance(cls, type) and issubclass(cls, SmsProvider)):
        raise ImproperlyConfigured(f"{path} is not an SmsProvider")
    return cls


def configured_providers() -> list[SmsProvider]:
    names = list(settings.MOTCUA_SMS_PROVIDERS)
    if not names:
        raise ImproperlyConfigured("MOTCUA_SMS_PROVIDERS is empty")
    options: dict[str, dict[str, Any]] = settings.MOTCUA_SMS_OPTIONS
    return [provider_class(name)(**options.get(name, {})) for name in names]


def sms_send(*, to: str, text: str, reference: str) -> SmsResult:
    """Send through the first provider that takes it; raises the last error otherwise."""
    last: SmsError | None = None
    for provider in configured_providers():
        try:
            return provider.send(to=to, text=text, reference=reference)
        except SmsTemporaryError as exc:
            logger.warning("sms: provider %s failed (%s), trying the next one", provider.name, exc)
            last = exc
    assert last is not None
    raise last
