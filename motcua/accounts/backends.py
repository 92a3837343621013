"""The authentication backend: Django's model backend with sign-in failure limits and the
failure log (`motcua.accounts.signin`), for every caller of `django.contrib.auth.authenticate`
(the admin's sign-in form, the API's token endpoint).

The user name may also be a phone number or an e-mail address: when no account has that user
name and exactly one active account has that phone number (written in any of its forms:
0912345678, +84912345678) or that e-mail address (in any letter case), that account is meant.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from motcua.core.identifiers import InvalidIdentifier, phone_clean
from motcua.core.ratelimit import client_ip

from .models import User
from .signin import sign_in_failure_record, sign_in_limited, sign_in_refusal_log

PHONE = re.compile(r"^\+?[0-9]{9,15}$")


def _resolve(identifier: str) -> str:
    """The user name meant by `identifier` (a user name, a phone number or an e-mail)."""
    if PHONE.match(identifier.replace(" ", "")):
        try:  # 0912345678, +84912345678 and 84 912 345 678 are one number
            phone = phone_clean(identifier)
        except InvalidIdentifier:
            phone = identifier
        others = User.objects.filter(phone__in={identifier, phone}, is_active=True)
    elif "@" in identifier:
        others = User.objects.filter(email__iexact=identifier, is_active=True)
    else:
        return identifier
    if User.objects.filter(username=identifier).exists():
        return identifier
    matches = list(others.values_list("username", flat=True)[:2])
    return matches[0] if len(matches) == 1 else identifier


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        identifier = str(username)
        address = client_ip(request) if request is not None else "-"
        channel = "api" if request is not None and request.path.startswith("/api/") else "web"
        if sign_in_limited(identifier=identifier, address=address) is not None:
            sign_in_refusal_log(
                identifier=identifier, address=address, reason="limited", channel=channel
            )
            return None
        user = super().authenticate(request, username=_resolve(identifier), password=password)
        if user is None:
            sign_in_failure_record(
                identifier=identifier, address=address, reason="bad_credentials", channel=channel
            )
        return user
