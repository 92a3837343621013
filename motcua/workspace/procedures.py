"""Procedure administration in the workspace (for the role `procedure_admin`): the list of
procedures, a procedure's versions, and a version's internal process edited as an ordered
list of steps with the check against the legal time (`catalog.timefit`) re-computed on every
POST from what was typed. Writes go through the catalog services: `version_steps_save`
(the whole list), `procedure_version_create_draft`, `procedure_version_publish`.

Add, remove, move up and move down change the list on the page only (nothing is lost,
nothing is written) until "Lưu quy trình" saves it. With htmx, a change to any field posts
the form to `check/`, which answers the summary only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion, ProcessStep, TimeUnit
from motcua.catalog.problems import CatalogInvalid
from motcua.catalog.process import (
    StepInput,
    catalog_admin_check,
    parse_hours,
    procedures_for_admin,
    steps_time_fit,
    version_for_admin,
    version_steps_save,
)
from motcua.catalog.services import procedure_version_create_draft, procedure_version_publish
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, PermissionDenied, ValidationError
from motcua.organisation.models import Role
from motcua.web.access import staff_required

PAGE_SIZE = 25
MAX_STEPS = 40
_DRAFT = ProcedureVersion.Status.DRAFT


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return render(request, "web/forbidden.html", {"message": error.render()}, status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/not_found.html",
        {"message": _("Không có thủ tục hoặc phiên bản này.")},
        status=404,
    )


def _plain(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


@staff_required
@require_safe
def procedure_list(request: HttpRequest) -> HttpResponse:
    try:
        catalog_admin_check(actor=_actor(request))
    except PermissionDenied as error:
        return _forbidden(request, error)
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(procedures_for_admin(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "workspace/procedures/list.html", {"nav": "procedures", "page": page, "q": q}
    )


# --- one version ------------------------------------------------------------------------------


def _posted_steps(data: QueryDict) -> list[StepInput]:
    count = data.get("steps-count", "")
    total = min(int(count), MAX_STEPS) if count.isdigit() else 0
    return [
        StepInput(
            name=data.get(f"steps-{i}-name", ""),
            role=data.get(f"steps-{i}-role", ""),
            unit_scope=data.get(f"steps-{i}-unit_scope", ""),
            unit_code=data.get(f"steps-{i}-unit_code", ""),
            allotment_hours=data.get(f"steps-{i}-allotment_hours", ""),
        )
        for i in range(total)
    ]


def _stored_steps(version: ProcedureVersion) -> list[StepInput]:
    return [
        StepInput(
            name=s.name,
            role=s.role,
            unit_scope=s.unit_scope,
            unit_code=s.unit.code if s.unit is not None else "",
            allotment_hours=_plain(s.allotment_hours),
        )
        for s in version.steps.all()
    ]


def _apply(op: str, steps: list[StepInput]) -> list[StepInput]:
    """Add, remove:<i>, up:<i>, down:<i> on the typed list (no write)."""
    name, _sep, raw = op.partition(":")
    if name == "add" and len(steps) < MAX_STEPS:
        return [*steps, StepInput(role=Role.SPECIALIST)]
    if not raw.isdigit() or int(raw) >= len(steps):
        return steps
    i = int(raw)
    moved = list(steps)
    if name == "remove":
        del moved[i]
    elif name == "up" and i > 0:
        moved[i - 1], moved[i] = moved[i], moved[i - 1]
    elif name == "down" and i < len(steps) - 1:
        moved[i + 1], moved[i] = moved[i], moved[i + 1]
    return moved


def _fit_context(version: ProcedureVersion, steps: list[StepInput]) -> dict[str, Any]:
    """The check of the typed allotments (a number that cannot be read counts as 0)."""
    typed = [(s.name or "—", parse_hours(s.allotment_hours) or Decimal(0)) for s in steps]
    fit = steps_time_fit(version=version, steps=[(n, max(h, Decimal(0))) for n, h in typed])
    channels = {"counter": _("nộp trực tiếp"), "online": _("nộp trực tuyến")}
    unit = TimeUnit(version.time_unit).label if version.time_unit in TimeUnit.values else ""
    return {
        "fits": fit.fits,
        "total": _plain(fit.total_hours),
        "limit": _plain(fit.limit_hours),
        "spare": _plain(abs(fit.spare_hours)),
        "limits": [
            {
                "channel": channels[c.channel],
                "legal": _plain(c.legal_time) if version.time_unit != TimeUnit.IMMEDIATE else "",
                "unit": unit,
                "hours": _plain(c.limit_hours),
                "tightest": c is fit.limit,
            }
            for c in fit.limits
        ],
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "hours": _plain(s.hours),
                "end": _plain(s.ends_at),
                "fits": s.fits,
            }
            for s in fit.steps
        ],
    }


def _errors(error: DomainError) -> dict[str, str]:
    if not isinstance(error, ValidationError):
        return {}
    return {
        str(e["field"]): str(e.get("message") or error.render())
        for e in error.errors
        if str(e.get("field", "")).startswith("steps-")
    }


def _rows(steps: list[StepInput], errors: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "step": s,
            "errors": {
                name: errors[f"steps-{i}-{name}"]
                for name in ("name", "role", "unit_scope", "unit_code", "allotment_hours")
                if f"steps-{i}-{name}" in errors
            },
        }
        for i, s in enumerate(steps)
    ]


def _version_page(
    request: HttpRequest,
    version: ProcedureVersion,
    *,
    steps: list[StepInput] | None = None,
    error: DomainError | None = None,
    problems: list[dict[str, Any]] | None = None,
    unsaved: bool = False,
    status: int = 200,
) -> HttpResponse:
    if steps is None:
        steps = _stored_steps(version)
    errors = _errors(error) if error is not None else {}
    summary = [{"href": f"#id_{k}", "text": v} for k, v in errors.items()]
    if error is not None and not summary:
        summary = [{"href": "", "text": error.render()}]
    versions = list(version.procedure.versions.order_by("-number"))
    return render(
        request,
        "workspace/procedures/version.html",
        {
            "nav": "procedures",
            "version": version,
            "procedure": version.procedure,
            "versions": versions,
            "has_draft": any(v.status == _DRAFT for v in versions),
            "is_draft": version.status == _DRAFT,
            "rows": _rows(steps, errors),
            "count": len(steps),
            "roles": Role.choices,
            "scopes": ProcessStep.UnitScope.choices,
            "fit": _fit_context(version, steps),
            "error_title": error.render() if error is not None else "",
            "error_summary": summary,
            "problems": problems or [],
            "unsaved": unsaved,
        },
        status=status,
    )


def _version(request: HttpRequest, code: str, number: int) -> ProcedureVersion | HttpResponse:
    try:
        catalog_admin_check(actor=_actor(request))
    except PermissionDenied as error:
        return _forbidden(request, error)
    version = version_for_admin(code=code, number=number)
    return version if version is not None else _not_found(request)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def version_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """GET: the version and its steps. POST (a draft only): `op` = save | check | add |
    remove:<i> | up:<i> | down:<i>."""
    found = _version(request, code, number)
    if isinstance(found, HttpResponse):
        return found
    version = found
    if request.method != "POST":
        return _version_page(request, version)
    if version.status != _DRAFT:
        return _version_page(
            request,
            version,
            error=DomainError(
                _("Phiên bản đã công bố chỉ để xem; hãy tạo dự thảo mới để sửa."),
                code="version_published",
            ),
            status=409,
        )
    steps = _posted_steps(request.POST)
    op = request.POST.get("op", "save")
    if op != "save":
        return _version_page(request, version, steps=_apply(op, steps), unsaved=True)
    try:
        version_steps_save(version=version, steps=steps, actor=_actor(request), now=clock_now())
    except PermissionDenied as error:
        return _forbidden(request, error)
    except DomainError as error:
        status = 400 if error.status < 500 else error.status
        return _version_page(
            request, version, steps=steps, error=error, unsaved=True, status=status
        )
    messages.success(request, _("Đã lưu quy trình nội bộ."))
    return redirect("workspace:procedure_version", code=code, number=number)


@staff_required
@require_POST
def version_check(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The summary of the typed steps against the legal time (htmx; no write)."""
    found = _version(request, code, number)
    if isinstance(found, HttpResponse):
        return found
    return render(
        request,
        "workspace/procedures/time_fit.html",
        {"fit": _fit_context(found, _posted_steps(request.POST))},
    )


