"""htmx requests (`HX-Request`) and the answers they need.

A redirect is followed by the browser's own XMLHttpRequest before htmx sees it, so a
redirect to the sign-in page would put the whole sign-in page into the row or the part of
the page being swapped. Under htmx the sign-in (and second factor) redirects therefore
become `HX-Redirect` (401): htmx sends the whole window to the sign-in page, which brings
the person back to the page they were on (`HX-Current-URL`, same origin only). A refusal
under htmx is a message put into the page's `#htmx-message` region (shared layout), with
200, since htmx swaps only 2xx answers. Without JavaScript nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

#: The id of the shared layout's region for messages answered to htmx requests.
MESSAGE_REGION = "#htmx-message"


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def htmx_current_page(request: HttpRequest) -> str:
    """The page the person is on: `HX-Current-URL` when it is of this site (its path and
    query), else the request's own path."""
    current = request.headers.get("HX-Current-URL", "")
    if current:
        parts = urlsplit(current)
        if parts.scheme == request.scheme and parts.netloc == request.get_host():
            path = parts.path or "/"
            if path.startswith("/") and not path.startswith("//"):
                return f"{path}?{parts.query}" if parts.query else path
    return request.path


def htmx_redirect(url: str, *, status: int = 401) -> HttpResponse:
    """An answer that makes htmx load `url` in the whole window."""
    response = HttpResponse(status=status)
    response["HX-Redirect"] = url
    response["Cache-Control"] = "no-store"
    return response


def htmx_message(
    request: HttpRequest, text: object, *, kind: str = "error", title: object = ""
) -> HttpResponse:
    """A message in the page's `#htmx-message` region, whatever the element's own target."""
    response = render(
        request,
        "web/components/htmx_message.html",
        {"kind": kind, "text": text, "title": title},
    )
    response["HX-Retarget"] = MESSAGE_REGION
    response["HX-Reswap"] = "innerHTML"
    response["HX-Reselect"] = ".htmx-message__body"
    return response


def _sign_in_paths() -> set[str]:
    return {
        str(settings.LOGIN_URL),
        reverse("web:login"),
        reverse("web:2fa_enrol"),
        reverse("web:2fa_verify"),
    }


class HtmxSignInRedirectMiddleware:
    """Under htmx, a redirect to the sign-in page or to the second factor (from
    `staff_required`, `login_required`, an expired session) becomes `HX-Redirect` to that
    page with `next` = the page the person is on (the redirect's own `next` names the
    fragment or the action's URL, which is no page to come back to)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_htmx(request) or response.status_code not in {301, 302, 303, 307, 308}:
            return response
        location = urlsplit(response.get("Location", ""))
        if location.netloc or location.path not in _sign_in_paths():
            return response
        query = [(k, v) for k, v in parse_qsl(location.query) if k != "next"]
        query.append(("next", htmx_current_page(request)))
        url = f"{location.path}?{urlencode(query, quote_via=quote, safe='/')}"
        return htmx_redirect(url)
