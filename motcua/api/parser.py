"""The API's JSON body parser: refuses, with a precise code and the field's path, what
PostgreSQL cannot store or what no form needs, before any schema or service sees it.

- `invalid_characters` (400): a NUL character or a lone surrogate (`"\\ud800"`) in any string
  or key, or a body that is not UTF-8;
- `non_finite_number` (400): `NaN`, `Infinity`, `-Infinity`, or a number too large for a
  double (`1e999`);
- `string_too_long` (422): a string or key longer than `MOTCUA_API_INPUT_LIMITS["string_length"]`
  characters — free-form objects (`form_data`, `representative`) included;
- `document_too_deep` / `document_too_large` (422): more nesting than `["depth"]` or more
  values than `["items"]` in the whole document.

The body's size is checked before it is read (`motcua.core.middleware`, 413).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.parser import Parser

from .multipart import is_multipart, multipart_body

_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class InputRefused(Exception):
    """A body refused by the parser; rendered by `errors.install_error_handlers`."""

    def __init__(self, *, status: int, code: str, field: str, **params: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.field = field
        self.params = params


class _NonFinite:
    """Stands for a non-finite number until the walk knows where it was."""


_NON_FINITE = _NonFinite()


def _parse_float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else _NON_FINITE


def _parse_constant(text: str) -> Any:  # NaN, Infinity, -Infinity
    return _NON_FINITE


def _path(parts: list[str | int]) -> str:
    return ".".join(str(part) for part in parts)


def _check_string(value: str, parts: list[str | int], max_length: int) -> None:
    if _BAD_CHARACTERS.search(value):
        raise InputRefused(status=400, code="invalid_characters", field=_path(parts))
    if len(value) > max_length:
        raise InputRefused(status=422, code="string_too_long", field=_path(parts), limit=max_length)


def document_check(document: Any) -> None:
    """Raise InputRefused for the first thing of `document` outside the limits."""
    limits = settings.MOTCUA_API_INPUT_LIMITS
    max_length, max_depth, max_items = limits["string_length"], limits["depth"], limits["items"]
    items = 0
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        value, parts = stack.pop()
        items += 1
        if items > max_items:
            raise InputRefused(
                status=422, code="document_too_large", field=_path(parts), limit=max_items
            )
        if isinstance(value, str):
            _check_string(value, parts, max_length)
        elif value is _NON_FINITE:
            raise InputRefused(status=400, code="non_finite_number", field=_path(parts))
        elif isinstance(value, dict | list):
            if len(parts) >= max_depth:
                raise InputRefused(
                    status=422, code="document_too_deep", field=_path(parts), limit=max_depth
                )
            if isinstance(value, dict):
                children = list(value.items())
                for key, _ in children:
                    _check_string(key, [*parts, key], max_length)
            else:
                children = list(enumerate(value))
            # Reversed so that the first problem in document order is the one reported.
            stack.extend((child, [*parts, key]) for key, child in reversed(children))


class GuardedJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        if is_multipart(request):  # an action that takes files (`api/multipart.py`)
            document = multipart_body(request)
            document_check(document)
            return document
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputRefused(status=400, code="invalid_characters", field="") from exc
        try:
            document = json.loads(text, parse_float=_parse_float, parse_constant=_parse_constant)
        except RecursionError as exc:
            raise InputRefused(
                status=422,
                code="document_too_deep",
                field="",
                limit=settings.MOTCUA_API_INPUT_LIMITS["depth"],
            ) from exc
        document_check(document)
        return document