@staff_required
@require_POST
def version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    found = _version(request, code, number)
    if isinstance(found, HttpResponse):
        return found
    try:
        procedure_version_publish(version=found, actor=_actor(request), now=clock_now())
    except CatalogInvalid as error:
        problems = [
            {"field": p["field"], "message": p["message"], "code": p["code"]}
            for p in error.problems
        ]
        return _version_page(request, found, error=error, problems=problems, status=400)
    except DomainError as error:
        return _version_page(request, found, error=error, status=409)
    messages.success(
        request,
        _("Đã công bố phiên bản %(number)s của thủ tục %(code)s.")
        % {"number": number, "code": code},
    )
    return redirect("workspace:procedure_version", code=code, number=number)


@staff_required
@require_POST
def version_new_draft(request: HttpRequest, code: str, number: int) -> HttpResponse:
    found = _version(request, code, number)
    if isinstance(found, HttpResponse):
        return found
    try:
        draft = procedure_version_create_draft(
            procedure=found.procedure, source=found, actor=_actor(request), now=clock_now()
        )
    except DomainError as error:
        return _version_page(request, found, error=error, status=409)
    messages.success(request, _("Đã tạo dự thảo phiên bản %(number)s.") % {"number": draft.number})
    return redirect("workspace:procedure_version", code=code, number=draft.number)
