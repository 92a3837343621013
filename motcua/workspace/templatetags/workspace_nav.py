"""The workspace's navigation: which entries the signed-in person is offered."""

from __future__ import annotations

from django import template

from motcua.catalog.process import catalog_admin_may
from motcua.privacy.selectors import privacy_handler_check

register = template.Library()


@register.filter
def is_catalog_admin(user: object) -> bool:
    return catalog_admin_may(actor=user)  # type: ignore[arg-type]


@register.filter
def is_privacy_handler(user: object) -> bool:
    """May `user` handle people's personal-data requests (the nav link)?"""
    return privacy_handler_check(actor=user)  # type: ignore[arg-type]
