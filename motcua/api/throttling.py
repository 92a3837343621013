"""Rate limits of the API, over `motcua.core.ratelimit` (counted in the shared cache; limits
read from settings on every request):

- `lookup_throttle`: public look-ups per client address (`MOTCUA_RATE_LIMITS["lookup"]`);
- `verify_throttle`: public verification of issued documents per address (`["verify"]`, shared
  with the portal's `/verify/` pages);
- `payment_callback_throttle`: payment gateways' callbacks per address (`["payment_callback"]`);
- `auth_token_throttle`: `POST /auth/token` attempts per client address (`["auth_token"]`);
- `submission_quota_check` / `submission_quota_count`: dossiers submitted per account in a
  rolling window (`MOTCUA_SUBMISSION_QUOTAS`, integrators apart).

The client address is `client_ip`: REMOTE_ADDR, or the X-Forwarded-For entry set by a proxy
listed in `MOTCUA_TRUSTED_PROXIES` — never a header anyone could forge.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from motcua.accounts.models import User
from motcua.core.ratelimit import client_ip, rate_limit_hit, sliding_add, sliding_count

from .errors import MESSAGES, ApiError


class CacheRateThrottle(BaseThrottle):
    def __init__(self, scope: str) -> None:
        self.scope = scope

    def allow_request(self, request: HttpRequest) -> bool:
        return not rate_limit_hit(name=self.scope, key=client_ip(request))

    def wait(self) -> float | None:
        """Seconds until the current window ends (computed: the instance is shared)."""
        _, window = settings.MOTCUA_RATE_LIMITS[self.scope]
        return window - (time.time() % window)


lookup_throttle = CacheRateThrottle("lookup")
auth_token_throttle = CacheRateThrottle("auth_token")
verify_throttle = CacheRateThrottle("verify")
payment_callback_throttle = CacheRateThrottle("payment_callback")


def _quota(actor: User) -> tuple[int, int]:
    quotas = settings.MOTCUA_SUBMISSION_QUOTAS
    return quotas["integrator"] if actor.kind == User.Kind.INTEGRATOR else quotas["default"]


def submission_quota_check(*, actor: User) -> None:
    """Raise 429 `submission_quota_exceeded` when the account has submitted its quota of
    dossiers in the rolling window."""
    limit, window = _quota(actor)
    if sliding_count(name="submissions", key=str(actor.pk), window=window) >= limit:
        message = MESSAGES["submission_quota_exceeded"] % {
            "limit": limit,
            "minutes": window // 60,
        }
        raise ApiError(
            status=429,
            code="submission_quota_exceeded",
            message=message,
            headers={"Retry-After": str(max(1, window // 10))},
        )


def submission_quota_count(*, actor: User) -> None:
    """Count one submitted dossier against the account's quota."""
    _, window = _quota(actor)
    sliding_add(name="submissions", key=str(actor.pk), window=window)
