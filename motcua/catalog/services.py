"""Writes to the procedure catalog: publishing and drafting versions, bulk import and export.

Every function owns its transaction. Problems are reported all at once as
`motcua.catalog.problems.CatalogInvalid` (a `ValidationError` whose `errors` list every problem
with sheet, line, field, code and Vietnamese + English messages); nothing is saved then.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import Conflict, IllegalTransition, ValidationError
from motcua.core.outbox import outbox_enqueue
from motcua.core.services import audit_record
from motcua.organisation.models import Unit

from . import io as catalog_io
from .document import canonical_version, clean_from_db, version_json
from .edits import (  # one row at a time, for the admin; re-exported here
    field_delete,
    field_merge,
    field_merge_duplicates,
    field_save,
    procedure_delete,
    procedure_life_events_set,
    procedure_save,
    procedure_version_delete,
    procedure_version_save,
    version_part_delete,
    version_part_save,
)
from .models import (
    LIFE_EVENTS,
    Component,
    Fee,
    Field,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    ProcessStep,
)
from .problems import CatalogInvalid, Problem, problem
from .schema import (
    FORMAT,
    VERSION_FIELDS,
    Context,
    check_procedure,
    unit_names,
)
from .search import search_index_rebuild, search_index_sync
from .selectors import catalog_cache_invalidate, version_current
from .text import fold, search_text

DEMO_CATALOG = Path(__file__).resolve().parent / "data" / "demo_catalog.json"
Progress = Callable[[str, int, int], None]
_BATCH = 500
_PUBLISHED = ProcedureVersion.Status.PUBLISHED
_DRAFT = ProcedureVersion.Status.DRAFT
_PROCEDURE_FIELDS = (
    "is_local_code",
    "name",
    "name_en",
    "field",
    "level",
    "competent_unit_kinds",
    "competent_unit",
    "search_text",
)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    versions_created: int = 0
    fields_created: int = 0
    fields_updated: int = 0
    fields_matched: int = 0  # named in the file under another code, matched by name
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"total": self.total}


# --- validation and publishing of one version -----------------------------------------------


def _procedure_document(version: ProcedureVersion) -> dict[str, Any]:
    procedure = version.procedure
    return {
        "code": procedure.code,
        "local_code": procedure.is_local_code,
        "name": procedure.name,
        "name_en": procedure.name_en,
        "field": procedure.field.code,
        "level": procedure.level,
        "competent_unit_kinds": list(procedure.competent_unit_kinds or []),
        "competent_unit": procedure.competent_unit.code if procedure.competent_unit else None,
        "life_events": sorted(e.code for e in procedure.life_events.all()),
        "version": version_json(clean_from_db(version)),
    }


def procedure_version_validate(
    version: ProcedureVersion, *, require_complete: bool = True
) -> list[Problem]:
    """Every problem of a stored version: steps longer than the legal time, unknown units or
    roles, bad times, enums or accepted forms, duplicate component codes, and (with
    `require_complete`) the seven parts a published procedure must show (domain.md §2)."""
    problems: list[Problem] = []
    context = _context()
    check_procedure(
        _procedure_document(version),
        index=0,
        context=context,
        require_complete=require_complete,
        problems=problems,
    )
    for p in problems:
        p["sheet"], p["line"] = "", None
    return problems


def _close_previous(
    *,
    version_id: int | None,
    procedure_id: int | None,
    valid_from: dt.date,
    published: Iterable[ProcedureVersion],
) -> tuple[list[ProcedureVersion], list[Problem]]:
    """Published versions whose validity must end the day before `valid_from`."""
    closed, problems = [], []
    for prev in published:
        if prev.pk == version_id or prev.procedure_id != procedure_id:
            continue
        if prev.valid_to is not None and prev.valid_to < valid_from:
            continue
        if prev.valid_from >= valid_from:
            problems.append(
                problem(
                    "valid_from_not_after_current",
                    field="valid_from",
                    value=prev.valid_from.isoformat(),
                )
            )
            continue
        prev.valid_to = valid_from - dt.timedelta(days=1)
        closed.append(prev)
    return closed, problems


def procedure_version_publish(
    *, version: ProcedureVersion, actor: User | None, now: dt.datetime
) -> ProcedureVersion:
    """Draft -> published. The published version in force before it ends the day before the
    new one takes effect. Refuses (CatalogInvalid listing every problem) a version whose steps,
    added up on the working clock, exceed the legal time (code `steps_exceed_legal_time`, a
    row for the total and one per step ending late, see `timefit`) or that is otherwise
    invalid or incomplete (code `version_invalid`)."""
    with transaction.atomic():
        version = (
            # Lock only the version row: PostgreSQL refuses FOR UPDATE on the nullable side
            # of the outer join that select_related makes for competent_unit.
            ProcedureVersion.objects.select_for_update(of=("self",))
            .select_related("procedure", "procedure__field", "procedure__competent_unit")
            .get(pk=version.pk)
        )
        if version.status != _DRAFT:
            raise IllegalTransition(_("Chỉ công bố được phiên bản dự thảo."), code="not_a_draft")
        problems = procedure_version_validate(version)
        published = ProcedureVersion.objects.select_for_update().filter(
            procedure_id=version.procedure_id, status=_PUBLISHED
        )
        closed, more = _close_previous(
            version_id=version.pk,
            procedure_id=version.procedure_id,
            valid_from=version.valid_from,
            published=published,
        )
        problems += more
        if problems:
            error = CatalogInvalid(
                problems, message=_("Chưa công bố được phiên bản: %(count)s lỗi cần sửa.")
            )
            late = any(p["code"] == "steps_exceed_legal_time" for p in problems)
            error.code = "steps_exceed_legal_time" if late else "version_invalid"
            raise error
        ProcedureVersion.objects.bulk_update(closed, ["valid_to"])
        catalog_cache_invalidate()  # now and at commit: the version in force changes
        version.status = _PUBLISHED
        version.published_at = now
        version.save(update_fields=["status", "published_at"])
        audit_record(
            actor=actor,
            action="procedure_version.publish",
            object_type="catalog.procedureversion",
            object_id=f"{version.procedure.code} v{version.number}",
            now=now,
            before={"status": _DRAFT, "closed": [f"v{v.number}" for v in closed]},
            after={"status": _PUBLISHED, "valid_from": version.valid_from},
        )
        outbox_enqueue(
            topic="catalog.version_published",
            now=now,
            payload={
                "procedure": version.procedure.code,
                "version": version.number,
                "valid_from": version.valid_from.isoformat(),
                "actor": actor.pk if actor else None,
            },
        )
    return version


def procedure_version_create_draft(
    *,
    procedure: Procedure,
    actor: User | None,
    now: dt.datetime,
    source: ProcedureVersion | None = None,
) -> ProcedureVersion:
    """A new draft copying `source` (by default the version in force today, else the newest
    one) with its components, fees and steps: the only way to change what a published version
    says. One draft at a time: Conflict `draft_exists` otherwise."""
    if source is not None and source.procedure_id != procedure.pk:
        raise ValidationError(
            _("Phiên bản nguồn không thuộc thủ tục này."), code="version_not_of_procedure"
        )
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        versions = list(procedure.versions.order_by("-number"))
        drafts = [v for v in versions if v.status == _DRAFT]
        if drafts:
            raise Conflict(
                _("Thủ tục đã có phiên bản dự thảo số %(value)s."),
                code="draft_exists",
                value=drafts[0].number,
            )
        today = local(now).date()
        if source is None:
            source = version_current(procedure=procedure, on=today)
        if source is None and versions:
            source = versions[0]
        if source is None:
            raise CatalogInvalid([problem("no_version")])
        draft = ProcedureVersion(
            procedure=procedure,
            number=versions[0].number + 1,
            status=_DRAFT,
            **{f: getattr(source, f) for f in VERSION_FIELDS if f not in ("status",)},
        )
        draft.valid_from = max(today, source.valid_from + dt.timedelta(days=1))
        draft.valid_to = None
        draft.note = ""
        draft.save()
        catalog_cache_invalidate()
        Component.objects.bulk_create(
            [
                Component(version=draft, **_model_values(c, Component))
                for c in source.components.all()
            ]
        )
        Fee.objects.bulk_create(
            [Fee(version=draft, **_model_values(f, Fee)) for f in source.fees.all()]
        )
        ProcessStep.objects.bulk_create(
            [
                ProcessStep(version=draft, **_model_values(s, ProcessStep))
                for s in source.steps.all()
            ]
        )
        audit_record(
            actor=actor,
            action="procedure_version.create_draft",
            object_type="catalog.procedureversion",
            object_id=f"{procedure.code} v{draft.number}",
            now=now,
            after={"copied_from": f"v{source.number}"},
        )
        outbox_enqueue(
            topic="catalog.version_drafted",
            now=now,
            payload={
                "procedure": procedure.code,
                "version": draft.number,
                "actor": actor.pk if actor else None,
            },
        )
    return draft


def _model_values(obj: Any, model: Any) -> dict[str, Any]:
    skip = {"id", "version"}
    return {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if f.name not in skip
    }


# --- import --------------------------------------------------------------------------------


@dataclass
class _Plan:
    clean: dict[str, Any]
    procedure: Procedure | None = None
    action: str = "create"  # create | new_version | update_draft | publish_draft | unchanged
    procedure_changed: bool = False
    target: ProcedureVersion | None = None


def catalog_import(
    *,
    document: Mapping[str, Any],
    now: dt.datetime,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a catalog document (the JSON shape) all or nothing.

    A new code creates a procedure; a known one whose newest version has the same content is
    unchanged; otherwise its draft is updated in place, or a new version is added after a
    published one (the old one is kept, its validity closed when the new one is published).
    Raises CatalogInvalid listing every problem; nothing is saved then.
    """
    started = time.perf_counter()
    summary = ImportSummary(dry_run=dry_run)
    problems: list[Problem] = []
    fields = _match_fields(_check_fields(document, problems), problems)
    raw_procedures = document.get("procedures")
    if not isinstance(raw_procedures, list):
        raise CatalogInvalid([problem("not_a_list", field="procedures")])
    context = _context(fields=fields)
    cleans: list[dict[str, Any]] = []
    seen: set[str] = set()
    total = len(raw_procedures)
    for index, raw in enumerate(raw_procedures):
        clean = check_procedure(raw, index=index, context=context, problems=problems)
        if clean is None:
            continue
        if clean["code"] in seen:
            problems.append(
                problem(
                    "duplicate_code",
                    sheet="procedures",
                    line=index + 1,
                    field="code",
                    value=clean["code"],
                )
            )
        seen.add(clean["code"])
        if "version" in clean:
            clean["_index"] = index
            cleans.append(clean)
        if progress and (index + 1) % 250 == 0:
            progress("check", index + 1, total)
    if problems:
        raise CatalogInvalid(problems)

    with transaction.atomic():
        plans = _plan(cleans, problems)
        if problems:
            raise CatalogInvalid(problems)
        summary.fields_created = len(fields.create)
        summary.fields_updated = len(fields.rename)
        summary.fields_matched = fields.matched
        for plan in plans:
            if plan.action == "create":
                summary.created += 1
            elif plan.action == "unchanged" and not plan.procedure_changed:
                summary.unchanged += 1
            else:
                summary.updated += 1
            summary.versions_created += plan.action in ("create", "new_version")
        if not dry_run:
            catalog_cache_invalidate()  # now and at commit
            _save_fields(fields)
            _save(plans, context=context, now=now, progress=progress)
            if summary.created or summary.updated or fields.create or fields.rename:
                audit_record(
                    actor=actor,
                    action="catalog.import",
                    object_type="catalog.procedure",
                    object_id=f"{summary.total} procedures",
                    now=now,
                    after=summary.as_dict(),
                )
                outbox_enqueue(
                    topic="catalog.imported",
                    now=now,
                    payload={
                        "created": summary.created,
                        "updated": summary.updated,
                        "actor": actor.pk if actor else None,
                    },
                )
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _check_fields(document: Mapping[str, Any], problems: list[Problem]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    raw = document.get("fields") or []
    if document.get("format") != FORMAT:
        problems.append(
            problem("wrong_format", field="format", expected=FORMAT, found=document.get("format"))
        )
    if not isinstance(raw, list):
        problems.append(problem("not_a_list", field="fields"))
        return out
    for i, item in enumerate(raw):
        where: dict[str, Any] = {"sheet": "fields", "line": i + 1}
        if not isinstance(item, Mapping):
            problems.append(problem("not_an_object", **where))
            continue
        for key in item:
            if key not in ("code", "name", "name_en"):
                problems.append(problem("unknown_key", field=key, name=key, **where))
        code, name = str(item.get("code") or "").strip(), str(item.get("name") or "").strip()
        for key, value in (("code", code), ("name", name)):
            if not value:
                problems.append(problem("required", field=key, **where))
        name = " ".join(name.split())
        if code in out and out[code]["name"] != name:
            problems.append(problem("field_name_conflict", field="name", value=code, **where))
        if code:
            out[code] = {"name": name, "name_en": " ".join(str(item.get("name_en") or "").split())}
    return out


@dataclass
class _Fields:
    """The file's fields against the stored ones: which to create, which to rename, and the
    code each file code and each folded name stands for."""

    create: dict[str, dict[str, str]]
    rename: dict[str, dict[str, str]]
    aliases: dict[str, str]
    matched: int = 0


def _match_fields(fields: Mapping[str, dict[str, str]], problems: list[Problem]) -> _Fields:
    """A file field is the stored field with its code, else the stored (or earlier file)
    field with its name folded (case, spaces, diacritics): a catalog never creates a second
    "Hộ tịch". Renaming a field to another field's name is a problem (`field_name_taken`)."""
    stored = {f.code: f for f in Field.objects.order_by("pk")}
    names: dict[str, str] = {}
    for f in stored.values():
        names.setdefault(fold(f.name), f.code)
    out = _Fields(create={}, rename={}, aliases={})
    for code, values in fields.items():
        key = fold(values["name"])
        owner = names.get(key)
        field = stored.get(code)
        if field is not None:
            out.aliases[code] = code
            if (field.name, field.name_en) == (values["name"], values["name_en"]):
                continue
            if owner is not None and owner != code:
                problems.append(
                    problem(
                        "field_name_taken", sheet="fields", field="name", value=code, other=owner
                    )
                )
                continue
            out.rename[code] = values
            names[key] = code
        elif owner is not None:
            out.aliases[code] = owner
            out.matched += 1
        else:
            out.create[code] = values
            out.aliases[code] = code
            names[key] = code
    for key, code in names.items():
        out.aliases.setdefault(key, code)
    return out


def _context(*, fields: _Fields | None = None) -> Context:
    """What the documents are checked against: every unit (by code and by folded name) and
    every field (stored, or created by the file; by code and by folded name)."""
    units = list(Unit.objects.values_list("code", "name", "id"))
    stored = Field.objects.values_list("code", "name")
    aliases: dict[str, str] = {}
    for code, name in stored:
        aliases.setdefault(fold(name), code)
    codes = {code for code, _name in stored}
    if fields is not None:
        aliases.update(fields.aliases)
        codes |= set(fields.create)
    return Context(
        unit_ids={code: pk for code, _name, pk in units},
        field_codes=codes,
        field_aliases=aliases,
        unit_names=unit_names((code, name) for code, name, _pk in units),
        life_event_codes=set(LifeEvent.objects.values_list("code", flat=True)),
    )


def _plan(cleans: list[dict[str, Any]], problems: list[Problem]) -> list[_Plan]:
    """Decide what happens to each procedure, reading the database in a fixed number of
    queries. Adds the problems only visible against stored versions."""
    codes = [c["code"] for c in cleans]
    existing = {
        p.code: p
        for p in Procedure.objects.filter(code__in=codes)
        .select_related("field", "competent_unit")
        .prefetch_related("life_events")
    }
    versions_by_procedure: dict[int, list[ProcedureVersion]] = {}
    for v in ProcedureVersion.objects.filter(procedure__in=existing.values()).order_by("-number"):
        versions_by_procedure.setdefault(v.procedure_id, []).append(v)
    latest = [vs[0] for vs in versions_by_procedure.values()]
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        latest,
        "components",
        "fees",
        Prefetch("steps", queryset=ProcessStep.objects.select_related("unit")),
    )
    plans = []
    for clean in cleans:
        plan = _Plan(clean=clean, procedure=existing.get(clean["code"]))
        plans.append(plan)
        version = clean["version"]
        where = {"sheet": "procedures", "line": clean["_index"] + 1}
        if plan.procedure is None:
            if version["status"] == ProcedureVersion.Status.RETIRED:
                problems.append(problem("status_not_importable", field="version.status", **where))
            continue
        plan.procedure_changed = _procedure_changed(plan.procedure, clean)
        stored = versions_by_procedure.get(plan.procedure.pk, [])
        newest = stored[0] if stored else None
        same = newest is not None and canonical_version(clean_from_db(newest)) == canonical_version(
            version
        )
        if same and newest is not None:
            plan.target = newest
            publish = newest.status == _DRAFT and version["status"] == _PUBLISHED
            plan.action = "publish_draft" if publish else "unchanged"
        elif newest is not None and newest.status == _DRAFT:
            plan.target, plan.action = newest, "update_draft"
        else:
            plan.action = "new_version"
        if plan.action != "unchanged" and version["status"] == ProcedureVersion.Status.RETIRED:
            problems.append(problem("status_not_importable", field="version.status", **where))
        if (
            plan.action in ("publish_draft", "update_draft", "new_version")
            and version["status"] == _PUBLISHED
        ):
            _, more = _close_previous(
                version_id=plan.target.pk if plan.target else None,
                procedure_id=plan.procedure.pk,
                valid_from=version["valid_from"],
                published=[v for v in stored if v.status == _PUBLISHED and v is not plan.target],
            )
            for p in more:
                p["field"], p["sheet"], p["line"] = (
                    "version.valid_from",
                    "procedures",
                    where["line"],
                )
            problems += more
    return plans


