"""The identity providers configured in `settings.MOTCUA_IDENTITY_PROVIDERS`:
`{name: {"class": "dotted.path.Provider", "label": ..., **options}}`. Built once per process
(`identity_providers_reset()` after changing the settings, in tests)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import IdentityError, IdentityProvider


@cache
def _providers() -> dict[str, IdentityProvider]:
    configured: dict[str, dict[str, Any]] = getattr(settings, "MOTCUA_IDENTITY_PROVIDERS", {})
    built: dict[str, IdentityProvider] = {}
    for name, config in configured.items():
        options = dict(config)
        cls = import_string(options.pop("class"))
        built[name] = cls(name=name, **options)
    return built


def identity_providers() -> list[IdentityProvider]:
    """The configured providers, in the settings' order (for the sign-in page's buttons)."""
    return list(_providers().values())


def identity_provider_get(name: str) -> IdentityProvider:
    try:
        return _providers()[name]
    except KeyError:
        raise IdentityError("unknown_provider") from None


def identity_providers_reset() -> None:
    _providers.cache_clear()
