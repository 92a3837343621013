"""Template helpers of the shared layout: the status tag and query strings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.http import QueryDict

from motcua.core.clock import format_vn_date, format_vn_moment
from motcua.dossiers.models import DossierStatus
from motcua.payments.words import vnd_figures_local, vnd_in_words, vnd_text_local

register = template.Library()


@register.inclusion_tag("web/components/status_tag.html")
def status_tag(status: int) -> dict[str, Any]:
    """The coloured tag of one of the ten dossier statuses (domain.md section 3)."""
    label: object
    try:
        label = DossierStatus(int(status)).label
    except ValueError:
        label = str(status)
    return {"status": int(status), "label": label}


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with `changes` applied (a value of None drops the key)."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()


@register.filter
def when(value: dt.datetime | None) -> str:
    """A moment as every page writes it: dd/mm/yyyy HH:MM in Vietnam's time (one order
    throughout, as the signing stamp prints it); "" when there is none."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return format_vn_moment(value)
    if isinstance(value, dt.date):
        return format_vn_date(value)
    return str(value)


@register.filter
def vnd(value: int | None) -> str:
    """15000 -> "15.000" (dots between thousands, as Vietnamese writes amounts); on an
    English page "15,000"."""
    if value is None:
        return ""
    return vnd_figures_local(value)


@register.filter
def money(value: int | None) -> str:
    """1250000 -> "1.250.000 đ", on an English page "1,250,000 VND" (a no-break space: the
    sign never wraps onto its own line)."""
    if value is None:
        return ""
    return vnd_text_local(value, short=True)


@register.filter
def money_words(value: int | None) -> str:
    """1250000 -> "Một triệu hai trăm năm mươi nghìn đồng" (as the receipt prints it)."""
    if value is None:
        return ""
    return vnd_in_words(value)
