"""Counter reception pages (`/workspace/counter/`): any service point receives any procedure
of the province (without administrative boundaries).

Why two pages and not a wizard of one question per page: an officer receives dozens of
dossiers a day with the applicant standing at the desk. Page 1 asks the two things that
select everything else (who, and which procedure) in one form: type the number, Tab, type
part of the procedure's name, Enter; the results list is next in the tab order. Page 2 is
one compact form in sections (applicant, procedure and competent unit, e-form, checklist,
outcome), autofocused on its first field, whose first button (receive) is what Enter
submits; guidance (form 02) and refusal (form 03) are the next buttons. Every choice is a
native control (radios, checkboxes, file inputs): no mouse and no script needed. After the
outcome, page 3 shows the code and the appointment with the form links, focused on the
first link (Enter opens form 01).

Views parse, call one selector or service, render; the rules are in
`dossiers.services.counter` and `dossiers.counter_selectors`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from motcua.accounts.models import User
from motcua.catalog.models import AcceptedForm, ProcedureVersion
from motcua.catalog.selectors import procedure_list, version_in_force
from motcua.core.clock import local, vn_date_as_typed
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from motcua.dossiers.counter_selectors import (
    CounterApplicant,
    CounterPost,
    counter_applicant_find,
    counter_checklist,
    counter_competent_unit,
    counter_posts,
)
from motcua.dossiers.forms import RETURN_RECEIPT, TITLES, forms_issued
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_actor
from motcua.dossiers.services import (
    ComponentProvision,
    dossier_guide_at_counter_with_files,
    dossier_receive_at_counter_with_files,
    dossier_refuse_at_counter,
)
from motcua.organisation.models import Unit
from motcua.web.access import staff_required

#: Procedures listed for a search on page 1.
PROCEDURES_SHOWN = 15
OUTCOMES = ("receive", "guide", "refuse")


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"message": _("Chỉ công chức một cửa tiếp nhận hồ sơ tại quầy.")},
        status=403,
    )


def _post_of(posts: list[CounterPost], key: str) -> CounterPost:
    return next((p for p in posts if p.key == key), posts[0])


# --- page 1: the applicant and the procedure ----------------------------------------------


@staff_required
@require_safe
def counter_start(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    posts = counter_posts(actor=actor)
    if not posts:
        return _forbidden(request)
    now = clock_now()
    number = request.GET.get("number", "").strip()
    q = request.GET.get("q", "").strip()
    errors: dict[str, str] = {}
    applicant: CounterApplicant | None = None
    if number:
        try:
            applicant = counter_applicant_find(actor=actor, number=number, now=now)
        except ValidationError as error:
            errors["number"] = error.render()
    procedures = list(procedure_list(q=q)[:PROCEDURES_SHOWN]) if q else []
    return render(
        request,
        "workspace/counter/start.html",
        {
            "nav": "counter",
            "number": number,
            "q": q,
            "errors": errors,
            "applicant": applicant,
            "procedures": procedures,
            "searched": bool(q),
            "post": _post_of(posts, request.GET.get("post", "")),
            "number_for_link": applicant.number if applicant else "",
        },
    )


# --- page 2: the dossier ------------------------------------------------------------------


def _eform_fields(
    version: ProcedureVersion, *, values: QueryDict | None, applicant: dict[str, str]
) -> list[dict[str, Any]]:
    fields = []
    for spec in (version.eform or {}).get("fields", []):
        name = str(spec.get("name", ""))
        kind = str(spec.get("type") or "text")
        prefill = str(spec.get("prefill") or "").removeprefix("profile.")
        value = (
            values.get(f"form__{name}", "")
            if values is not None
            else applicant.get(prefill, "")
            if prefill
            else ""
        )
        if kind == "date":
            value = vn_date_as_typed(value)
        choices = [
            c if isinstance(c, dict) else {"value": c, "label": c} for c in spec.get("choices", [])
        ]
        fields.append(
            {
                "name": name,
                "id": f"form-{name}",
                "label": spec.get("label") or name,
                "kind": kind,
                "required": bool(spec.get("required")),
                "help": spec.get("help", ""),
                "value": value,
                "choices": choices,
                "parts": {
                    part: (values.get(f"form__{name}__{part}", "") if values is not None else "")
                    for part in ("province", "ward", "street")
                },
            }
        )
    return fields


def _form_data(version: ProcedureVersion, data: QueryDict) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for spec in (version.eform or {}).get("fields", []):
        name = str(spec.get("name", ""))
        kind = str(spec.get("type") or "text")
        if kind == "address":
            parts = {
                p: data.get(f"form__{name}__{p}", "").strip()
                for p in ("province", "ward", "street")
            }
            if any(parts.values()):
                result[name] = parts
        elif kind == "checkbox":
            result[name] = bool(data.get(f"form__{name}"))
        else:
            raw = data.get(f"form__{name}", "").strip()
            if raw:
                result[name] = raw
    return result


def _provisions(request: HttpRequest, version: ProcedureVersion) -> list[ComponentProvision]:
    provisions = []
    for component in version.components.all():
        code = component.code
        how = request.POST.get(f"how-{code}", "")
        reuse = how.removeprefix("reuse:") if how.startswith("reuse:") else ""
        provisions.append(
            ComponentProvision(
                code=code,
                checked=bool(request.POST.get(f"checked-{code}")),
                paper_form="" if how == "national" or reuse else how,
                files=request.FILES.getlist(f"files-{code}"),
                reuse_item=int(reuse) if reuse.isdigit() else None,
                national_data=how == AcceptedForm.NATIONAL_DATA,
            )
        )
    return provisions


def _reuse_id(how: str) -> int | None:
    raw = how.removeprefix("reuse:") if how.startswith("reuse:") else ""
    return int(raw) if raw.isdigit() else None


def _errors_of(error: DomainError) -> list[dict[str, str]]:
    items = []
    if isinstance(error, ValidationError) and error.errors:
        for item in error.errors:
            name = str(item.get("field") or "")
            items.append({"field": name, "message": str(item.get("message") or error.render())})
    return items or [{"field": "", "message": error.render()}]


def _anchor(name: str) -> str:
    """The id of the control an error is about."""
    if name.startswith("component-"):
        return name
    if name in {"applicant_name", "applicant_id_number", "applicant_phone", "applicant_email"}:
        return name.replace("_", "-")
    if name in {"reason", "handling_unit"}:
        return name.replace("_", "-")
    if name:
        return f"form-{name}"
    return ""


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def counter_dossier(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    posts = counter_posts(actor=actor)
    if not posts:
        return _forbidden(request)
    now = clock_now()
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("procedure", "").strip()
    version = version_in_force(code=code, on=local(now).date()) if code else None
    if version is None:
        return render(
            request,
            "workspace/not_found.html",
            {"message": _("Không có thủ tục %(code)s đang áp dụng.") % {"code": code}},
            status=404,
        )
    version = (
        ProcedureVersion.objects.select_related("procedure", "procedure__competent_unit")
        .prefetch_related("components")
        .get(pk=version.pk)
    )
    post = _post_of(posts, source.get("post", ""))
    applicant: CounterApplicant | None = None
    number = source.get("number", "").strip()
    if number:
        try:
            applicant = counter_applicant_find(actor=actor, number=number, now=now)
        except (ValidationError, PermissionDenied):
            applicant = None
    errors: list[dict[str, str]] = []
    outcome = ""
    if request.method == "POST":
        outcome = request.POST.get("outcome", "receive")
        if outcome not in OUTCOMES:
            outcome = "receive"
        try:
            dossier = _take(request, version=version, post=post, applicant=applicant, now=now)
        except PermissionDenied as error:
            return render(request, "web/forbidden.html", {"message": error.render()}, status=403)
        except DomainError as error:
            errors = [
                {"anchor": _anchor(e["field"]), "message": e["message"]} for e in _errors_of(error)
            ]
        else:
            return redirect(reverse("workspace:counter_done", args=[dossier.code]))
    handling, candidates = counter_competent_unit(version=version, receiving_unit=post.unit)
    values = request.POST if request.method == "POST" else None
    details = {
        "full_name": applicant.full_name if applicant else "",
        "personal_id": applicant.personal_id if applicant else "",
        "date_of_birth": applicant.date_of_birth.isoformat()
        if applicant and applicant.date_of_birth
        else "",
        "phone": applicant.phone if applicant else "",
        "email": applicant.email if applicant else "",
        "address": applicant.address if applicant else "",
    }
    typed = {
        "applicant_name": values.get("applicant_name", "") if values else details["full_name"],
        "applicant_id_number": values.get("applicant_id_number", "")
        if values
        else details["personal_id"],
        "applicant_phone": values.get("applicant_phone", "") if values else details["phone"],
        "applicant_email": values.get("applicant_email", "") if values else details["email"],
        "applicant_address": values.get("applicant_address", "") if values else details["address"],
        "note": values.get("note", "") if values else "",
        "reason": values.get("reason", "") if values else "",
        "other_component": values.get("other_component", "") if values else "",
        "other_reason": values.get("other_reason", "") if values else "",
        "handling_unit": values.get("handling_unit", "") if values else "",
    }
    checklist = []
    for row in counter_checklist(version=version, items=applicant.items if applicant else []):
        c = row.component.code
        checklist.append(
            {
                "row": row,
                "how": values.get(f"how-{c}", "") if values else "",
                "how_reuse": _reuse_id(values.get(f"how-{c}", "") if values else ""),
                "checked": bool(values.get(f"checked-{c}")) if values else False,
                "guide_reason": values.get(f"guide-{c}", "") if values else "",
                "had_files": bool(request.FILES.getlist(f"files-{c}")) if values else False,
                "error": next(
                    (e["message"] for e in errors if e["anchor"] == f"component-{c}"), ""
                ),
            }
        )
    status = 400 if errors else 200
    return render(
        request,
        "workspace/counter/dossier.html",
        {
            "nav": "counter",
            "version": version,
            "procedure": version.procedure,
            "post": post,
            "posts": posts,
            "applicant": applicant,
            "number": number,
            "handling": handling,
            "candidates": candidates,
            "routed": handling is not None and handling.pk != post.unit.pk,
            "eform": _eform_fields(version, values=values, applicant=details),
            "typed": typed,
            "checklist": checklist,
            "errors": errors,
            "outcome": outcome,
            "form_labels": dict(AcceptedForm.choices),
        },
        status=status,
    )


def _take(
    request: HttpRequest,
    *,
    version: ProcedureVersion,
    post: CounterPost,
    applicant: CounterApplicant | None,
    now: dt.datetime,
) -> Dossier:
    """The outcome the officer chose, through its service."""
    actor: User = request.user  # type: ignore[assignment]
    data = request.POST
    # The competent unit is the services' to resolve; the officer chooses only where the
    # procedure names unit kinds the receiving unit is not (a select of those units).
    handling_unit: Unit | None = None
    resolved, candidates = counter_competent_unit(version=version, receiving_unit=post.unit)
    raw_unit = data.get("handling_unit", "")
    if resolved is None and raw_unit.isdigit():
        handling_unit = next((u for u in candidates if u.pk == int(raw_unit)), None)
    details: dict[str, Any] = {
        "receiving_unit": post.unit,
        "service_point": post.service_point,
        "handling_unit": handling_unit,
        "applicant": applicant.account if applicant else None,
        "applicant_id_number": data.get("applicant_id_number", "").strip() or None,
        "applicant_phone": data.get("applicant_phone", "").strip() or None,
        "applicant_email": data.get("applicant_email", "").strip() or None,
        "applicant_address": data.get("applicant_address", "").strip() or None,
    }
    common: dict[str, Any] = {
        "actor": actor,
        "procedure_version": version,
        "applicant_name": data.get("applicant_name", ""),
        "form_data": _form_data(version, data),
        "now": now,
    }
    outcome = data.get("outcome", "receive")
    if outcome == "refuse":
        return dossier_refuse_at_counter(reason=data.get("reason", ""), **common, **details)
    provisions = _provisions(request, version)
    if outcome == "guide":
        reasons = {c.code: data.get(f"guide-{c.code}", "") for c in version.components.all()}
        other = [
            {"component": data.get("other_component", ""), "reason": data.get("other_reason", "")}
        ]
        return dossier_guide_at_counter_with_files(
            provisions=provisions,
            reasons=reasons,
            other_items=other,
            note=data.get("note", ""),
            **common,
            **details,
        )
    return dossier_receive_at_counter_with_files(
        provisions=provisions, note=data.get("note", ""), **common, **details
    )


# --- page 3: done -------------------------------------------------------------------------


@staff_required
@require_safe
def counter_done(request: HttpRequest, code: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    try:
        dossier = dossier_get_for_actor(actor=actor, code=code, now=now, purpose="counter_receipt")
    except NotFound as error:
        return render(request, "workspace/not_found.html", {"message": error.render()}, status=404)
    return render(
        request,
        "workspace/counter/done.html",
        {
            "nav": "counter",
            "dossier": dossier,
            "forms": form_links(dossier),
            "routed": dossier.handling_unit_id != dossier.receiving_unit_id,
        },
    )


def form_links(dossier: Dossier, **known: Any) -> list[dict[str, Any]]:
    """The links to the forms the dossier has (form 01 and the receipt of return in A4 and
    A5; the receipt of return after the result was handed over at the counter); `known`: what
    the page has read already (`forms_issued`'s `events`, `has_steps`)."""
    links: list[dict[str, Any]] = []
    for number in forms_issued(dossier=dossier, **known):
        url = reverse("workspace:form", args=[dossier.code, number])
        link = {
            "number": number,
            "numbered": number != RETURN_RECEIPT,
            "title": TITLES[number],
            "url": url,
            "size": "A4",
        }
        links.append(link)
        if number in {"01", RETURN_RECEIPT}:
            links.append({**link, "url": f"{url}?size=a5", "size": "A5"})
    return links
