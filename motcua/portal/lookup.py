"""`/lookup/`: follow a dossier without an account (docs/portal.md). The receipt's QR code
opens `/lookup/?code=<dossier code>` (`dossiers.forms.render.lookup_url`) with the code
filled in; the person adds the last four digits of the phone number or identification number
given when filing and sends the form (POST, so the digits stay out of addresses, histories
and server logs). The rules are `motcua.dossiers.lookup`; wrong code and wrong digits give
one identical answer. Rate-limited per client address (`MOTCUA_RATE_LIMITS
["dossier_lookup"]`): well-formed attempts count, a page over the limit says when to retry.
"""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.core.ratelimit import client_ip, rate_limit_hit, rate_limit_retry_after
from motcua.dossiers.lookup import (
    dossier_public_lookup,
    lookup_code_normalise,
    lookup_last4_normalise,
)

SCOPE = "dossier_lookup"
MESSAGES = {
    "code_required": _("Nhập mã hồ sơ in trên giấy tiếp nhận và hẹn trả kết quả."),
    "code_invalid": _(
        "Mã hồ sơ gồm chữ in hoa, chữ số và dấu gạch ngang, ví dụ H26.57-260302-0001."
    ),
    "last4_required": _("Nhập 4 số cuối của số điện thoại hoặc số định danh cá nhân."),
    "last4_invalid": _("Nhập đúng 4 chữ số, ví dụ 5678."),
    "not_found": _(
        "Không tìm thấy hồ sơ với mã hồ sơ và 4 chữ số này. Kiểm tra lại mã hồ sơ in trên giấy "
        "tiếp nhận và 4 số cuối của số điện thoại hoặc số định danh cá nhân đã khai khi nộp."
    ),
}


def retry_minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    raw_code = (source.get("code") or "").strip()[:80]
    context: dict[str, object] = {"nav": "lookup", "code": raw_code, "errors": []}
    if request.method != "POST":
        return render(request, "portal/lookup/start.html", context)
    raw_last4 = (source.get("last4") or "").strip()[:20]
    context["last4"] = raw_last4  # shown back only to the person who typed it
    code = lookup_code_normalise(raw_code)
    last4 = lookup_last4_normalise(raw_last4)
    errors: list[tuple[str, str]] = []
    if code is None:
        errors.append(("code", str(MESSAGES["code_required" if not raw_code else "code_invalid"])))
    if last4 is None:
        key = "last4_required" if not raw_last4 else "last4_invalid"
        errors.append(("last4", str(MESSAGES[key])))
    if errors or code is None or last4 is None:
        context["errors"] = errors
        context["error_for"] = dict(errors)
        return render(request, "portal/lookup/start.html", context, status=400)
    if rate_limit_hit(name=SCOPE, key=client_ip(request)):
        wait = rate_limit_retry_after(name=SCOPE)
        response = render(
            request,
            "portal/lookup/limited.html",
            {"nav": "lookup", "minutes": retry_minutes(wait)},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    found = dossier_public_lookup(code=code, last4=last4)
    if found is None:
        context["not_found"] = str(MESSAGES["not_found"])
        return render(request, "portal/lookup/start.html", context, status=404)
    return render(request, "portal/lookup/result.html", {"nav": "lookup", "dossier": found})
