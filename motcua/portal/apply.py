"""Apply online (`/apply/`): the citizen's journey from a procedure to a submitted dossier,
one thing per page (GOV.UK), saved at every step (docs/apply-online.md).

- `/apply/`: the person's drafts ("Hồ sơ đang soạn"), to resume;
- `/apply/<procedure code>/`: what the procedure asks for and "Bắt đầu" (an open draft of the
  same procedure is resumed instead); a procedure not offered online gets a page saying so
  and where to file;
- `/apply/<draft>/<step>/`: who applies, where (when there is a choice), the e-form pages,
  one page per component, where the result goes, the fees, check your answers and submit;
- `/apply/<draft>/done/`: the receipt;
- `/apply/dossier/<code>/form-01.pdf`: the receipt form (form 01) once the dossier was
  accepted, for the applicant (the dossier read's access rule).

Every page needs a signed-in person; an expired session sends them to the sign-in page with
`next` back to the same step, where the draft waits. The rules are in
`motcua.dossiers.services.drafts`; views parse, call one service or selector, render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from vietnam_provinces import Province, Ward

from motcua.accounts.models import User
from motcua.catalog.eforms import Identity, field_type
from motcua.catalog.fees import fees_assess
from motcua.catalog.models import (
    Component,
    Fee,
    FeeApplicantKind,
    FeeExemptionCategory,
    ProcedureVersion,
)
from motcua.catalog.selectors import version_in_force
from motcua.core.clock import local, vn_date_as_typed
from motcua.core.clock import now as clock_now
from motcua.core.errors import DomainError, NotFound, ValidationError
from motcua.dossiers.forms import FormNotIssued, form_pdf_for_actor, forms_issued
from motcua.dossiers.models import ApplicationDraft, DossierStatus, DraftStatus, ResultDelivery
from motcua.dossiers.selectors import draft_get_for_actor, drafts_for_actor
from motcua.dossiers.services import (
    draft_attach_file,
    draft_reuse_item,
    draft_save_step,
    draft_start,
    draft_submit,
    draft_use_national_data,
    fee_claims_offered,
)
from motcua.dossiers.services.applicants import REPRESENTATIVE_KEYS
from motcua.dossiers.services.drafts import (
    declared_by_eform,
    delivery_choices,
    draft_problems,
    draft_resume_step,
    draft_steps,
    eform_pages,
    national_data_allowed,
    receiving_units_for,
    reusable_items,
    version_offered_online,
)
from motcua.payments.words import vnd_text_local

DRAFTS_PER_PAGE = 10
#: The province whose wards an empty address field lists first (the demo city, Hà Nội).
DEFAULT_PROVINCE = "01"


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, else to the sign-in page with `next` back here (a POST comes back to the
    same page as a GET: what the draft saved is still there)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else request.path
            return redirect(f"{reverse('web:login')}?next={quote(back)}")
        return view(request, *args, **kwargs)

    return wrapped


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "portal/apply/not_found.html", {"message": message}, status=404)


# --- /apply/: my drafts --------------------------------------------------------------------


@citizen_required
@require_safe
def apply_home(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    page = Paginator(drafts_for_actor(actor=actor), DRAFTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"draft": d, "step": draft_resume_step(d)} for d in page.object_list]
    return render(request, "portal/apply/home.html", {"page": page, "rows": rows})


# --- /apply/<code>/: start -------------------------------------------------------------------


def _version(code: str) -> ProcedureVersion | None:
    version = version_in_force(code=code, on=local(clock_now()).date())
    if version is None:
        return None
    return (
        ProcedureVersion.objects.select_related("procedure", "procedure__competent_unit")
        .prefetch_related("components", "fees")
        .get(pk=version.pk)
    )


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    version = _version(code)
    if version is None:
        return _not_found(request, _("Không có thủ tục %(code)s đang áp dụng.") % {"code": code})
    if not version_offered_online(version, now=now):
        return render(request, "portal/apply/not_online.html", {"version": version})
    open_draft = drafts_for_actor(actor=actor).filter(procedure_version=version).first()
    if request.method == "POST" or open_draft is not None:
        try:
            draft = draft_start(actor=actor, procedure_version=version, now=now)
        except DomainError as error:
            return render(
                request,
                "portal/apply/not_online.html",
                {"version": version, "message": error.render()},
                status=error.status,
            )
        return redirect(_step_url(draft, draft_resume_step(draft)))
    components = [
        {
            "component": c,
            "national": national_data_allowed(c),
            "declared": declared_by_eform(version=version, component=c),
        }
        for c in version.components.all()
    ]
    return render(
        request, "portal/apply/start.html", {"version": version, "components": components}
    )


def _step_url(draft: ApplicationDraft, step: str) -> str:
    if step == "done":
        return reverse("portal:apply_done", args=[draft.pk])
    return reverse("portal:apply_step", args=[draft.pk, step])


# --- /apply/<draft>/<step>/ ------------------------------------------------------------------


#: The labels of the "who" page's fields, for the error summary.
REPRESENTATIVE_LABELS = {
    "representative.principal_kind": gettext_lazy("Người ủy quyền là"),
    "representative.principal_name": gettext_lazy("Họ tên người ủy quyền hoặc tên tổ chức"),
    "representative.principal_id_number": gettext_lazy(
        "Số định danh cá nhân (12 chữ số) hoặc mã số thuế"
    ),
    "representative.principal_date_of_birth": gettext_lazy("Ngày sinh của người ủy quyền"),
    "representative.relationship": gettext_lazy(
        "Quan hệ với người ủy quyền (cha, mẹ, người giám hộ...)"
    ),
    "representative.authorisation_document": gettext_lazy("Văn bản ủy quyền (số, ngày)"),
}


def _labels(version: ProcedureVersion) -> dict[str, str]:
    """What the error summary names each field by: the e-form's labels, the principal's."""
    labels = {k: str(v) for k, v in REPRESENTATIVE_LABELS.items()}
    for spec in (version.eform or {}).get("fields", []):
        labels[str(spec.get("name"))] = str(spec.get("label") or spec.get("name"))
    return labels


def _errors(error: DomainError, *, labels: dict[str, str]) -> list[dict[str, str]]:
    """The error summary's entries: the field's label and the message, linked to the field;
    the field's own message stays under it."""
    if isinstance(error, ValidationError) and error.errors:
        out = []
        for e in error.errors:
            field = str(e.get("field") or "")
            message = str(e.get("message") or error.render())
            label = labels.get(field, "")
            out.append(
                {
                    "field": field,
                    "anchor": _anchor(field),
                    "message": message,
                    "summary": f"{label}: {message}" if label else message,
                    "step": str(e.get("step") or ""),
                }
            )
        return out
    message = error.render()
    return [{"field": "", "anchor": "", "message": message, "summary": message, "step": ""}]


