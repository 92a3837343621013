"""OpenID Connect sign-in (VNeID or any conforming provider), with Authlib."""

from .provider import OidcProvider

__all__ = ["OidcProvider"]
