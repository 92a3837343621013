"""The demo provider's work: its people (seeded by `load_demo`), authorization codes and
access tokens (single use, short-lived, in the Django cache: shared by every worker when
Redis is configured; `make run` is one process), ID tokens signed with its RS256 key."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from joserfc import jwt

from motcua.core.identifiers import personal_id_parse

from .keys import signing_key
from .models import DemoPerson

CODE_SECONDS = 60
TOKEN_SECONDS = 300
_CODE = "idp_demo:code:"
_TOKEN = "idp_demo:token:"  # noqa: S105 (a cache key prefix)


class TokenRequestError(Exception):
    """An OAuth 2 error of the token endpoint (RFC 6749 5.2): `error` is its code."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


@dataclass(frozen=True)
class Grant:
    """What an authorization code stands for."""

    person_id: int
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    scope: str
    auth_time: int


def issuer() -> str:
    return str(settings.MOTCUA_DEMO_IDP_ISSUER)


@transaction.atomic
def demo_people_load(*, people: list[dict[str, Any]]) -> int:
    """Create or update the demo people (by personal identification number); the sex is
    the one the number encodes. Returns how many were created."""
    created = 0
    for record in people:
        number = personal_id_parse(record["personal_id"]).number
        defaults = {
            "full_name": record["full_name"],
            "date_of_birth": record["date_of_birth"],
            "sex": personal_id_parse(number, date_of_birth=record["date_of_birth"]).sex,
            "permanent_address": record.get("permanent_address", ""),
            "phone": record.get("phone", ""),
            "email": record.get("email", ""),
        }
        _person, was_created = DemoPerson.objects.update_or_create(
            personal_id=number,
            defaults=defaults,
            create_defaults={**defaults, "subject": secrets.token_hex(16)},
        )
        created += was_created
    return created


def authorization_code_issue(*, grant: Grant) -> str:
    code = secrets.token_urlsafe(32)
    cache.set(_CODE + code, asdict(grant), CODE_SECONDS)
    return code


def _client_check(client_id: str, client_secret: str) -> None:
    expected = settings.MOTCUA_DEMO_IDP_CLIENTS.get(client_id)
    if expected is None or not secrets.compare_digest(
        expected.encode(), (client_secret or "").encode()
    ):
        raise TokenRequestError("invalid_client", 401)


def token_exchange(
    *,
    client_id: str,
    client_secret: str,
    grant_type: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The token response for an authorization code (RFC 6749 4.1.3, RFC 7636 4.6)."""
    _client_check(client_id, client_secret)
    if grant_type != "authorization_code":
        raise TokenRequestError("unsupported_grant_type")
    data = cache.get(_CODE + code) if code else None
    # Single use: the first exchange deletes it; a second one finds nothing.
    if data is None or not cache.delete(_CODE + code):
        raise TokenRequestError("invalid_grant")
    grant = Grant(**data)
    if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
        raise TokenRequestError("invalid_grant")
    if not code_verifier or not secrets.compare_digest(
        create_s256_code_challenge(code_verifier), grant.code_challenge
    ):
        raise TokenRequestError("invalid_grant")
    person = DemoPerson.objects.filter(pk=grant.person_id).first()
    if person is None:
        raise TokenRequestError("invalid_grant")
    access_token = secrets.token_urlsafe(32)
    cache.set(_TOKEN + access_token, person.pk, TOKEN_SECONDS)
    issued = int(now.timestamp())
    claims = {
        **person.claims(),
        "iss": issuer(),
        "aud": client_id,
        "iat": issued,
        "exp": issued + TOKEN_SECONDS,
        "auth_time": grant.auth_time,
        "nonce": grant.nonce,
    }
    key = signing_key()
    id_token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "scope": grant.scope,
        "id_token": id_token,
    }


def userinfo_for(*, access_token: str) -> dict[str, Any] | None:
    person_id = cache.get(_TOKEN + access_token) if access_token else None
    person = DemoPerson.objects.filter(pk=person_id).first() if person_id else None
    return person.claims() if person else None
