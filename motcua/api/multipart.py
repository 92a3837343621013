"""Lifecycle actions sent as `multipart/form-data` (an action that takes files).

Convention: the action's plain fields are form fields of the same names (`expected_version`,
`reason`; `form_data` as JSON text); each file is a part named `files[<component code>]`,
repeated for the scanned pages of one component (JPEG/PNG, made one PDF in the order sent).
`GuardedJsonParser` hands a multipart body to `multipart_body`, so the action's schema checks
the fields as it checks JSON; the view reads the files with `multipart_files`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError

MULTIPART = "multipart/form-data"
FILES_FIELD = re.compile(r"^files\[([A-Za-z0-9._-]{1,40})\]$")
#: Form fields whose value is JSON text.
JSON_FIELDS = frozenset({"form_data", "items"})


def is_multipart(request: HttpRequest) -> bool:
    return request.content_type == MULTIPART


def multipart_body(request: HttpRequest) -> dict[str, Any]:
    """The form fields of a multipart request as the JSON body of an action would be: one
    value per field (a repeated field stays a list, which the schema refuses), JSON text
    decoded for `form_data` (left as text when it is not JSON: the schema says why)."""
    body: dict[str, Any] = {}
    for key, values in request.POST.lists():
        value: Any = values[0] if len(values) == 1 else values
        if key in JSON_FIELDS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        body[key] = value
    return body


def multipart_files(request: HttpRequest) -> dict[str, list[Any]]:
    """The uploaded files by component code (`files[<code>]`), in the order sent. A file part
    under any other name is refused (`invalid`, `extra_forbidden`)."""
    files: dict[str, list[Any]] = {}
    unknown: list[str] = []
    for key, uploads in request.FILES.lists():
        match = FILES_FIELD.match(key)
        if match is None:
            unknown.append(key)
            continue
        files[match.group(1)] = list(uploads)
    if unknown:
        message = _("Tệp phải được gửi dưới tên files[<mã thành phần>].")
        raise ValidationError(
            message,
            code="invalid",
            errors=[
                {"field": key, "code": "extra_forbidden", "message": str(message)}
                for key in unknown
            ],
        )
    return files


def files_fingerprint(files: dict[str, list[Any]]) -> dict[str, list[str]]:
    """The files' SHA-256 by component, for the idempotency fingerprint (a retry with other
    bytes is another request). Each upload is read once and rewound."""
    out: dict[str, list[str]] = {}
    for code, uploads in sorted(files.items()):
        digests = []
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            digests.append(digest.hexdigest())
        out[code] = digests
    return out