def _anchor(field: str) -> str:
    if field.startswith("representative."):
        return "rep-" + field.removeprefix("representative.").replace("_", "-")
    if field.startswith("component-"):
        return "how"
    return {
        "for_someone_else": "who-self",
        "receiving_unit": "receiving-unit",
        "result_delivery": "delivery-counter",
        "delivery_address": "delivery-address",
        "declaration": "declaration",
        "file": "file",
        "item": "how",
    }.get(field, f"form-{field}" if field else "")


def _form_values(page: list[dict[str, Any]], data: QueryDict) -> dict[str, Any]:
    """One e-form page's answers from the POST, as the e-form check takes them."""
    out: dict[str, Any] = {}
    for spec in page:
        name = str(spec["name"])
        kind = field_type(spec)
        if kind == "address":
            parts = {
                p: data.get(f"{name}__{p}", "").strip() for p in ("province", "ward", "street")
            }
            if any(parts.values()):
                out[name] = parts
        elif kind == "checkbox":
            out[name] = bool(data.get(name))
        elif name in data:
            out[name] = data.get(name, "").strip()
    return out


def _post_data(request: HttpRequest, draft: ApplicationDraft, step: str) -> dict[str, Any]:
    data = request.POST
    if step == "who":
        who = data.get("who", "")
        return {
            "for_someone_else": {"self": False, "other": True}.get(who),
            "representative": {k: data.get(f"rep_{k}", "").strip() for k in REPRESENTATIVE_KEYS},
        }
    if step == "place":
        return {"receiving_unit": data.get("receiving_unit", "")}
    if step.startswith("form-"):
        pages = eform_pages(draft.procedure_version)
        index = int(step.removeprefix("form-"))
        return _form_values(pages[index - 1], data)
    if step == "delivery":
        return {
            "result_delivery": data.get("result_delivery", ""),
            "delivery_address": data.get("delivery_address", ""),
        }
    if step == "fees":
        return {"fee_claims": data.getlist("fee_claims")}
    return {}


