"""An OpenID Connect provider through Authlib's Django client (ADR "OpenID Connect with
Authlib"): discovery (`<issuer>/.well-known/openid-configuration`), the authorization code
flow with PKCE (S256), `state` and `nonce` kept in the session, the code exchanged with the
client's secret, the ID token's signature checked against the provider's JWKS (fetched again
when a key id is unknown: key rotation) and its issuer, audience, expiry and nonce checked;
then the userinfo endpoint (same subject). No JWT code of our own.

The claims are mapped by `claims` (settings: MOTCUA_OIDC_CLAIMS) onto a `VerifiedIdentity`;
the personal identification number is checked (digits, province of birth, century and sex,
year of birth against the date of birth) before anything is believed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from motcua.core.identifiers import InvalidIdentifier, Sex, personal_id_parse

from ...base import IdentityError, IdentityProvider, VerifiedIdentity

logger = logging.getLogger("motcua.accounts.identity")

SEXES: dict[str, Sex] = {
    "male": "male",
    "female": "female",
    "nam": "male",
    "nu": "female",
    "nữ": "female",
    "m": "male",
    "f": "female",
}


def _claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name; `a.b` reads `b` inside the object claim `a`."""
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _date(value: Any) -> dt.date | None:
    """`birthdate` is YYYY-MM-DD (OIDC core 5.1); DD/MM/YYYY is read too."""
    text = _text(value)
    try:
        return dt.date.fromisoformat(text) if "-" in text else _dmy(text)
    except ValueError:
        return None


def _dmy(text: str) -> dt.date:
    day, month, year = (int(part) for part in text.split("/"))
    return dt.date(year, month, day)


class OidcProvider(IdentityProvider):
    def __init__(
        self,
        *,
        name: str,
        issuer: str,
        client_id: str,
        client_secret: str,
        scopes: str = "openid",
        claims: dict[str, str] | None = None,
        source: str = "",
        userinfo: bool = True,
        timeout: float = 10.0,
        **options: Any,
    ) -> None:
        super().__init__(name=name, **options)
        self.issuer = issuer.rstrip("/")
        self.source = source or name
        self.claims = claims or {}
        self.use_userinfo = userinfo
        oauth = OAuth()
        self.app: DjangoOAuth2App = oauth.register(
            name=f"motcua_{name}",
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": scopes,
                "code_challenge_method": "S256",
                "default_timeout": timeout,
            },
        )

    def begin(self, request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
        try:
            response: HttpResponse = self.app.authorize_redirect(request, redirect_uri)
        except (requests.RequestException, ValueError) as exc:
            raise IdentityError("unavailable", type(exc).__name__) from exc
        return response

    def complete(self, request: HttpRequest) -> VerifiedIdentity:
        try:
            token = self.app.authorize_access_token(
                request,
                claims_options={
                    "iss": {"essential": True, "value": self.issuer},
                    "sub": {"essential": True},
                },
            )
        except MismatchingStateError as exc:
            raise IdentityError("state") from exc
        except OAuthError as exc:
            code = "denied" if exc.error == "access_denied" else "token"
            raise IdentityError(code, str(exc.error)) from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "-"
            raise IdentityError("token", f"HTTP {status}") from exc
        except requests.RequestException as exc:
            raise IdentityError("unavailable", type(exc).__name__) from exc
        except JoseError as exc:
            raise IdentityError("token", f"{type(exc).__name__}: {exc.error}") from exc
        except ValueError as exc:  # a malformed answer: not JSON, not a JWK set
            raise IdentityError("token", type(exc).__name__) from exc
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        if not claims:
            # No ID token at all (an OAuth 2 answer without `openid`): nothing is verified.
            raise IdentityError("token", "no id_token")
        if self.use_userinfo and self.app.load_server_metadata().get("userinfo_endpoint"):
            try:
                extra = dict(self.app.userinfo(token=token))
            except requests.RequestException as exc:
                raise IdentityError("unavailable", f"userinfo {type(exc).__name__}") from exc
            except ValueError as exc:
                raise IdentityError("token", f"userinfo {type(exc).__name__}") from exc
            if extra.get("sub") != claims.get("sub"):
                raise IdentityError("token", "userinfo subject differs")
            claims.update(extra)
        return self._identity(claims)

    def _identity(self, claims: dict[str, Any]) -> VerifiedIdentity:
        mapping = self.claims

        def get(field: str) -> Any:
            return _claim(claims, mapping[field]) if mapping.get(field) else None

        born = _date(get("date_of_birth"))
        sex = SEXES.get(_text(get("sex")).casefold())
        raw_id = get("personal_id")
        try:
            # The number must agree with what the same record says of the person.
            parsed = personal_id_parse(
                raw_id if isinstance(raw_id, str) else "", date_of_birth=born, sex=sex
            )
        except InvalidIdentifier as exc:
            raise IdentityError("personal_id", exc.code) from exc
        return VerifiedIdentity(
            source=self.source,
            issuer=self.issuer,
            subject=str(claims["sub"]),
            personal_id=parsed.number,
            full_name=_text(get("full_name"))[:200],
            date_of_birth=born,
            sex=parsed.sex,
            address=_text(get("address"))[:300],
            phone=_text(get("phone"))[:15],
            email=_text(get("email"))[:254],
        )