def _procedure_values(clean: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "is_local_code": clean["local_code"],
        "name": clean["name"],
        "name_en": clean["name_en"],
        "level": clean["level"],
        "competent_unit_kinds": clean["competent_unit_kinds"],
        "search_text": search_text(
            code=clean["code"], name=clean["name"], name_en=clean["name_en"]
        ),
    }


def _procedure_changed(procedure: Procedure, clean: Mapping[str, Any]) -> bool:
    values = _procedure_values(clean)
    if any(getattr(procedure, k) != v for k, v in values.items()):
        return True
    unit = procedure.competent_unit.code if procedure.competent_unit else None
    return (
        procedure.field.code != clean["field"]
        or unit != clean["competent_unit"]
        or _life_events_of(procedure) != clean.get("life_events", [])
    )


def _life_events_of(procedure: Procedure) -> list[str]:
    return sorted(e.code for e in procedure.life_events.all())


def _save_fields(fields: _Fields) -> None:
    Field.objects.bulk_create(
        [Field(code=code, **values) for code, values in fields.create.items()], batch_size=_BATCH
    )
    changed = list(Field.objects.filter(code__in=fields.rename))
    for field in changed:
        field.name, field.name_en = (
            fields.rename[field.code]["name"],
            fields.rename[field.code]["name_en"],
        )
    Field.objects.bulk_update(changed, ["name", "name_en"], batch_size=_BATCH)


