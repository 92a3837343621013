"""Public verification pages (no sign-in): `/verify/` (type a code), `/verify/<code>/` (what
the code certifies, and a form to check a PDF against it), `/verify/<code>/qr.svg` (the QR
code of the page's address, for printed documents and pages).

The rules are `motcua.documents` (`issued`, `verification`); these views parse, call and
render. Rate-limited per client address with the API's `verify` scope. The upload form is
CSRF-protected; the size is checked from Content-Length before the body is read (the CSRF
check, which reads the body, runs after it), then the file is streamed and hashed, never kept.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_safe

from motcua.core import clock
from motcua.core.errors import ValidationError
from motcua.core.ratelimit import client_ip, rate_limit_hit
from motcua.documents.issued import (
    issued_document_get,
    qr_svg,
    verify_code_display,
    verify_code_normalise,
    verify_path,
    verify_url,
)
from motcua.documents.models import IssuedDocumentKind
from motcua.documents.verification import VERIFY_MAX_BYTES, document_verify
from motcua.dossiers.receipt_selectors import receipt_public_get

#: Room for the multipart envelope around the file.
ENVELOPE_BYTES = 64 * 1024

MESSAGES = {
    "code_invalid": _("Mã kiểm tra gồm 8 ký tự chữ và số, ví dụ ABCD-EFGH."),
    "code_required": _("Nhập mã kiểm tra in trên giấy tờ."),
    "file_required": _("Chọn tệp PDF cần đối chiếu."),
    "file_too_large": _("Tệp quá lớn: tối đa %(limit)s byte."),
    "rate_limited": _("Quá nhiều lần kiểm tra. Vui lòng thử lại sau ít phút."),
}


def _unused(request: HttpRequest) -> HttpResponse:  # the CSRF check needs a "view"
    return HttpResponse()


def _limited(request: HttpRequest) -> HttpResponse | None:
    if not rate_limit_hit(name="verify", key=client_ip(request)):
        return None
    response = render(
        request,
        "portal/verify_limited.html",
        {"message": MESSAGES["rate_limited"], "nav": "verify"},
        status=429,
    )
    response["Retry-After"] = "60"
    return response


@require_safe
def verify_start(request: HttpRequest) -> HttpResponse:
    """The form to type a code (GET with `?code=`: to its page, read leniently)."""
    raw = request.GET.get("code")
    errors: list[str] = []
    if raw is not None:
        code = verify_code_normalise(raw)
        if code is not None:
            return HttpResponseRedirect(verify_path(code))
        errors.append(str(MESSAGES["code_required" if not raw.strip() else "code_invalid"]))
    status = 400 if errors else 200
    return render(
        request,
        "portal/verify_start.html",
        {"errors": errors, "value": raw or "", "nav": "verify"},
        status=status,
    )


@csrf_exempt  # checked below, once the size is known to be acceptable
@ensure_csrf_cookie
@require_http_methods(["GET", "HEAD", "POST"])
def verify_document(request: HttpRequest, code: str) -> HttpResponse:
    canonical = verify_code_normalise(code)
    if canonical is not None and canonical != code and request.method != "POST":
        return HttpResponseRedirect(verify_path(canonical))
    limited = _limited(request)
    if limited is not None:
        return limited
    document = issued_document_get(code=code)
    if document is None:
        return render(
            request, "portal/verify_unknown.html", {"code": code, "nav": "verify"}, status=404
        )
    errors: list[str] = []
    result = None
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > VERIFY_MAX_BYTES + ENVELOPE_BYTES:
            errors.append(str(MESSAGES["file_too_large"]) % {"limit": VERIFY_MAX_BYTES})
        else:
            refused = CsrfViewMiddleware(_unused).process_view(request, _unused, (), {})
            if refused is not None:
                return refused
            upload = request.FILES.get("file")
            if upload is None:
                errors.append(str(MESSAGES["file_required"]))
            else:
                try:
                    result = document_verify(document=document, upload=upload, now=clock.now())
                except ValidationError as exc:
                    errors.append(exc.render())
    receipt = None
    if document.kind == IssuedDocumentKind.RECEIPT:
        receipt = receipt_public_get(
            verify_code=document.code, payer_masked=document.subject_masked
        )
    context = {
        "document": document,
        "receipt": receipt,
        "display_code": verify_code_display(document.code),
        "url": verify_url(document.code),
        "result": result,
        "errors": errors,
        "max_mb": VERIFY_MAX_BYTES // (1024 * 1024),
        "nav": "verify",
    }
    status = 400 if errors else 200
    return render(request, "portal/verify_document.html", context, status=status)


@require_safe
def verify_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of the verification page's address (SVG, cached a day)."""
    canonical = verify_code_normalise(code)
    if canonical is None or issued_document_get(code=canonical) is None:
        return HttpResponse(status=404)
    response = HttpResponse(qr_svg(verify_url(canonical)), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
