"""Who may open staff pages, and where people land after signing in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.second_factor import (
    is_staff_account,
    second_factor_enrolled,
    second_factor_required,
)

from .htmx import htmx_message, is_htmx

WORKSPACE_URL = "/workspace/"
#: Where citizens and businesses land: the citizen portal's own pages come later (issue 9):
#: the home page meanwhile.
PORTAL_URL = "/"


def landing_url(user: User) -> str:
    return WORKSPACE_URL if is_staff_account(user) else PORTAL_URL


def second_factor_pending(request: HttpRequest) -> bool:
    """Signed in with the password, still owing the second factor this session."""
    user = request.user
    return bool(
        user.is_authenticated and second_factor_required(user) and not user.is_verified()  # type: ignore[attr-defined]  # django-otp's middleware
    )


def second_factor_url(user: User, next_url: str = "") -> str:
    name = "web:2fa_verify" if second_factor_enrolled(user) else "web:2fa_enrol"
    url = reverse(name)
    return f"{url}?next={quote(next_url)}" if next_url else url


def forbidden(request: HttpRequest, message: object = "") -> HttpResponse:
    """The refusal: the "no access" page (403), or under htmx the message in the page."""
    if is_htmx(request):
        return htmx_message(
            request,
            message or _("Trang này dành cho cán bộ, công chức."),
            title=_("Không có quyền truy cập"),
        )
    return render(request, "web/forbidden.html", {"message": message}, status=403)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else to the sign-in page), a staff account (else 403) that passed the
    second factor when it is required (else to the enrolment or verification page). Under
    htmx the redirects become HX-Redirect (`motcua.web.htmx`) and the 403 a message."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('web:login')}?next={quote(request.get_full_path())}")
        if not is_staff_account(user):
            return forbidden(request)
        if second_factor_pending(request):
            return redirect(second_factor_url(user, request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


def admin_site_guard(site: Any) -> None:
    """The Django admin asks for the staff second factor too (when it is required): its own
    sign-in form still checks the password, then the admin stays closed and its sign-in page
    sends the person to the enrolment or verification page."""
    has_permission = site.has_permission
    login = site.login

    def guarded_has_permission(request: HttpRequest) -> bool:
        return bool(has_permission(request)) and not second_factor_pending(request)

    def guarded_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if second_factor_pending(request):
            user: User = request.user  # type: ignore[assignment]
            return redirect(second_factor_url(user, request.GET.get("next", "/admin/")))
        return login(request, extra_context)

    site.has_permission = guarded_has_permission
    site.login = guarded_login
