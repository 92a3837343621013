"""The workspace's navigation: which entries the signed-in person is offered."""

from __future__ import annotations

from django import template

from motcua.accounts.second_factor import may_reset_second_factor
from motcua.catalog.process import catalog_admin_may

register = template.Library()


@register.filter
def is_catalog_admin(user: object) -> bool:
    return catalog_admin_may(actor=user)  # type: ignore[arg-type]


@register.filter
def is_accounts_admin(user: object) -> bool:
    return may_reset_second_factor(user)  # type: ignore[arg-type]
