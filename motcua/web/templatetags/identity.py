"""`{% identity_providers as providers %}`: the configured identity providers (name, label),
for the sign-in page's "Đăng nhập bằng VNeID" buttons."""

from __future__ import annotations

from django import template

from motcua.accounts.identity.base import IdentityProvider
from motcua.accounts.identity.registry import identity_providers as configured

register = template.Library()


@register.simple_tag
def identity_providers() -> list[IdentityProvider]:
    return configured()
