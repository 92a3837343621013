from __future__ import annotations

import datetime as dt

from django.db import transaction

from motcua.core.services import audit_record

from .models import ApiToken, User


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    now: dt.datetime,
    actor: User | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw key, which is never stored or shown again."""
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: ApiToken.PREFIX_LEN],
        key_hash=ApiToken.hash_key(raw),
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        object_type="accounts.apitoken",
        object_id=token.pk,
        now=now,
        after={
            "user": user.username,
            "name": name,
            "prefix": token.prefix,
            "expires_at": expires_at,
        },
    )
    return token, raw


def api_token_authenticate(*, raw_key: str, now: dt.datetime) -> User | None:
    """The active user behind a raw key, or None (unknown, revoked, expired, inactive)."""
    if not raw_key:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw_key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
