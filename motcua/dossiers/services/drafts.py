"""Online applications being written (`ApplicationDraft`, docs/apply-online.md).

The portal's journey (`motcua.portal.apply`) asks one thing per page; every POST goes through
one of these services, which save the draft at once, so a lost connection or an expired
session loses nothing: the person signs in again and resumes at the step they reached.

- `draft_start`: a new draft for a procedure version offered online (or the person's draft
  already open for it), **prefilled**: the e-form from the account's verified identity (the
  values it locks), then from the last dossier of the same procedure by this person; the
  receiving unit from that dossier; the result delivery from the person's last application.
- `draft_save_step`: one page's answers (who applies, where, an e-form page, a component's
  choice, the result delivery, the fees page). What was typed is kept even when it is wrong;
  the step counts as done only once valid. Raises `ValidationError` with one error a field
  (after saving).
- `draft_attach_file` / `draft_reuse_item` / `draft_use_national_data`: how a component is
  provided: a file checked against the component's types and size and stored now (a wrong
  file is refused, nothing else changes), a paper of the data store (the owner's, of the kind
  the component asks for, valid today, one click), or the national database the catalog
  names (no upload asked).
- `draft_problems`: everything still missing or invalid, for the "check your answers" page.
- `draft_submit`: in ONE transaction, `dossier_submit` (status 1) plus the component files,
  reuses and national data; the draft is marked submitted with its dossier. Idempotent: the
  draft row is locked, a second submit (double click, a POST sent again) returns the same
  dossier.

Signed-in applicants do not sign the e-form (decree 45/2020 art. 11: the account is the
identification); the declaration checkbox is the only confirmation, never pre-ticked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.eforms import Identity, eform_clean
from motcua.catalog.fees import CLAIMABLE, claims_clean
from motcua.catalog.models import AcceptedForm, Component, OnlineLevel, ProcedureVersion
from motcua.catalog.models import ResultKind as VersionResultKind
from motcua.core.clock import local
from motcua.core.errors import NotFound, PermissionDenied, ValidationError
from motcua.documents.kinds import component_kind
from motcua.documents.models import DataStoreItem, StoredFile
from motcua.documents.selectors import datastore_owner_keys
from motcua.documents.services import file_store
from motcua.organisation.models import Unit

from ..models import ApplicationDraft, Dossier, DraftStatus, ResultDelivery
from . import applicants
from .datastore import dossier_component_from_national_data, dossier_component_reuse
from .files import dossier_file_attach_stored
from .reception import dossier_submit

#: At most this many e-form fields on one page; a form with more is cut at its field groups.
FIELDS_PER_PAGE = 8
#: A group: at least this many consecutive fields whose names start with the same word
#: (`mother_full_name`, `mother_birth_date`...).
GROUP_MIN = 3

MESSAGES = {
    "required": _("Trường này là bắt buộc."),
    "who_required": _("Chọn bạn nộp hồ sơ cho chính mình hay cho người khác."),
    "place_required": _("Chọn nơi nộp hồ sơ."),
    "place_unknown": _("Nơi nộp này không nhận thủ tục này."),
    "component_missing": _(
        "Cần nộp “%(component)s”: tải tệp lên, dùng giấy tờ đã lưu hoặc dữ liệu quốc gia."
    ),
    "delivery_required": _("Chọn nơi nhận kết quả."),
    "delivery_not_offered": _("Thủ tục này không trả kết quả theo cách này."),
    "address_required": _("Ghi địa chỉ nhận kết quả qua bưu chính."),
    "declaration_required": _("Cần đánh dấu cam đoan trước khi nộp hồ sơ."),
    "draft_submitted": _("Hồ sơ này đã được nộp."),
    "unknown_step": _("Không có bước này."),
    "unknown_exemption": _("Chọn đối tượng miễn, giảm trong danh sách."),
}


def _invalid(code: str, *, field: str, step: str, **params: Any) -> dict[str, Any]:
    template = MESSAGES[code]
    return {
        "field": field,
        "code": code,
        "step": step,
        "message": str(template) % params if params else str(template),
    }


def _refused(errors: list[dict[str, Any]]) -> ValidationError:
    return ValidationError(
        _("Thông tin chưa hợp lệ: xem từng mục được đánh dấu."),
        code=errors[0]["code"] if len(errors) == 1 else "draft_invalid",
        errors=errors,
    )


# --- the journey's shape --------------------------------------------------------------------


def eform_pages(version: ProcedureVersion) -> list[list[dict[str, Any]]]:
    """The e-form cut into pages: runs of fields sharing their first name word (at least
    GROUP_MIN: the mother's, the father's...) are a page each, the other fields are pages
    of at most FIELDS_PER_PAGE in their order. One page when the form is short."""
    fields = [f for f in (version.eform or {}).get("fields", []) if f.get("name")]
    if len(fields) <= FIELDS_PER_PAGE:
        return [fields] if fields else []

    def word(spec: Mapping[str, Any]) -> str:
        name = str(spec["name"])
        return name.split("_", 1)[0] if "_" in name else ""

    runs: list[tuple[str, list[dict[str, Any]]]] = []
    for spec in fields:
        key = word(spec)
        if runs and runs[-1][0] == key and key:
            runs[-1][1].append(spec)
        else:
            runs.append((key, [spec]))
    pages: list[list[dict[str, Any]]] = []
    loose: list[dict[str, Any]] = []
    for _key, run in runs:
        if len(run) >= GROUP_MIN:
            if loose:
                pages.append(loose)
                loose = []
            pages.append(run)
        else:
            loose.extend(run)
    if loose:
        pages.append(loose)
    out: list[list[dict[str, Any]]] = []
    for page in pages:
        out.extend(page[i : i + FIELDS_PER_PAGE] for i in range(0, len(page), FIELDS_PER_PAGE))
    return out


def declared_by_eform(*, version: ProcedureVersion, component: Component) -> bool:
    """A "declaration form" component is the e-form itself when the version has one: filled
    on the form pages, no upload asked."""
    forms = component.accepted_forms or []
    return bool((version.eform or {}).get("fields")) and forms == [AcceptedForm.DECLARATION_FORM]


def national_data_allowed(component: Component) -> bool:
    return bool(component.national_database) and AcceptedForm.NATIONAL_DATA in (
        component.accepted_forms or []
    )


def receiving_units_for(version: ProcedureVersion) -> list[Unit]:
    """Where the procedure can be filed online: its competent unit when the catalog names
    one, else every active unit of its competent kinds (any ward of the province: no
    administrative boundaries)."""
    procedure = version.procedure
    if procedure.competent_unit_id is not None:
        assert procedure.competent_unit is not None
        return [procedure.competent_unit]
    kinds = procedure.competent_unit_kinds or []
    if not kinds:
        return []
    return list(Unit.objects.filter(is_active=True, kind__in=kinds).order_by("name", "code"))


def _unit_choice(version: ProcedureVersion) -> bool:
    """Whether the applicant chooses where to file (more than one unit, or none known)."""
    procedure = version.procedure
    if procedure.competent_unit_id is not None:
        return False
    kinds = procedure.competent_unit_kinds or []
    return Unit.objects.filter(is_active=True, kind__in=kinds).count() != 1


def delivery_choices(version: ProcedureVersion) -> list[str]:
    """The ways the result can reach the applicant: the counter and the post for a paper
    result, online for an electronic one."""
    kind = version.result_kind
    out = []
    if kind in (VersionResultKind.PAPER, VersionResultKind.BOTH):
        out += [ResultDelivery.COUNTER, ResultDelivery.POST]
    if kind in (VersionResultKind.ELECTRONIC, VersionResultKind.BOTH):
        out.append(ResultDelivery.ONLINE)
    return [str(c) for c in out]


def _components(version: ProcedureVersion) -> list[Component]:
    return list(version.components.all().order_by("order"))


@dataclass(frozen=True)
class Step:
    key: str
    title: str


def draft_steps(draft: ApplicationDraft) -> list[Step]:
    """The journey's steps for this draft, in order."""
    version = draft.procedure_version
    steps = [Step("who", str(_("Người nộp hồ sơ")))]
    if _unit_choice(version):
        steps.append(Step("place", str(_("Nơi nộp hồ sơ"))))
    pages = eform_pages(version)
    for index, _page in enumerate(pages, start=1):
        title = str(_("Tờ khai"))
        if len(pages) > 1:
            title = f"{title} ({index}/{len(pages)})"
        steps.append(Step(f"form-{index}", title))
    for component in _components(version):
        if not declared_by_eform(version=version, component=component):
            steps.append(Step(f"component-{component.code}", component.name))
    steps += [
        Step("delivery", str(_("Nhận kết quả"))),
        Step("fees", str(_("Phí, lệ phí"))),
        Step("check", str(_("Kiểm tra và nộp"))),
    ]
    return steps


