"""`/accounts/<provider>/login/` and `/accounts/<provider>/callback/`: the browser's part of a
sign-in through an identity provider. The provider checks its answer; the service maps it to
an account; the session is rotated at sign-in (`django.contrib.auth.login`)."""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from motcua.accounts.identity.base import IdentityError
from motcua.accounts.identity.registry import identity_provider_get
from motcua.accounts.identity.services import user_sign_in_with_identity
from motcua.accounts.signin import ADDRESS_SCOPE, sign_in_limited
from motcua.core.clock import now as wall_now
from motcua.core.ratelimit import client_ip, rate_limit_record

logger = logging.getLogger("motcua.accounts.identity")

NEXT_KEY = "identity_next"
BACKEND = "motcua.accounts.backends.ThrottledModelBackend"
STATUS = {"unavailable": 502, "unknown_provider": 404, "limited": 429}
#: Refusals that count as failed sign-ins of the client address (the password sign-in's
#: per-address limit, `MOTCUA_RATE_LIMITS["login"]`): forged or replayed answers.
COUNTED = {"state", "token", "personal_id"}


def _safe_next(request: HttpRequest, value: str) -> str:
    """`next` when it stays on this site (a path, or this host), else the home page."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def _refusal(request: HttpRequest, provider: str, error: IdentityError) -> HttpResponse:
    # Never personal data here: the provider's name, the reason's code, a technical detail.
    logger.warning(
        "identity sign-in refused: provider=%s reason=%s detail=%s address=%s",
        provider,
        error.code,
        error.detail or "-",
        client_ip(request),
    )
    if error.code in COUNTED:
        rate_limit_record(name=ADDRESS_SCOPE, key=client_ip(request))
    context = {"code": error.code, "message": error.message(), "provider": provider}
    return render(request, "web/identity/error.html", context, status=STATUS.get(error.code, 400))


@never_cache
@require_safe
def identity_login(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        chosen = identity_provider_get(provider)
        request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
        redirect_uri = request.build_absolute_uri(
            reverse("identity:callback", kwargs={"provider": provider})
        )
        return chosen.begin(request, redirect_uri=redirect_uri)
    except IdentityError as exc:
        return _refusal(request, provider, exc)


@never_cache
@require_safe
def identity_callback(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        if sign_in_limited(identifier="", address=client_ip(request)) is not None:
            raise IdentityError("limited")
        chosen = identity_provider_get(provider)
        identity = chosen.complete(request)
        signed_in = request.user if request.user.is_authenticated else None
        user = user_sign_in_with_identity(
            identity=identity,
            now=wall_now(),
            signed_in=signed_in,
        )
    except IdentityError as exc:
        return _refusal(request, provider, exc)
    target = _safe_next(request, request.session.pop(NEXT_KEY, ""))
    login(request, user, backend=BACKEND)
    return HttpResponseRedirect(target)
