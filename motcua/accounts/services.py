from __future__ import annotations

import copy
import datetime as dt
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, NotFound, PermissionDenied
from motcua.core.generation_cache import Generation, GenerationCache
from motcua.core.services import audit_record

from .models import ApiToken, ConsentDecision, ConsentPurpose, ConsentRecord, User

# The token look-up of every API request is cached per process (`api_token_authenticate`),
# until a write to tokens or users: `api_token_revoke`, the admin pages of tokens and users
# (save and delete). Writes made with `QuerySet.update()` or raw SQL elsewhere must call
# `api_tokens_cache_invalidate()`.
API_TOKENS_GENERATION = Generation("api_tokens")


@dataclass(frozen=True)
class _CachedToken:
    """What authenticating a key needs, as loaded from the database. `user` is never handed
    out: callers get a copy."""

    token_id: int
    user_id: int
    expires_at: dt.datetime | None
    revoked: bool
    last_used_at: dt.datetime | None
    user: User


_tokens: GenerationCache[_CachedToken] = GenerationCache(API_TOKENS_GENERATION)

# token id -> last `last_used_at` written or seen by this process (not part of the cached
# entry, which is never mutated; a token's entry is reloaded only after a bump).
LAST_USED_EVERY = dt.timedelta(minutes=5)
_last_used: dict[int, dt.datetime] = {}
_last_used_lock = threading.Lock()


def api_tokens_cache_invalidate() -> None:
    """Tokens or users changed (now, and again when the current transaction commits): every
    process forgets its cached tokens before its next request."""
    _tokens.invalidate_on_write()


def api_tokens_cache_clear() -> None:
    """Drop this process's cached tokens (tests call it between cases)."""
    _tokens.clear()
    with _last_used_lock:
        _last_used.clear()


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


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None, now: dt.datetime) -> ApiToken:
    """Revoke a token: refused from the next request on, in every process. Revoking a token
    already revoked changes nothing."""
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked_at is not None:
        token.revoked_at = locked.revoked_at
        return token
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at"])
    token.revoked_at = now
    audit_record(
        actor=actor,
        action="api_token.revoke",
        object_type="accounts.apitoken",
        object_id=locked.pk,
        now=now,
        before={"revoked_at": None},
        after={
            "user": locked.user.username,
            "name": locked.name,
            "prefix": locked.prefix,
            "revoked_at": now,
        },
    )
    api_tokens_cache_invalidate()  # now and at commit
    return token


def _token_load(key_hash: str) -> _CachedToken | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    if token is None:
        return None  # unknown keys are not cached
    return _CachedToken(
        token_id=token.pk,
        user_id=token.user_id,
        expires_at=token.expires_at,
        revoked=token.revoked_at is not None,
        last_used_at=token.last_used_at,
        user=token.user,
    )


def api_token_authenticate(*, raw_key: str, now: dt.datetime) -> User | None:
    """The active user behind a raw key, or None (unknown, revoked, expired, inactive).

    Cached per process until a token or user is written (`api_tokens_cache_invalidate`): no
    query on a hit, one round trip to the shared cache. Expiry is checked against `now` at
    every call. Each call gets its own copy of the user."""
    if not raw_key:
        return None
    key_hash = ApiToken.hash_key(raw_key)
    entry = _tokens.get(key_hash, lambda: _token_load(key_hash))
    if entry is None or entry.revoked or not entry.user.is_active:
        return None
    if entry.expires_at is not None and entry.expires_at <= now:
        return None
    _touch(entry, now)
    return copy.copy(entry.user)


def _touch(entry: _CachedToken, now: dt.datetime) -> None:
    """Record the use at most every 5 minutes, in this process and in the database (the
    UPDATE is conditional, so several processes do not write it more often either)."""
    with _last_used_lock:
        last = _last_used.get(entry.token_id, entry.last_used_at)
        if last is not None and entry.last_used_at is not None:
            last = max(last, entry.last_used_at)
        if last is not None and now - last <= LAST_USED_EVERY:
            return
        if len(_last_used) >= 4096:
            _last_used.clear()
        _last_used[entry.token_id] = now
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY),
        pk=entry.token_id,
    ).update(last_used_at=now)