def draft_next_step(draft: ApplicationDraft, after: str) -> str:
    keys = [s.key for s in draft_steps(draft)]
    if after not in keys:
        return keys[0]
    index = keys.index(after)
    return keys[min(index + 1, len(keys) - 1)]


def draft_resume_step(draft: ApplicationDraft) -> str:
    """Where the person resumes: the first step not done yet (the check page when all are)."""
    done = set(draft.steps_done or [])
    for step in draft_steps(draft):
        if step.key not in done:
            return step.key
    return "check"


# --- the identity and the owner ----------------------------------------------------------


def applicant_identity(actor: User) -> Identity:
    return Identity.of_user(actor)


def draft_owner_key(draft: ApplicationDraft) -> str:
    """Whose papers the components are: the principal's number when filing for someone
    else, else the account's own."""
    principal = (draft.representative or {}).get("principal_id_number") or ""
    if draft.for_someone_else and principal:
        return str(principal)
    owner = draft.owner
    number = (
        owner.organisation_id_number if owner.kind == User.Kind.ORGANISATION else owner.personal_id
    )
    return (number or "").replace(" ", "")


def reusable_items(
    *, draft: ApplicationDraft, component: Component, now: dt.datetime
) -> list[DataStoreItem]:
    """The papers of the data store that can be used for `component` now: the owner's (only
    a store the account may read: filing for someone else, their papers are not offered), of
    the component's kind, valid today, whose file the component accepts."""
    owner = draft_owner_key(draft)
    if not owner or owner not in datastore_owner_keys(user=draft.owner):
        return []
    kind = component_kind(
        document_kind=component.document_kind,
        procedure_code=draft.procedure_version.procedure.code,
        component_code=component.code,
    )
    day = local(now).date()
    items = (
        DataStoreItem.objects.filter(owner_key=owner, kind=kind)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .select_related("file")
        .order_by("-added_at", "-id")
    )
    allowed = set(component.allowed_types or [])
    return [
        i for i in items if i.file.content_type in allowed and i.file.size <= component.max_bytes
    ]


