"""Numbers as the portal writes them (Vietnamese conventions whatever the language: the
amounts and times are those of the published procedure)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from motcua.catalog.models import AcceptedForm
from motcua.web.templatetags.web import vnd

register = template.Library()


@register.filter
def decimal_vi(value: Decimal | int | None) -> str:
    """15 -> "15", 0.50 -> "0,5", 2.25 -> "2,25" (no trailing zeros, a decimal comma)."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    text = format(number, "f")
    return text.replace(".", ",")


register.filter("vnd", vnd)  # shared with the workspace (motcua.web)


@register.filter
def accepted_form_labels(forms: list[str] | None) -> list[str]:
    """The accepted forms of a component in words, as the catalog lists them (a certified
    copy only where the procedure requires one: the catalog refuses it elsewhere); the
    national data option is said apart."""
    labels = []
    for value in forms or []:
        if value == AcceptedForm.NATIONAL_DATA or value not in AcceptedForm.values:
            continue
        labels.append(str(AcceptedForm(value).label))
    return labels