def user_deactivate(*, user: User, actor: User | None, now: dt.datetime, reason: str = "") -> User:
    """Deactivate an account: it can no longer sign in, and its API tokens are refused from
    the next request on, in every process (the token cache is bumped now and at commit).
    Deactivating an inactive account records nothing (but bumps the cache all the same)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:  # maybe written without a bump (`update()`): bump anyway
            user.is_active = False
            api_tokens_cache_invalidate()
            return user
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        user.is_active = False
        audit_record(
            actor=actor,
            action="user.deactivate",
            object_type="accounts.user",
            object_id=locked.pk,
            now=now,
            before={"is_active": True},
            after={"username": locked.username, "is_active": False},
            reason=reason,
        )
        api_tokens_cache_invalidate()  # now and at commit
    return user


def personal_token_create(*, user: User, name: str, now: dt.datetime) -> tuple[ApiToken, str]:
    """A token the account holder creates for themself (`POST /api/v1/auth/token`), valid
    `settings.MOTCUA_PERSONAL_TOKENS["days"]` days. Integrator accounts are refused: their
    tokens are created by administrators, who also give them their unit roles. At most
    `MOTCUA_PERSONAL_TOKENS["max_active"]` unexpired, unrevoked tokens per account."""
    if user.kind == User.Kind.INTEGRATOR:
        raise PermissionDenied(
            _("Khoá API của tài khoản hệ thống tích hợp do quản trị viên tạo."),
            code="integrator_tokens_by_admin",
        )
    policy = settings.MOTCUA_PERSONAL_TOKENS
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time
        active = (
            ApiToken.objects.filter(user=user, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .count()
        )
        if active >= policy["max_active"]:
            raise Conflict(
                _(
                    "Tài khoản đã có %(count)s khoá API còn hiệu lực: "
                    "hãy thu hồi khoá không dùng trước khi tạo khoá mới."
                ),
                code="too_many_tokens",
                count=policy["max_active"],
            )
        return api_token_create(
            user=user,
            name=name,
            now=now,
            actor=user,
            expires_at=now + dt.timedelta(days=policy["days"]),
        )


def personal_token_revoke(*, user: User, token_id: int, now: dt.datetime) -> ApiToken:
    """The holder revokes one of their tokens; another account's token is NotFound (as one
    that does not exist)."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("Không tìm thấy khoá API."), code="not_found")
    return api_token_revoke(token=token, actor=user, now=now)


def consent_give(
    *, person: User, purpose: str, text_version: str, now: dt.datetime, channel: str = "web"
) -> ConsentRecord:
    """Record that `person` agreed to `purpose` after reading the wording `text_version`.
    Only an explicit act of the person calls this (a ticked box they ticked themselves,
    a button they pressed): never a default. Giving again is a new row, not an update."""
    if not person.is_authenticated or person.pk is None:
        raise PermissionDenied(_("Cần đăng nhập."), code="login_required")
    if not text_version:
        raise ValueError("consent needs the version of the text the person saw")
    return ConsentRecord.objects.create(
        person=person,
        purpose=ConsentPurpose(purpose),
        decision=ConsentDecision.GIVEN,
        text_version=text_version,
        channel=channel,
        at=now,
    )


def consent_withdraw(
    *, person: User, purpose: str, now: dt.datetime, channel: str = "web"
) -> ConsentRecord:
    """The person withdraws their consent for `purpose` (as easily as they gave it). What was
    processed before stays lawful; later processing needing this purpose must ask again."""
    with transaction.atomic():
        latest = (
            ConsentRecord.objects.filter(person=person, purpose=ConsentPurpose(purpose))
            .order_by("-at", "-pk")
            .first()
        )
        if latest is None or latest.decision != ConsentDecision.GIVEN:
            raise Conflict(_("Bạn chưa đồng ý mục đích này."), code="consent_not_given")
        return ConsentRecord.objects.create(
            person=person,
            purpose=latest.purpose,
            decision=ConsentDecision.WITHDRAWN,
            text_version=latest.text_version,
            channel=channel,
            at=now,
        )
