"""The demo provider's endpoints (OpenID Connect Core 1.0, Discovery 1.0). Every view answers
404 unless `settings.MOTCUA_DEMO_IDP` is on."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.clock import now as wall_now

from . import services
from .keys import signing_key
from .models import DemoPerson

SCOPES = ["openid", "profile", "phone", "address", "email"]
AUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def _enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "MOTCUA_DEMO_IDP", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@_enabled
def discovery(request: HttpRequest) -> HttpResponse:
    base = services.issuer()
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize/",
            "token_endpoint": f"{base}/token/",
            "userinfo_endpoint": f"{base}/userinfo/",
            "jwks_uri": f"{base}/jwks/",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": SCOPES,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "personal_id",
                "name",
                "birthdate",
                "gender",
                "address",
                "phone_number",
                "email",
            ],
        }
    )


@_enabled
def jwks(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"keys": [signing_key().as_dict(private=False)]})


def _request_problem(params: dict[str, str]) -> str | None:
    """Why an authorization request cannot even be answered at its redirect URI."""
    if params["client_id"] not in settings.MOTCUA_DEMO_IDP_CLIENTS:
        return "client_id"
    parts = urlsplit(params["redirect_uri"])
    allowed = settings.ALLOWED_HOSTS
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "redirect_uri"
    if "*" not in allowed and parts.hostname not in allowed:
        return "redirect_uri"
    return None


def _redirect_problem(params: dict[str, str]) -> str | None:
    """An error to send back to the client (RFC 6749 4.1.2.1)."""
    if params["response_type"] != "code":
        return "unsupported_response_type"
    if "openid" not in params["scope"].split():
        return "invalid_scope"
    # This provider insists on PKCE with S256, and on a nonce.
    if params["code_challenge_method"] != "S256" or not params["code_challenge"]:
        return "invalid_request"
    if not params["nonce"]:
        return "invalid_request"
    return None


def _back(params: dict[str, str], **answer: str) -> HttpResponse:
    query = urlencode({**answer, "state": params["state"]} if params["state"] else answer)
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return HttpResponseRedirect(f"{params['redirect_uri']}{separator}{query}")


@_enabled
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """GET: the sandbox's sign-in page (pick a demo citizen, consent). POST (CSRF-protected):
    the choice; back to the client with a code, or with `access_denied`."""
    source = request.POST if request.method == "POST" else request.GET
    params = {name: source.get(name, "") for name in AUTH_PARAMS}
    problem = _request_problem(params)
    if problem is not None:
        return render(request, "idp_demo/error.html", {"problem": problem}, status=400)
    error = _redirect_problem(params)
    if error is not None:
        return _back(params, error=error)
    if request.method == "GET":
        context = {"params": params, "people": DemoPerson.objects.all()}
        return _no_store(render(request, "idp_demo/authorize.html", context))
    if request.POST.get("decision") != "allow":
        return _back(params, error="access_denied")
    person = DemoPerson.objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        context = {
            "params": params,
            "people": DemoPerson.objects.all(),
            "message": _("Hãy chọn một công dân."),
        }
        return _no_store(render(request, "idp_demo/authorize.html", context, status=400))
    code = services.authorization_code_issue(
        grant=services.Grant(
            person_id=person.pk,
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params["nonce"],
            scope=params["scope"],
            auth_time=int(wall_now().timestamp()),
        )
    )
    return _back(params, code=code)


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _sep, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@_enabled
@csrf_exempt  # a back-channel call authenticated by the client's secret, not a browser form
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    client_id, client_secret = _client_credentials(request)
    try:
        answer = services.token_exchange(
            client_id=client_id,
            client_secret=client_secret,
            grant_type=request.POST.get("grant_type", ""),
            code=request.POST.get("code", ""),
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
            now=wall_now(),
        )
    except services.TokenRequestError as exc:
        response = JsonResponse({"error": exc.error}, status=exc.status)
        if exc.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="demo-idp"'
        return _no_store(response)
    return _no_store(JsonResponse(answer))


@_enabled
@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    header = request.headers.get("Authorization", "")
    access_token = header[7:] if header.startswith("Bearer ") else ""
    claims = services.userinfo_for(access_token=access_token)
    if claims is None:
        response = JsonResponse({"error": "invalid_token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return _no_store(JsonResponse(claims))
