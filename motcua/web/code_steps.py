"""The two steps every texted-code page shares (sign-in by code, sign-up by phone, a
forgotten password): a phone number, to which a code is sent; then the code, checked.
Each page passes its own service and decides what follows; the form handling, the
"too many tries" answer (429 with Retry-After) and the field errors are here once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.accounts.sms_codes import SignInCodeLimited, sign_in_phone_clean
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, ValidationError
from motcua.core.ratelimit import client_ip

from .forms import CodeForm

T = TypeVar("T")


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Ví dụ 0912345678."),
        error_messages={"required": _("Nhập số điện thoại di động.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


@dataclass(frozen=True)
class Step(Generic[T]):
    """What a step's request came to: `done` with the service's answer (`value`, which may
    be None: a code for a number without an account), or the form again with its `status`
    (200 the first time, 400 with errors), or `refusal`, the page for too many tries."""

    form: forms.Form
    status: int = 200
    done: bool = False
    value: T | None = None
    refusal: HttpResponse | None = None


def limited_response(request: HttpRequest, exc: SignInCodeLimited) -> HttpResponse:
    response = render(
        request, "web/signin/signup_limited.html", {"message": exc.render()}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def phone_step(request: HttpRequest, *, send: Callable[..., Any]) -> Step[str]:
    """A phone number typed, cleaned and a code sent to it by `send(phone=, address=,
    now=)`; `value` is the cleaned number."""
    form = PhoneForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return Step(form)
    if not form.is_valid():
        return Step(form, status=400)
    try:
        phone = sign_in_phone_clean(form.cleaned_data["phone"])
        send(phone=phone, address=client_ip(request), now=clock_now())
    except SignInCodeLimited as exc:
        return Step(form, status=429, refusal=limited_response(request, exc))
    except ValidationError as exc:
        form.add_error("phone", exc.render())
        return Step(form, status=400)
    return Step(form, done=True, value=phone)


def code_step(
    request: HttpRequest,
    *,
    phone: str,
    verify: Callable[..., T],
    now: dt.datetime | None = None,
    errors: tuple[type[DomainError], ...] = (ValidationError,),
) -> Step[T]:
    """The code typed for `phone`, checked by `verify(phone=, code=, address=, now=)`; its
    refusals among `errors` go on the code field."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return Step(form)
    if not form.is_valid():
        return Step(form, status=400)
    try:
        value = verify(
            phone=phone,
            code=form.cleaned_data["code"],
            address=client_ip(request),
            now=now or clock_now(),
        )
    except SignInCodeLimited as exc:
        return Step(form, status=429, refusal=limited_response(request, exc))
    except errors as exc:
        form.add_error("code", exc.render())
        return Step(form, status=400)
    return Step(form, done=True, value=value)