def _component_post(
    request: HttpRequest, draft: ApplicationDraft, actor: User, code: str, now: dt.datetime
) -> None:
    how = request.POST.get("how", "")
    step = f"component-{code}"
    if request.FILES.get("file") is not None and not how.startswith("reuse:"):
        how = "upload"  # a file chosen is what the person wants, whatever radio was left on
    if how == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            message = _("Chọn tệp cần tải lên.")
            raise ValidationError(
                message,
                code="file_required",
                errors=[{"field": "file", "code": "file_required", "message": message}],
            )
        draft_attach_file(draft=draft, actor=actor, component_code=code, upload=upload, now=now)
    elif how.startswith("reuse:") and how.removeprefix("reuse:").isdigit():
        draft_reuse_item(
            draft=draft,
            actor=actor,
            component_code=code,
            item_id=int(how.removeprefix("reuse:")),
            now=now,
        )
    elif how == "national":
        draft_use_national_data(draft=draft, actor=actor, component_code=code, now=now)
    else:
        choice = "none" if how == "none" else "keep"
        draft_save_step(draft=draft, actor=actor, step=step, data={"choice": choice}, now=now)


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply_step(request: HttpRequest, draft: int, step: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    try:
        found = draft_get_for_actor(actor=actor, draft_id=draft, now=now)
    except NotFound as error:
        return _not_found(request, error.render())
    if found.status == DraftStatus.SUBMITTED:
        return redirect(_step_url(found, "done"))
    steps = draft_steps(found)
    keys = [s.key for s in steps]
    if step not in keys:
        return _not_found(request, _("Không có bước này trong hồ sơ đang soạn."))
    back_to_check = request.GET.get("return") == "check" or request.POST.get("return") == "check"
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            if step == "check":
                draft_submit(
                    draft=found,
                    actor=actor,
                    declaration=bool(request.POST.get("declaration")),
                    now=now,
                )
                return redirect(_step_url(found, "done"))
            if step.startswith("component-"):
                _component_post(request, found, actor, step.removeprefix("component-"), now)
            else:
                draft_save_step(
                    draft=found,
                    actor=actor,
                    step=step,
                    data=_post_data(request, found, step),
                    now=now,
                )
        except NotFound as error:
            return _not_found(request, error.render())
        except DomainError as error:
            errors = _errors(error, labels=_labels(found.procedure_version))
            if request.POST.get("action") == "refresh":
                errors = []  # the address's ward list was asked for: no errors shown yet
            found.refresh_from_db()
        else:
            if request.POST.get("action") == "refresh":
                return redirect(request.path)
            if found.status == DraftStatus.SUBMITTED:
                return redirect(_step_url(found, "done"))
            target = "check" if back_to_check else found.step or "check"
            return redirect(_step_url(found, target))
    index = keys.index(step)
    context: dict[str, Any] = {
        "draft": found,
        "version": found.procedure_version,
        "procedure": found.procedure_version.procedure,
        "step": step,
        "steps": steps,
        "number": index + 1,
        "total": len(steps),
        "title": steps[index].title,
        "back_url": (
            _step_url(found, "check")
            if back_to_check
            else _step_url(found, keys[index - 1])
            if index > 0
            else reverse("portal:apply_start", args=[found.procedure_version.procedure.code])
        ),
        "return_check": back_to_check,
        "errors": errors,
        "field_errors": {e["field"]: e["message"] for e in errors if e["field"]},
    }
    context.update(_step_context(request, found, step, actor=actor, now=now, errors=errors))
    template = step.split("-", 1)[0] if not step.startswith("component-") else "component"
    return render(request, f"portal/apply/{template}.html", context, status=400 if errors else 200)


# --- what each step shows --------------------------------------------------------------------


def _province_choices() -> list[tuple[str, str]]:
    return sorted(((f"{int(p.code):02d}", p.name) for p in Province.iter_all()), key=lambda c: c[1])


def _ward_choices(province: str) -> list[tuple[str, str]]:
    try:
        code = int(province)
    except ValueError:
        return []
    wards = ((f"{int(w.code):05d}", w.name) for w in Ward.iter_by_province(code))  # type: ignore[arg-type]
    return sorted(wards, key=lambda c: c[1])


def _field_display(spec: dict[str, Any], value: Any) -> str:
    kind = field_type(spec)
    if value in (None, "", {}):
        return ""
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "checkbox":
        return _("Có") if value else _("Không")
    if kind == "choice":
        for choice in spec.get("choices") or []:
            if isinstance(choice, dict) and str(choice.get("value")) == str(value):
                return str(choice.get("label") or value)
        return str(value)
    if kind == "address" and isinstance(value, dict):
        if value.get("text"):
            return str(value["text"])
        return ", ".join(
            str(value.get(k) or "") for k in ("street", "ward", "province") if value.get(k)
        )
    return str(value)


def _eform_fields(
    page: list[dict[str, Any]], *, form_data: dict[str, Any], identity: Identity
) -> list[dict[str, Any]]:
    fields = []
    provinces = _province_choices()
    for spec in page:
        name = str(spec["name"])
        kind = field_type(spec)
        source = str(spec.get("prefill") or "")
        locked = bool(source) and source in identity.locked
        value = form_data.get(name)
        if locked:
            held = identity.value(source)
            value = held.isoformat() if isinstance(held, dt.date) else held
        item: dict[str, Any] = {
            "name": name,
            "id": f"form-{name}",
            "label": spec.get("label") or name,
            "kind": kind,
            "required": bool(spec.get("required")),
            "help": spec.get("help", ""),
            "locked": locked,
            "value": "" if value is None or isinstance(value, dict) else value,
            "display": _field_display(spec, value),
            "display_input": vn_date_as_typed(value) if kind == "date" else "",
            "choices": [
                c if isinstance(c, dict) else {"value": c, "label": c}
                for c in spec.get("choices") or []
            ],
            "input_type": {"email": "email", "phone": "tel"}.get(kind, "text"),
            "numeric": kind in ("personal_id", "tax_code", "number"),
            "autocomplete": {
                "profile.full_name": "name",
                "profile.phone": "tel",
                "profile.email": "email",
                "profile.address": "street-address",
            }.get(source, "off"),
        }
        if kind == "address":
            parts = value if isinstance(value, dict) else {}
            province = str(parts.get("province") or DEFAULT_PROVINCE)
            item["parts"] = {
                "province": province,
                "ward": str(parts.get("ward") or ""),
                "street": str(parts.get("street") or ""),
            }
            item["provinces"] = provinces
            item["wards"] = _ward_choices(province)
        fields.append(item)
    return fields


def _fees(version: ProcedureVersion, draft: ApplicationDraft | None = None) -> dict[str, Any]:
    """The assessed lines (gross, exemption with its reason, net) of the fees collected at
    submission for this applicant, the fees asked for later, and the exemptions offered."""
    claims = list(draft.fee_claims or []) if draft is not None else []
    kind = (
        FeeApplicantKind.ORGANISATION
        if draft is not None and draft.owner.kind == User.Kind.ORGANISATION
        else FeeApplicantKind.CITIZEN
    )
    rows = []
    for line in fees_assess(
        fees=list(version.fees.all()),
        applicant_kind=kind,
        online=True,
        exemption_claims=claims,
    ):
        if line.timing == Fee.Timing.EXEMPT or (line.amount_known and not line.gross_vnd):
            amount = _("Miễn")
        elif not line.amount_known:
            amount = _("Theo mức Hội đồng nhân dân quy định: cán bộ thông báo khi tiếp nhận")
        else:
            amount = vnd_text_local(line.gross_vnd)
        rows.append(
            {
                "name": line.name,
                "amount": amount,
                "exempt": vnd_text_local(line.exempt_vnd) if line.exempt_vnd else "",
                "reason": line.exemption_reason,
                "net": vnd_text_local(line.net_vnd) if line.amount_known else "",
                "later": line.timing == Fee.Timing.AFTER,
            }
        )
    labels = dict(FeeExemptionCategory.choices)
    offered = [(c, labels[c], c in claims) for c in fee_claims_offered(version)]
    known = [line for line in rows if line["net"] and not line["later"]]
    return {"rows": rows, "offered": offered, "known": bool(known)}


def _component_row(draft: ApplicationDraft, component: Component) -> dict[str, Any]:
    version = draft.procedure_version
    source = (draft.components or {}).get(component.code) or {}
    kind = source.get("source", "")
    if declared_by_eform(version=version, component=component):
        text = _("Tờ khai điện tử (đã điền ở các trang tờ khai)")
    elif kind == "uploaded":
        text = _("Tệp đã tải lên: %(name)s") % {"name": source.get("name", "")}
    elif kind == "reused":
        text = _("Dùng giấy tờ đã lưu: %(name)s") % {"name": source.get("name", "")}
    elif kind == "national_data":
        text = _("Khai thác từ cơ sở dữ liệu quốc gia (không cần nộp giấy)")
    elif component.required:
        text = _("Chưa nộp")
    else:
        text = _("Không nộp (không bắt buộc)")
    declared = declared_by_eform(version=version, component=component)
    step = "" if declared else f"component-{component.code}"
    return {"component": component, "text": text, "source": kind, "step": step}


def _step_context(
    request: HttpRequest,
    draft: ApplicationDraft,
    step: str,
    *,
    actor: User,
    now: dt.datetime,
    errors: list[dict[str, str]],
) -> dict[str, Any]:
    version = draft.procedure_version
    if step == "who":
        rep = draft.representative or {}
        return {
            "who": ""
            if draft.for_someone_else is None
            else "other"
            if draft.for_someone_else
            else "self",
            "rep": {
                k: (
                    vn_date_as_typed(rep.get(k))
                    if k == "principal_date_of_birth"
                    else rep.get(k, "")
                )
                for k in REPRESENTATIVE_KEYS
            },
            "identity": Identity.of_user(actor),
        }
    if step == "place":
        return {"units": receiving_units_for(version)}
    if step.startswith("form-"):
        pages = eform_pages(version)
        page = pages[int(step.removeprefix("form-")) - 1]
        fields = _eform_fields(
            page, form_data=dict(draft.form_data or {}), identity=Identity.of_user(actor)
        )
        return {"fields": fields, "has_address": any(f["kind"] == "address" for f in fields)}
    if step.startswith("component-"):
        component = version.components.get(code=step.removeprefix("component-"))
        items = reusable_items(draft=draft, component=component, now=now)
        current = (draft.components or {}).get(component.code) or {}
        chosen = request.POST.get("how", "") if request.method == "POST" else ""
        if not chosen:
            if current.get("source") == "uploaded":
                chosen = "keep"
            elif current.get("source") == "reused":
                chosen = f"reuse:{current.get('item')}"
            elif current.get("source") == "national_data":
                chosen = "national"
            elif items:
                chosen = f"reuse:{items[0].pk}"  # one click: the newest valid paper
            elif national_data_allowed(component):
                chosen = "national"
            elif not component.required:
                chosen = "none"
            else:
                chosen = "upload"
        types = ", ".join(
            {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}.get(t, t)
            for t in component.allowed_types or []
        )
        return {
            "component": component,
            "items": [{"item": i, "value": f"reuse:{i.pk}"} for i in items],
            "national": national_data_allowed(component),
            "database": component.get_national_database_display(),
            "current": current,
            "chosen": chosen,
            "types": types,
            "accept": ",".join(component.allowed_types or []),
            "max_mb": max(1, component.max_bytes // (1024 * 1024)),
        }
    if step == "delivery":
        labels = dict(ResultDelivery.choices)
        return {
            "choices": [(c, labels[c]) for c in delivery_choices(version)],
            "chosen": request.POST.get("result_delivery", draft.result_delivery)
            if request.method == "POST"
            else draft.result_delivery,
            "address": request.POST.get("delivery_address", draft.delivery_address)
            if request.method == "POST"
            else draft.delivery_address,
        }
    if step == "fees":
        return {"fees": _fees(version, draft)}
    # check your answers
    identity = Identity.of_user(actor)
    form_rows = []
    for index, page in enumerate(eform_pages(version), start=1):
        for spec in page:
            name = str(spec["name"])
            source = str(spec.get("prefill") or "")
            value = (draft.form_data or {}).get(name)
            if value in (None, "") and source:
                held = identity.value(source)
                value = held.isoformat() if isinstance(held, dt.date) else held
            form_rows.append(
                {
                    "label": spec.get("label") or name,
                    "value": _field_display(spec, value),
                    "step": f"form-{index}",
                    "locked": bool(source) and source in identity.locked,
                }
            )
    problems = [] if errors else draft_problems(draft=draft, now=now)
    steps_with_problems = {p["step"] for p in problems}
    return {
        "form_rows": form_rows,
        "components": [_component_row(draft, c) for c in version.components.all()],
        "fees": _fees(version, draft),
        "delivery": dict(ResultDelivery.choices).get(draft.result_delivery, ""),
        "problems": problems,
        "problem_steps": steps_with_problems,
        "has_place_step": any(s.key == "place" for s in draft_steps(draft)),
    }


# --- the receipt ------------------------------------------------------------------------------


@citizen_required
@require_safe
def apply_done(request: HttpRequest, draft: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = clock_now()
    try:
        found = draft_get_for_actor(actor=actor, draft_id=draft, now=now)
    except NotFound as error:
        return _not_found(request, error.render())
    if found.dossier is None:
        return redirect(_step_url(found, draft_resume_step(found)))
    dossier = found.dossier
    accepted = dossier.status != DossierStatus.REGISTERED and "01" in forms_issued(dossier=dossier)
    return render(
        request,
        "portal/apply/done.html",
        {
            "draft": found,
            "dossier": dossier,
            "procedure": found.procedure_version.procedure,
            "delivery": dict(ResultDelivery.choices).get(found.result_delivery, ""),
            "form01_url": reverse("portal:apply_form01", args=[dossier.code]) if accepted else "",
        },
    )


@citizen_required
@require_safe
def apply_form01(request: HttpRequest, code: str) -> HttpResponse:
    """Form 01 (the receipt and appointment) as PDF for whoever may read the dossier (its
    applicant; staff reads are logged by the selector)."""
    actor: User = request.user  # type: ignore[assignment]
    try:
        pdf = form_pdf_for_actor(actor=actor, code=code, number="01", now=clock_now())
    except NotFound as error:
        return _not_found(request, error.render())
    except FormNotIssued:
        return render(
            request,
            "portal/apply/not_found.html",
            {
                "message": _(
                    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01) có sau khi bộ phận một "
                    "cửa tiếp nhận hồ sơ %(code)s."
                )
                % {"code": code}
            },
            status=409,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{code}-mau-01.pdf"'
    return response


urlpatterns = [
    path("apply/", apply_home, name="apply_home"),
    path("apply/dossier/<str:code>/form-01.pdf", apply_form01, name="apply_form01"),
    path("apply/<int:draft>/done/", apply_done, name="apply_done"),
    path("apply/<int:draft>/<str:step>/", apply_step, name="apply_step"),
    path("apply/<str:code>/", apply_start, name="apply_start"),
]
