"""Helpers of the apply-online pages: the error of one field."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def field_error(errors: dict[str, Any], name: str) -> str:
    """The message of field `name` in `errors` (field -> message), or ""."""
    return str(errors.get(name, "")) if errors else ""
