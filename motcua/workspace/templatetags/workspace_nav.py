"""The workspace's navigation: which entries the signed-in person is offered."""

from __future__ import annotations

from django import template

from motcua.catalog.process import catalog_admin_may
from motcua.organisation.models import Role
from motcua.organisation.selectors import user_roles_seen

register = template.Library()


@register.filter
def is_catalog_admin(user: object) -> bool:
    """Show "Quản trị thủ tục"? From the roles the page's access read saw when it made one
    (no query), else `catalog_admin_may`; the procedure pages check again for themselves."""
    seen = user_roles_seen(user=user)  # type: ignore[arg-type]
    if seen is not None and not getattr(user, "is_superuser", False):
        return Role.PROCEDURE_ADMIN in seen
    return catalog_admin_may(actor=user)  # type: ignore[arg-type]
