"""The workspace's navigation: which entries the signed-in person is offered."""

from __future__ import annotations

from django import template

from motcua.accounts.second_factor import may_reset_second_factor
from motcua.catalog.process import catalog_admin_may
from motcua.counter.selectors import READ_ROLES as COUNTER_LOG_READ_ROLES
from motcua.documents.selectors import BOOK_READER_ROLES
from motcua.organisation.models import Role, RoleAssignment
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


@register.filter
def is_accounts_admin(user: object) -> bool:
    return may_reset_second_factor(user)  # type: ignore[arg-type]


#: The nav entries that depend on a role, and the roles that give each (any of them).
NAV_ROLES: dict[str, frozenset[str]] = {
    # dossiers.counter_selectors.counter_posts: only a one-stop officer receives at the counter.
    "counter": frozenset({Role.OFFICER}),
    # counter.selectors.READ_ROLES: who reads the counter's records (advice, visits, hotline).
    "counter_log": frozenset(COUNTER_LOG_READ_ROLES),
    # documents.selectors.BOOK_READER_ROLES: who reads a unit's certification book.
    "certified": frozenset(BOOK_READER_ROLES),
    "procedures": frozenset({Role.PROCEDURE_ADMIN}),
    "privacy": frozenset({Role.PRIVACY_OFFICER}),
    # feedback.selectors.READ_ROLES: who sees a unit's citizen feedback.
    "feedback": frozenset(
        {Role.OFFICER, Role.SPECIALIST, Role.LEADER, Role.SUPERVISOR, Role.AUDITOR}
    ),
    "reconciliation": frozenset({Role.ACCOUNTANT}),
}
_ALL_NAV_ROLES = sorted(set().union(*NAV_ROLES.values()))
#: The entries whose pages give a superuser nothing without the role itself (counter
#: reception needs an officer's post; the certification book, a unit whose book it reads).
ROLE_ONLY = frozenset({"counter", "certified"})


@register.filter
def workspace_nav_for(user: object) -> dict[str, bool]:
    """Which role-bound entries `user` is offered (counter reception, the counter's records,
    the certification book, procedure administration, personal-data requests, citizen
    feedback, reconciliation), in one query: the same rules as `counter_posts`,
    `counter.selectors.counter_unit_ids`, `documents.selectors.certification_units_for_actor`,
    `catalog_admin_may`, `privacy.selectors.privacy_handler_check`,
    `feedback.selectors.READ_ROLES` and `payments.reconcile_selectors.reconciliation_allowed`
    (an accountant or a privacy officer is not offered pages that would refuse them)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return dict.fromkeys(NAV_ROLES, False)
    superuser = bool(getattr(user, "is_superuser", False))
    # The roles the page's access read saw, when it made one (no query); display only.
    seen = user_roles_seen(user=user)  # type: ignore[arg-type]
    held = (
        set(seen)
        if seen is not None
        else set(
            RoleAssignment.objects.filter(
                user_id=user.pk,  # type: ignore[attr-defined]
                role__in=_ALL_NAV_ROLES,
                unit__is_active=True,
            ).values_list("role", flat=True)
        )
    )
    return {
        entry: (superuser and entry not in ROLE_ONLY) or bool(roles & held)
        for entry, roles in NAV_ROLES.items()
    }
