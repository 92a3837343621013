"""A stored file (a dossier's paper, a signed result, a certified copy) sent to the one person
allowed to read it: never cached, never sniffed as another type, a download unless `inline`
(then shown by the browser's own PDF viewer, framed by this site only)."""

from __future__ import annotations

from csp.constants import SELF
from django.http import FileResponse

from motcua.documents.models import StoredFile
from motcua.documents.selectors import stored_file_open


def stored_file_response(
    stored: StoredFile,
    *,
    inline: bool = False,
    filename: str | None = None,
    content_type: str | None = None,
) -> FileResponse:
    response = FileResponse(
        stored_file_open(stored=stored),
        as_attachment=not inline,
        filename=filename or stored.name,
        content_type=content_type or stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        # django-csp's `csp_replace` does the same on the response.
        response._csp_replace = {"frame-ancestors": [SELF]}  # type: ignore[attr-defined]
    return response