def _version_values(version: Mapping[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    values = {f: version[f] for f in VERSION_FIELDS}
    values["published_at"] = now if version["status"] == _PUBLISHED else None
    return values


def _save(
    plans: list[_Plan], *, context: Context, now: dt.datetime, progress: Progress | None
) -> None:
    field_ids = dict(Field.objects.values_list("code", "id"))
    unit_ids = context.unit_ids

    def apply_procedure(procedure: Procedure, clean: Mapping[str, Any]) -> None:
        for key, value in _procedure_values(clean).items():
            setattr(procedure, key, value)
        procedure.field_id = field_ids[clean["field"]]
        procedure.competent_unit_id = unit_ids.get(clean["competent_unit"] or "")

    new_procedures = []
    changed_procedures = []
    for plan in plans:
        if plan.procedure is None:
            plan.procedure = Procedure(code=plan.clean["code"])
            apply_procedure(plan.procedure, plan.clean)
            new_procedures.append(plan.procedure)
        elif plan.procedure_changed:
            apply_procedure(plan.procedure, plan.clean)
            changed_procedures.append(plan.procedure)
    Procedure.objects.bulk_create(new_procedures, batch_size=_BATCH)
    Procedure.objects.bulk_update(changed_procedures, list(_PROCEDURE_FIELDS), batch_size=_BATCH)
    _save_life_events([*new_procedures, *changed_procedures], plans)
    search_index_sync(procedure_ids=[p.pk for p in [*new_procedures, *changed_procedures]])
    if progress:
        progress("save", len(new_procedures) + len(changed_procedures), len(plans))

    max_numbers = dict(
        ProcedureVersion.objects.filter(
            procedure__in=[p.procedure for p in plans if p.action == "new_version"]
        )
        .values("procedure_id")
        .annotate(top=Max("number"))
        .values_list("procedure_id", "top")
    )
    new_versions: list[ProcedureVersion] = []
    rewritten: list[ProcedureVersion] = []
    published_now: list[ProcedureVersion] = []
    filled: list[tuple[ProcedureVersion, Mapping[str, Any]]] = []
    for plan in plans:
        assert plan.procedure is not None
        clean = plan.clean["version"]
        if plan.action in ("create", "new_version"):
            number = (
                max_numbers.get(plan.procedure.pk, 0) + 1
                if plan.action == "new_version"
                else clean["number"] or 1
            )
            version = ProcedureVersion(
                procedure=plan.procedure, number=number, **_version_values(clean, now=now)
            )
            new_versions.append(version)
            filled.append((version, clean))
        elif plan.action in ("update_draft", "publish_draft"):
            assert plan.target is not None
            for key, value in _version_values(clean, now=now).items():
                setattr(plan.target, key, value)
            rewritten.append(plan.target)
            if plan.action == "update_draft":
                filled.append((plan.target, clean))
        else:
            continue
        if clean["status"] == _PUBLISHED and plan.action != "create":
            published_now.append(new_versions[-1] if plan.action == "new_version" else plan.target)  # type: ignore[arg-type]
    ProcedureVersion.objects.bulk_create(new_versions, batch_size=_BATCH)
    ProcedureVersion.objects.bulk_update(
        rewritten, [*VERSION_FIELDS, "published_at"], batch_size=_BATCH
    )
    _close_validity(published_now)
    draft_ids = [v.pk for v, _ in filled if v in rewritten]
    for model in (Component, Fee, ProcessStep):
        model.objects.filter(version_id__in=draft_ids).delete()
    components, fees, steps = [], [], []
    for version, clean in filled:
        components += [Component(version=version, **c) for c in clean["components"]]
        fees += [Fee(version=version, **f) for f in clean["fees"]]
        steps += [
            ProcessStep(
                version=version,
                unit_id=unit_ids.get(s["unit"] or ""),
                **{k: v for k, v in s.items() if k != "unit"},
            )
            for s in clean["steps"]
        ]
    Component.objects.bulk_create(components, batch_size=_BATCH)
    Fee.objects.bulk_create(fees, batch_size=_BATCH)
    ProcessStep.objects.bulk_create(steps, batch_size=_BATCH)
    if progress:
        progress("save", len(plans), len(plans))


def _save_life_events(procedures: list[Procedure], plans: list[_Plan]) -> None:
    """Replace the life events of the written procedures with the file's (a few queries)."""
    if not procedures:
        return
    wanted = {p.clean["code"]: p.clean.get("life_events", []) for p in plans}
    event_ids = dict(LifeEvent.objects.values_list("code", "id"))
    link = Procedure.life_events.through
    ids = [p.pk for p in procedures]
    for start in range(0, len(ids), _BATCH):
        link.objects.filter(procedure_id__in=ids[start : start + _BATCH]).delete()
    link.objects.bulk_create(
        [
            link(procedure_id=p.pk, lifeevent_id=event_ids[code])
            for p in procedures
            for code in wanted.get(p.code, [])
            if code in event_ids
        ],
        batch_size=_BATCH,
    )


@transaction.atomic
def procedure_use_counts_set(*, counts: Mapping[int, int], now: dt.datetime) -> int:
    """Set `Procedure.use_count` (dossiers filed in the last 12 months, counted by the dossiers
    app: catalog never reads dossiers) for every procedure: the ones in `counts` (procedure
    id -> count) get theirs, every other one 0. Returns how many rows changed. Derived data:
    no audit event, no cache bump (search reads the column)."""
    changed: list[Procedure] = []
    for procedure in Procedure.objects.only("pk", "use_count").iterator(chunk_size=_BATCH):
        count = max(int(counts.get(procedure.pk, 0)), 0)
        if procedure.use_count != count:
            procedure.use_count = count
            changed.append(procedure)
    Procedure.objects.bulk_update(changed, ["use_count"], batch_size=_BATCH)
    return len(changed)


def _close_validity(published: list[ProcedureVersion]) -> None:
    """End the validity of the versions the newly published ones replace."""
    if not published:
        return
    by_procedure = {v.procedure_id: v for v in published}
    previous = ProcedureVersion.objects.filter(
        procedure_id__in=by_procedure, status=_PUBLISHED
    ).exclude(pk__in=[v.pk for v in published])
    closed: list[ProcedureVersion] = []
    for procedure_id, version in by_procedure.items():
        more, _ = _close_previous(
            version_id=version.pk,
            procedure_id=procedure_id,
            valid_from=version.valid_from,
            published=[p for p in previous if p.procedure_id == procedure_id],
        )
        closed += more
    ProcedureVersion.objects.bulk_update(closed, ["valid_to"], batch_size=_BATCH)


def catalog_import_file(
    *,
    path: Path,
    now: dt.datetime,
    fmt: str | None = None,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Read a JSON, XLSX or CSV (directory or .zip) catalog and import it all or nothing."""
    try:
        document = catalog_io.read_document(path, fmt)
    except catalog_io.ReadError as exc:
        raise CatalogInvalid(exc.problems) from exc
    return catalog_import(
        document=document, now=now, actor=actor, dry_run=dry_run, progress=progress
    )


@transaction.atomic
def life_events_ensure() -> int:
    """Create the life events of `LIFE_EVENTS` that are missing (names of existing ones are
    left as edited); returns how many were created."""
    created = 0
    for order, (code, name, name_en) in enumerate(LIFE_EVENTS, start=1):
        _event, new = LifeEvent.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
        created += new
    return created


def catalog_load_demo(*, now: dt.datetime) -> ImportSummary:
    """Import motcua/catalog/data/demo_catalog.json (Hanoi's department units and the
    wards must exist), with the life events it names. Running it again changes nothing."""
    life_events_ensure()
    return catalog_import_file(path=DEMO_CATALOG, now=now, fmt="json")


# --- export --------------------------------------------------------------------------------


def catalog_export(*, codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The catalog (each procedure with its newest version) as a document; importing it back
    changes nothing."""
    procedures = (
        Procedure.objects.select_related("field", "competent_unit")
        .prefetch_related("life_events")
        .order_by("code")
    )
    if codes is not None:
        procedures = procedures.filter(code__in=list(codes))
    procedure_list = list(procedures)
    newest: dict[int, int] = {}
    for procedure_id, _number, pk in (
        ProcedureVersion.objects.filter(procedure__in=procedure_list)
        .values_list("procedure_id", "number", "pk")
        .order_by("procedure_id", "number")
    ):
        newest[procedure_id] = pk
    versions = {
        v.procedure_id: v
        for v in ProcedureVersion.objects.filter(pk__in=newest.values()).prefetch_related(
            "components",
            "fees",
            Prefetch("steps", queryset=ProcessStep.objects.select_related("unit")),
        )
    }
    fields: dict[str, Field] = {}
    out = []
    for procedure in procedure_list:
        version = versions.get(procedure.pk)
        if version is None:
            continue
        version.procedure = procedure
        fields[procedure.field.code] = procedure.field
        out.append(_procedure_document(version))
    return {
        "format": FORMAT,
        "fields": [
            {"code": f.code, "name": f.name, "name_en": f.name_en}
            for f in sorted(fields.values(), key=lambda f: f.code)
        ],
        "procedures": out,
    }


def catalog_export_file(
    *, path: Path, fmt: str | None = None, codes: Iterable[str] | None = None
) -> int:
    """Write the catalog to a file; returns the number of procedures written."""
    document = catalog_export(codes=codes)
    catalog_io.write_document(document, path, fmt)
    return len(document["procedures"])


__all__ = [
    "ImportSummary",
    "catalog_export",
    "catalog_export_file",
    "catalog_import",
    "catalog_import_file",
    "catalog_load_demo",
    "field_delete",
    "field_merge",
    "field_merge_duplicates",
    "field_save",
    "life_events_ensure",
    "procedure_delete",
    "procedure_life_events_set",
    "procedure_save",
    "procedure_use_counts_set",
    "procedure_version_create_draft",
    "procedure_version_delete",
    "procedure_version_publish",
    "procedure_version_save",
    "procedure_version_validate",
    "search_index_rebuild",
    "search_index_sync",
    "version_part_delete",
    "version_part_save",
]