# --- start ------------------------------------------------------------------------------


def _require_applicant(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Cần đăng nhập để nộp hồ sơ."), code="login_required")
    if actor.kind == User.Kind.INTEGRATOR:
        raise PermissionDenied(
            _("Hệ thống tích hợp nộp hồ sơ qua API, không qua cổng."), code="forbidden"
        )


def version_offered_online(version: ProcedureVersion, *, now: dt.datetime) -> bool:
    return (
        version.status == ProcedureVersion.Status.PUBLISHED
        and version.procedure.is_active
        and version.online_level != OnlineLevel.NONE
        and version.is_valid_on(local(now).date())
    )


def _last_dossier(*, actor: User, version: ProcedureVersion) -> Dossier | None:
    return (
        Dossier.objects.filter(applicant=actor, procedure_version__procedure=version.procedure_id)
        .order_by("-submitted_at", "-id")
        .first()
    )


def _unit_of_address(units: list[Unit], address: str) -> Unit | None:
    """The unit the person's address names ("... Phường Hoàn Kiếm, Hà Nội"), if exactly one."""
    text = " ".join((address or "").casefold().split())
    if not text:
        return None
    found = [u for u in units if u.name.casefold().removeprefix("ubnd ").strip() in text]
    return found[0] if len(found) == 1 else None


def _prefill(*, actor: User, version: ProcedureVersion, last: Dossier | None) -> dict[str, Any]:
    identity = applicant_identity(actor)
    previous = dict(last.form_data or {}) if last is not None else {}
    data: dict[str, Any] = {}
    for spec in (version.eform or {}).get("fields", []):
        name = str(spec.get("name") or "")
        source = str(spec.get("prefill") or "")
        held = identity.value(source) if source else None
        if isinstance(held, dt.date):
            held = held.isoformat()
        if source == "profile.gender":
            held = None  # the choice's own value, left to the e-form check
        if held is not None and (source in identity.locked or name not in previous):
            data[name] = held
        elif name in previous:
            data[name] = previous[name]
    return data


@transaction.atomic
def draft_start(
    *, actor: User, procedure_version: ProcedureVersion, now: dt.datetime
) -> ApplicationDraft:
    """The person's open draft for this version, or a new one, prefilled (see the module).
    Refused: `online_not_allowed` (not offered online, not published or not in force),
    PermissionDenied for an anonymous account or an integrated system."""
    _require_applicant(actor)
    if not version_offered_online(procedure_version, now=now):
        raise ValidationError(
            _("Thủ tục %(procedure)s không nhận hồ sơ trực tuyến."),
            code="online_not_allowed",
            procedure=procedure_version.procedure.code,
        )
    existing = (
        ApplicationDraft.objects.select_for_update(of=("self",))
        .filter(owner=actor, procedure_version=procedure_version, status=DraftStatus.EDITING)
        .order_by("-updated_at", "-id")
        .first()
    )
    if existing is not None:
        return existing
    last = _last_dossier(actor=actor, version=procedure_version)
    units = receiving_units_for(procedure_version)
    unit: Unit | None = None
    if len(units) == 1:
        unit = units[0]
    elif last is not None and any(u.pk == last.receiving_unit_id for u in units):
        unit = last.receiving_unit
    else:
        unit = _unit_of_address(units, actor.address)
    previous = (
        ApplicationDraft.objects.filter(owner=actor, status=DraftStatus.SUBMITTED)
        .order_by("-submitted_at", "-id")
        .first()
    )
    offered = delivery_choices(procedure_version)
    delivery = previous.result_delivery if previous and previous.result_delivery in offered else ""
    return ApplicationDraft.objects.create(
        owner=actor,
        procedure_version=procedure_version,
        form_data=_prefill(actor=actor, version=procedure_version, last=last),
        receiving_unit=unit,
        result_delivery=delivery,
        delivery_address=(previous.delivery_address if previous else "") or actor.address,
        step="who",
        created_at=now,
        updated_at=now,
    )


# --- saving a step -----------------------------------------------------------------------


def _lock(draft: ApplicationDraft, actor: User) -> ApplicationDraft:
    locked = (
        ApplicationDraft.objects.select_for_update(of=("self",))
        .select_related("procedure_version__procedure", "owner")
        .get(pk=draft.pk)
    )
    if locked.owner_id != actor.pk:
        raise NotFound(_("Không tìm thấy hồ sơ đang soạn %(draft)s."), draft=draft.pk)
    if locked.status != DraftStatus.EDITING:
        raise ValidationError(MESSAGES["draft_submitted"], code="draft_submitted")
    return locked


def _mark(draft: ApplicationDraft, step: str, *, done: bool) -> None:
    steps = [s for s in (draft.steps_done or []) if s != step]
    if done:
        steps.append(step)
    draft.steps_done = steps


def _save(draft: ApplicationDraft, *, step: str, done: bool, now: dt.datetime) -> None:
    _mark(draft, step, done=done)
    draft.step = draft_next_step(draft, step) if done else step
    draft.updated_at = now
    draft.save()


def _who(
    draft: ApplicationDraft, data: Mapping[str, Any], *, now: dt.datetime
) -> list[dict[str, Any]]:
    choice = data.get("for_someone_else")
    if choice is None:
        return [_invalid("who_required", field="for_someone_else", step="who")]
    draft.for_someone_else = bool(choice)
    if not draft.for_someone_else:
        draft.representative = {}
        return []
    raw = {k: v for k, v in dict(data.get("representative") or {}).items() if v not in (None, "")}
    draft.representative = raw
    try:
        draft.representative = applicants.representative_clean(
            raw, applicant_id_number=draft_owner_key_own(draft.owner), today=local(now).date()
        )
    except ValidationError as exc:
        return [
            {"field": e["field"], "code": e["code"], "step": "who", "message": str(e["message"])}
            for e in exc.errors
        ]
    return []


def draft_owner_key_own(actor: User) -> str:
    number = (
        actor.organisation_id_number if actor.kind == User.Kind.ORGANISATION else actor.personal_id
    )
    return (number or "").replace(" ", "")


def _place(draft: ApplicationDraft, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = str(data.get("receiving_unit") or "").strip()
    if not raw:
        return [_invalid("place_required", field="receiving_unit", step="place")]
    units = receiving_units_for(draft.procedure_version)
    unit = next((u for u in units if str(u.pk) == raw), None)
    if unit is None:
        return [_invalid("place_unknown", field="receiving_unit", step="place")]
    draft.receiving_unit = unit
    return []


def _form_page(
    draft: ApplicationDraft, index: int, data: Mapping[str, Any], *, now: dt.datetime
) -> list[dict[str, Any]]:
    pages = eform_pages(draft.procedure_version)
    if not 1 <= index <= len(pages):
        raise ValidationError(MESSAGES["unknown_step"], code="unknown_step")
    page = pages[index - 1]
    names = [str(f["name"]) for f in page]
    identity = applicant_identity(draft.owner)
    locked = {str(f["name"]) for f in page if str(f.get("prefill") or "") in identity.locked}
    typed = {n: data[n] for n in names if n in data and n not in locked}
    form = dict(draft.form_data or {})
    for name in names:
        form.pop(name, None)
    form.update({n: v for n, v in typed.items() if v not in ("", None, {})})
    step = f"form-{index}"
    try:
        clean = eform_clean(
            eform={"fields": page}, data=typed, identity=identity, today=local(now).date()
        )
    except ValidationError as exc:
        draft.form_data = form
        return [
            {"field": e["field"], "code": e["code"], "step": step, "message": str(e["message"])}
            for e in exc.errors
        ]
    form.update(clean)
    draft.form_data = form
    return []


def _delivery(draft: ApplicationDraft, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    choice = str(data.get("result_delivery") or "")
    address = " ".join(str(data.get("delivery_address") or "").split())[:300]
    draft.delivery_address = address or draft.delivery_address
    if not choice:
        return [_invalid("delivery_required", field="result_delivery", step="delivery")]
    if choice not in delivery_choices(draft.procedure_version):
        return [_invalid("delivery_not_offered", field="result_delivery", step="delivery")]
    draft.result_delivery = choice
    if choice == ResultDelivery.POST:
        draft.delivery_address = address
        if not address:
            return [_invalid("address_required", field="delivery_address", step="delivery")]
    return []


def fee_claims_offered(version: ProcedureVersion) -> list[str]:
    """The exemption categories the version's fees configure that an applicant may claim."""
    offered = {
        str(item.get("category"))
        for fee in version.fees.all()
        for item in (fee.exemptions or [])
        if isinstance(item, dict)
    }
    return [c for c in CLAIMABLE if c in offered]


def _fees_step(draft: ApplicationDraft, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    claims = data.get("fee_claims") or []
    offered = fee_claims_offered(draft.procedure_version)
    if not isinstance(claims, list) or any(c not in offered for c in claims):
        return [_invalid("unknown_exemption", field="fee_claims", step="fees")]
    draft.fee_claims = sorted(claims_clean(claims))
    return []


def _component_of(draft: ApplicationDraft, code: str) -> Component:
    component = Component.objects.filter(version=draft.procedure_version, code=code).first()
    if component is None:
        raise ValidationError(MESSAGES["unknown_step"], code="unknown_step")
    return component


def _component_step(
    draft: ApplicationDraft, code: str, data: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Continue from a component's page: `choice` "none" (an optional component not filed)
    clears it; otherwise the component must be provided when it is required."""
    component = _component_of(draft, code)
    step = f"component-{code}"
    sources = dict(draft.components or {})
    if data.get("choice") == "none":
        if component.required:
            return [_invalid("component_missing", field=step, step=step, component=component.name)]
        sources.pop(code, None)
        draft.components = sources
        return []
    if code not in sources and component.required:
        return [_invalid("component_missing", field=step, step=step, component=component.name)]
    return []


def draft_save_step(
    *, draft: ApplicationDraft, actor: User, step: str, data: Mapping[str, Any], now: dt.datetime
) -> ApplicationDraft:
    """Save one page's answers (see the module). What was typed is saved even when refused;
    the step is marked done and the draft moves on only when it is valid. Raises
    `ValidationError` (its `errors`: field, code, step, message) after saving; NotFound for
    someone else's draft; `draft_submitted` once submitted."""
    with transaction.atomic():
        locked = _lock(draft, actor)
        errors: list[dict[str, Any]]
        if step == "who":
            errors = _who(locked, data, now=now)
        elif step == "place":
            errors = _place(locked, data)
        elif step.startswith("form-") and step.removeprefix("form-").isdigit():
            errors = _form_page(locked, int(step.removeprefix("form-")), data, now=now)
        elif step.startswith("component-"):
            errors = _component_step(locked, step.removeprefix("component-"), data)
        elif step == "delivery":
            errors = _delivery(locked, data)
        elif step == "fees":
            errors = _fees_step(locked, data)
        else:
            raise ValidationError(MESSAGES["unknown_step"], code="unknown_step")
        _save(locked, step=step, done=not errors, now=now)
    _refresh(draft, locked)
    if errors:
        raise _refused(errors)
    return draft


def _refresh(draft: ApplicationDraft, locked: ApplicationDraft) -> None:
    for field in ApplicationDraft._meta.concrete_fields:
        setattr(draft, field.attname, getattr(locked, field.attname))


# --- components ---------------------------------------------------------------------------


def _set_component(
    draft: ApplicationDraft, actor: User, code: str, source: dict[str, Any], now: dt.datetime
) -> ApplicationDraft:
    with transaction.atomic():
        locked = _lock(draft, actor)
        sources = dict(locked.components or {})
        sources[code] = source
        locked.components = sources
        _save(locked, step=f"component-{code}", done=True, now=now)
    _refresh(draft, locked)
    return draft


def draft_attach_file(
    *,
    draft: ApplicationDraft,
    actor: User,
    component_code: str,
    upload: Any,
    now: dt.datetime,
) -> ApplicationDraft:
    """Check the upload against the component's types and size and store it as the
    component's file. Refused with the file checks' codes (`file_type_not_allowed`,
    `file_too_large`, `file_empty`, `pdf_broken`...): nothing stored, the rest of the draft
    unchanged."""
    locked = _lock_read(draft, actor)
    component = _component_of(locked, component_code)
    stored: StoredFile = file_store(
        actor=actor,
        upload=upload,
        name=getattr(upload, "name", None),
        now=now,
        allowed_types=component.allowed_types or (),
        max_bytes=component.max_bytes,
    )
    source = {"source": "uploaded", "file": stored.pk, "name": stored.name}
    return _set_component(draft, actor, component.code, source, now)


def _lock_read(draft: ApplicationDraft, actor: User) -> ApplicationDraft:
    """The draft's current row, checked like `_lock` but without holding a lock (file
    checks are slow and must not hold the row)."""
    fresh = (
        ApplicationDraft.objects.select_related("procedure_version__procedure", "owner")
        .filter(pk=draft.pk)
        .first()
    )
    if fresh is None or fresh.owner_id != actor.pk:
        raise NotFound(_("Không tìm thấy hồ sơ đang soạn %(draft)s."), draft=draft.pk)
    if fresh.status != DraftStatus.EDITING:
        raise ValidationError(MESSAGES["draft_submitted"], code="draft_submitted")
    return fresh


def draft_reuse_item(
    *, draft: ApplicationDraft, actor: User, component_code: str, item_id: int, now: dt.datetime
) -> ApplicationDraft:
    """Use a paper of the data store for the component (one click). NotFound for an item
    that is not one of `reusable_items` (someone else's, expired, another kind, a file the
    component does not accept): existence is not leaked."""
    fresh = _lock_read(draft, actor)
    component = _component_of(fresh, component_code)
    item = next(
        (i for i in reusable_items(draft=fresh, component=component, now=now) if i.pk == item_id),
        None,
    )
    if item is None:
        raise NotFound(_("Không tìm thấy giấy tờ %(item)s trong kho dữ liệu."), item=item_id)
    source = {"source": "reused", "item": item.pk, "name": item.title}
    return _set_component(draft, actor, component.code, source, now)


def draft_use_national_data(
    *, draft: ApplicationDraft, actor: User, component_code: str, now: dt.datetime
) -> ApplicationDraft:
    """Provide the component from the national database the catalog names: nothing is
    uploaded; the record is fetched (and the read logged) when the dossier is submitted.
    Refused: `national_data_not_accepted`, `national_data_subject_unknown` (no number)."""
    fresh = _lock_read(draft, actor)
    component = _component_of(fresh, component_code)
    step = f"component-{component.code}"
    if not national_data_allowed(component):
        raise ValidationError(
            _("Thành phần “%(component)s” không thay được bằng dữ liệu quốc gia."),
            code="national_data_not_accepted",
            errors=[
                {
                    "field": step,
                    "code": "national_data_not_accepted",
                    "step": step,
                    "message": str(
                        _("Thành phần “%(component)s” không thay được bằng dữ liệu quốc gia.")
                    )
                    % {"component": component.name},
                }
            ],
            component=component.name,
        )
    if not draft_owner_key(fresh):
        raise ValidationError(
            _("Cần số định danh hoặc mã số thuế để khai thác dữ liệu quốc gia."),
            code="national_data_subject_unknown",
        )
    source = {"source": "national_data", "database": component.national_database}
    return _set_component(draft, actor, component.code, source, now)


# --- check and submit -------------------------------------------------------------------------


def draft_problems(*, draft: ApplicationDraft, now: dt.datetime) -> list[dict[str, Any]]:
    """Everything that stops the draft from being submitted, in the journey's order: each
    with the step to go back to (`step`), the field and a message."""
    version = draft.procedure_version
    problems: list[dict[str, Any]] = []
    if draft.for_someone_else is None:
        problems.append(_invalid("who_required", field="for_someone_else", step="who"))
    if draft.receiving_unit_id is None:
        problems.append(_invalid("place_required", field="receiving_unit", step="place"))
    identity = applicant_identity(draft.owner)
    if draft.for_someone_else:
        identity = applicants.with_principal(identity, draft.representative or {})
    pages = eform_pages(version)
    page_of = {str(f["name"]): i for i, page in enumerate(pages, start=1) for f in page}
    try:
        eform_clean(
            eform=version.eform,
            data=dict(draft.form_data or {}),
            identity=identity,
            today=local(now).date(),
        )
    except ValidationError as exc:
        for e in exc.errors:
            name = str(e["field"])
            problems.append(
                {
                    "field": name,
                    "code": e["code"],
                    "step": f"form-{page_of.get(name, 1)}",
                    "message": str(e["message"]),
                }
            )
    sources = draft.components or {}
    for component in _components(version):
        if declared_by_eform(version=version, component=component):
            continue
        if component.required and component.code not in sources:
            step = f"component-{component.code}"
            problems.append(
                _invalid("component_missing", field=step, step=step, component=component.name)
            )
    if not draft.result_delivery:
        problems.append(_invalid("delivery_required", field="result_delivery", step="delivery"))
    elif draft.result_delivery == ResultDelivery.POST and not draft.delivery_address:
        problems.append(_invalid("address_required", field="delivery_address", step="delivery"))
    return problems


def _result_kind(draft: ApplicationDraft) -> str:
    if draft.result_delivery == ResultDelivery.ONLINE:
        return str(VersionResultKind.ELECTRONIC)
    return str(draft.procedure_version.result_kind)


def draft_submit(
    *, draft: ApplicationDraft, actor: User, declaration: bool, now: dt.datetime
) -> Dossier:
    """File the draft: one transaction (see the module). Idempotent: a draft already
    submitted returns its dossier. Refused, nothing filed: `declaration_required`,
    `draft_invalid` / the first problem's code (`draft_problems`), and whatever
    `dossier_submit` and the component services refuse (`form_invalid`,
    `version_not_valid`, `national_record_not_found`...)."""
    with transaction.atomic():
        locked = (
            ApplicationDraft.objects.select_for_update(of=("self",))
            .select_related("procedure_version__procedure", "owner", "receiving_unit")
            .get(pk=draft.pk)
        )
        if locked.owner_id != actor.pk:
            raise NotFound(_("Không tìm thấy hồ sơ đang soạn %(draft)s."), draft=draft.pk)
        if locked.status == DraftStatus.SUBMITTED and locked.dossier_id is not None:
            _refresh(draft, locked)
            dossier = Dossier.objects.get(pk=locked.dossier_id)
            return dossier
        if not declaration:
            raise _refused([_invalid("declaration_required", field="declaration", step="check")])
        problems = draft_problems(draft=locked, now=now)
        if problems:
            raise _refused(problems)
        assert locked.receiving_unit is not None
        dossier = dossier_submit(
            applicant=actor,
            procedure_version=locked.procedure_version,
            receiving_unit=locked.receiving_unit,
            form_data=dict(locked.form_data or {}),
            representative=dict(locked.representative or {}) if locked.for_someone_else else None,
            result_kind=_result_kind(locked),
            fee_claims=list(locked.fee_claims or []),
            now=now,
        )
        for code, source in (locked.components or {}).items():
            kind = source.get("source")
            if kind == "uploaded":
                stored = StoredFile.objects.get(pk=source["file"])
                dossier_file_attach_stored(
                    dossier=dossier, actor=actor, component=code, stored=stored, now=now
                )
            elif kind == "reused":
                dossier_component_reuse(
                    dossier=dossier,
                    actor=actor,
                    item_id=int(source["item"]),
                    component_code=code,
                    now=now,
                )
            elif kind == "national_data":
                dossier_component_from_national_data(
                    dossier=dossier, actor=actor, component_code=code, now=now
                )
        locked.status = DraftStatus.SUBMITTED
        locked.dossier = dossier
        locked.submitted_at = now
        locked.updated_at = now
        locked.step = "done"
        _mark(locked, "check", done=True)
        locked.save()
    _refresh(draft, locked)
    return dossier


__all__ = [
    "FIELDS_PER_PAGE",
    "Step",
    "declared_by_eform",
    "delivery_choices",
    "draft_attach_file",
    "draft_next_step",
    "draft_problems",
    "draft_resume_step",
    "draft_reuse_item",
    "draft_save_step",
    "draft_start",
    "draft_steps",
    "draft_submit",
    "draft_use_national_data",
    "eform_pages",
    "fee_claims_offered",
    "national_data_allowed",
    "receiving_units_for",
    "reusable_items",
    "version_offered_online",
]
