"""Sign-in failure limits and the failure log, shared by every way to sign in (the admin's
sign-in form through `backends.ThrottledModelBackend`, `POST /api/v1/auth/token`).

Failures are counted, successes are not:

- per account (`MOTCUA_RATE_LIMITS["login_account"]`, default 10 per 15 minutes): once
  reached, that account cannot sign in — not even with the right password, from any address —
  until the window ends. Guessing stops; the owner waits at most one window;
- per client address (`MOTCUA_RATE_LIMITS["login"]`, default 10 per minute): one address
  cannot try many accounts.

Every failure is logged (logger `motcua.accounts.signin`, warning) with the account name
hashed, the address and the reason — never the password.
"""

from __future__ import annotations

import hashlib
import logging

from motcua.core.ratelimit import rate_limit_exceeded, rate_limit_record, rate_limit_retry_after

logger = logging.getLogger("motcua.accounts.signin")

ACCOUNT_SCOPE = "login_account"
ADDRESS_SCOPE = "login"


def _account_key(identifier: str) -> str:
    return identifier.strip().casefold()


def account_label(identifier: str) -> str:
    """How an account name appears in logs: a short hash, never the name itself."""
    return hashlib.sha256(_account_key(identifier).encode()).hexdigest()[:12]


def sign_in_limited(*, identifier: str, address: str) -> int | None:
    """Seconds to wait when sign-ins for this account or from this address are limited now,
    else None."""
    if identifier and rate_limit_exceeded(name=ACCOUNT_SCOPE, key=_account_key(identifier)):
        return rate_limit_retry_after(name=ACCOUNT_SCOPE)
    if rate_limit_exceeded(name=ADDRESS_SCOPE, key=address):
        return rate_limit_retry_after(name=ADDRESS_SCOPE)
    return None


def sign_in_failure_record(*, identifier: str, address: str, reason: str, channel: str) -> None:
    """Count a failed sign-in for the account and the address, and log it."""
    if identifier:
        rate_limit_record(name=ACCOUNT_SCOPE, key=_account_key(identifier))
    rate_limit_record(name=ADDRESS_SCOPE, key=address)
    sign_in_refusal_log(identifier=identifier, address=address, reason=reason, channel=channel)


def sign_in_refusal_log(*, identifier: str, address: str, reason: str, channel: str) -> None:
    """Log a refused sign-in (failure or limited) without counting it."""
    logger.warning(
        "sign-in refused: account=%s address=%s reason=%s channel=%s",
        account_label(identifier) if identifier else "-",
        address,
        reason,
        channel,
    )
