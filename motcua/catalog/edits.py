"""Writes of one catalog row at a time, for the admin: fields, procedures, draft versions and
their components, fees and steps (re-exported by `motcua.catalog.services`).

Each function owns its transaction, records a `core.AuditEvent` with the fields that changed
(before and after) and bumps the catalog cache (`catalog_cache_invalidate`, now and at
commit). The caller passes the instance carrying the new values (a ModelForm's
`save(commit=False)`); the stored row is read again under a lock to know what changed.

A published or retired version is read-only: every write to it, or to its components, fees
and steps, is refused with IllegalTransition `version_published`. Changing what it says
means a new draft (`procedure_version_create_draft(source=...)`) published with its own
validity dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, IllegalTransition, ValidationError
from motcua.core.services import audit_record, row_state, state_diff

from .fees import fee_exemptions_clean
from .models import Component, Fee, Field, LifeEvent, Procedure, ProcedureVersion, ProcessStep
from .schema import VERSION_FIELDS
from .search import search_index_sync
from .selectors import catalog_cache_invalidate
from .text import fold, search_text

__all__ = [
    "field_delete",
    "field_merge",
    "field_merge_duplicates",
    "field_save",
    "procedure_delete",
    "procedure_save",
    "procedure_version_delete",
    "procedure_version_save",
    "version_part_delete",
    "version_part_save",
]

VersionPart = Component | Fee | ProcessStep
_DRAFT = ProcedureVersion.Status.DRAFT
_PART_NAMES: dict[type[models.Model], str] = {
    Component: "component",
    Fee: "fee",
    ProcessStep: "process_step",
}


def _record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    object_id: object,
    now: dt.datetime,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    label = obj._meta.label_lower
    audit_record(
        actor=actor,
        action=action,
        object_type=label,
        object_id=object_id,
        now=now,
        before=before,
        after=after,
    )


def _version_label(version: ProcedureVersion) -> str:
    return f"{version.procedure.code} v{version.number}"


def _refuse_published(version: ProcedureVersion) -> None:
    if version.status != _DRAFT:
        raise IllegalTransition(
            _(
                "Phiên bản %(version)s đã công bố hoặc hết hiệu lực nên không sửa được; hãy "
                "tạo phiên bản dự thảo mới từ phiên bản này."
            ),
            code="version_published",
            version=_version_label(version),
        )


def _locked_version(pk: int) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=pk)
    )


# --- fields (lĩnh vực) ---------------------------------------------------------------------


def field_name_owner(*, name: str, exclude_pk: int | None = None) -> Field | None:
    """The field whose name is `name` once folded (case, spaces, diacritics), if any."""
    key = fold(name)
    fields = Field.objects.only("pk", "code", "name")
    if exclude_pk is not None:
        fields = fields.exclude(pk=exclude_pk)
    for field in fields:
        if fold(field.name) == key:
            return field
    return None


@transaction.atomic
def field_save(*, field: Field, actor: User | None, now: dt.datetime) -> Field:
    """Create or change a field. Its name is tidied (spaces collapsed) and must differ, once
    folded, from every other field's (ValidationError `field_name_taken`): "Hộ tịch" exists
    once."""
    field.code = field.code.strip()
    field.name = " ".join(field.name.split())
    field.name_en = " ".join(field.name_en.split())
    owner = field_name_owner(name=field.name, exclude_pk=field.pk)
    if owner is not None:
        raise ValidationError(
            _("Đã có lĩnh vực %(other)s mang tên “%(name)s”."),
            code="field_name_taken",
            other=owner.code,
            name=owner.name,
        )
    before = row_state(Field.objects.select_for_update().get(pk=field.pk)) if field.pk else {}
    created = field.pk is None
    field.save()
    old, new = state_diff(before, row_state(field))
    if created or new:
        _record(
            actor=actor,
            action="field.create" if created else "field.update",
            obj=field,
            object_id=field.code,
            now=now,
            before=old,
            after=new,
        )
    catalog_cache_invalidate()
    return field


@transaction.atomic
def field_delete(*, field: Field, actor: User | None, now: dt.datetime) -> None:
    """Delete a field no procedure uses (Conflict `field_in_use` otherwise)."""
    used = Procedure.objects.filter(field=field).count()
    if used:
        raise Conflict(
            _("Lĩnh vực %(field)s đang được %(count)s thủ tục sử dụng nên không xoá được."),
            code="field_in_use",
            field=field.code,
            count=used,
        )
    _record(
        actor=actor,
        action="field.delete",
        obj=field,
        object_id=field.code,
        now=now,
        before=row_state(field),
        after=None,
    )
    field.delete()
    catalog_cache_invalidate()


@transaction.atomic
def field_merge(*, source: Field, target: Field, actor: User | None, now: dt.datetime) -> int:
    """Move every procedure of `source` to `target` and delete `source` (a duplicate field).
    Returns the number of procedures moved."""
    if source.pk == target.pk:
        raise ValidationError(_("Không gộp một lĩnh vực vào chính nó."), code="field_merge_self")
    moved = Procedure.objects.filter(field=source).update(field=target)
    _record(
        actor=actor,
        action="field.merge",
        obj=target,
        object_id=target.code,
        now=now,
        before={"merged": source.code, "name": source.name},
        after={"procedures_moved": moved},
    )
    source.delete()
    catalog_cache_invalidate()
    return moved


@transaction.atomic
def field_merge_duplicates(
    *, actor: User | None, now: dt.datetime, dry_run: bool = False
) -> list[tuple[str, list[str]]]:
    """Merge the fields whose names fold alike into the oldest of them (the first created).
    Returns `(kept code, [merged codes])` per group; `dry_run` changes nothing."""
    groups: dict[str, list[Field]] = {}
    for field in Field.objects.select_for_update().order_by("pk"):
        groups.setdefault(fold(field.name), []).append(field)
    merged: list[tuple[str, list[str]]] = []
    for fields in groups.values():
        if len(fields) < 2:
            continue
        kept, *others = fields
        merged.append((kept.code, [f.code for f in others]))
        if not dry_run:
            for other in others:
                field_merge(source=other, target=kept, actor=actor, now=now)
    return merged


# --- procedures ----------------------------------------------------------------------------

_PROCEDURE_EDITABLE = (
    "code",
    "is_local_code",
    "name",
    "name_en",
    "field",
    "level",
    "competent_unit_kinds",
    "competent_unit",
    "is_active",
    "search_text",
)


@transaction.atomic
def procedure_save(*, procedure: Procedure, actor: User | None, now: dt.datetime) -> Procedure:
    """Create or change a procedure (its identity: code, name, field, level, competent unit;
    what the law says is on its versions). Keeps `search_text` in step."""
    procedure.search_text = search_text(
        code=procedure.code, name=procedure.name, name_en=procedure.name_en
    )
    created = procedure.pk is None
    before = (
        {} if created else row_state(Procedure.objects.select_for_update().get(pk=procedure.pk))
    )
    procedure.save()
    old, new = state_diff(
        {k: v for k, v in before.items() if k in _PROCEDURE_EDITABLE},
        row_state(procedure, _PROCEDURE_EDITABLE),
    )
    new.pop("search_text", None)
    old.pop("search_text", None)
    search_index_sync(procedure_ids=[procedure.pk])
    if created or new:
        _record(
            actor=actor,
            action="procedure.create" if created else "procedure.update",
            obj=procedure,
            object_id=procedure.code,
            now=now,
            before=old,
            after=new,
        )
    catalog_cache_invalidate()
    return procedure


@transaction.atomic
def procedure_life_events_set(
    *, procedure: Procedure, codes: Iterable[str], actor: User | None, now: dt.datetime
) -> None:
    """Link a procedure to exactly these life events (codes), with an audit event when the
    set changes."""
    wanted = sorted(set(codes))
    events = list(LifeEvent.objects.filter(code__in=wanted))
    before = sorted(procedure.life_events.values_list("code", flat=True))
    after = sorted(e.code for e in events)
    if before == after:
        return
    procedure.life_events.set(events)
    _record(
        actor=actor,
        action="procedure.life_events",
        obj=procedure,
        object_id=procedure.code,
        now=now,
        before={"life_events": before},
        after={"life_events": after},
    )


@transaction.atomic
def procedure_delete(*, procedure: Procedure, actor: User | None, now: dt.datetime) -> None:
    """Delete a procedure that never had a published version (Conflict `procedure_published`
    otherwise: dossiers may point at its versions; deactivate it instead)."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.versions.exclude(status=_DRAFT).exists():
        raise Conflict(
            _(
                "Thủ tục %(procedure)s đã có phiên bản công bố nên không xoá được; hãy bỏ "
                "chọn “đang áp dụng”."
            ),
            code="procedure_published",
            procedure=procedure.code,
        )
    _record(
        actor=actor,
        action="procedure.delete",
        obj=procedure,
        object_id=procedure.code,
        now=now,
        before={"name": procedure.name, "drafts": procedure.versions.count()},
        after=None,
    )
    pk = procedure.pk
    procedure.delete()
    search_index_sync(procedure_ids=[pk])
    catalog_cache_invalidate()


# --- draft versions ------------------------------------------------------------------------

_VERSION_EDITABLE = tuple(f for f in VERSION_FIELDS if f != "status")


@transaction.atomic
def procedure_version_save(
    *, version: ProcedureVersion, actor: User | None, now: dt.datetime
) -> ProcedureVersion:
    """Create a draft version (numbered after the highest; one draft at a time: Conflict
    `draft_exists`) or change a draft's own fields. A published or retired version is refused
    (IllegalTransition `version_published`); status and publication go through
    `procedure_version_publish`."""
    if version.pk is None:
        procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
        draft = procedure.versions.filter(status=_DRAFT).first()
        if draft is not None:
            raise Conflict(
                _("Thủ tục đã có phiên bản dự thảo số %(value)s."),
                code="draft_exists",
                value=draft.number,
            )
        top = procedure.versions.aggregate(top=Max("number"))["top"] or 0
        version.number = top + 1
        version.status = _DRAFT
        version.published_at = None
        version.save()
        _record(
            actor=actor,
            action="procedure_version.create",
            obj=version,
            object_id=_version_label(version),
            now=now,
            before=None,
            after=row_state(version, _VERSION_EDITABLE),
        )
        catalog_cache_invalidate()
        return version
    stored = _locked_version(version.pk)
    _refuse_published(stored)
    before = row_state(stored, _VERSION_EDITABLE)
    for name in _VERSION_EDITABLE:
        setattr(stored, name, getattr(version, name))
    old, new = state_diff(before, row_state(stored, _VERSION_EDITABLE))
    if new:
        stored.save(update_fields=list(new))
        _record(
            actor=actor,
            action="procedure_version.update",
            obj=stored,
            object_id=_version_label(stored),
            now=now,
            before=old,
            after=new,
        )
        catalog_cache_invalidate()
    return stored


@transaction.atomic
def procedure_version_delete(
    *, version: ProcedureVersion, actor: User | None, now: dt.datetime
) -> None:
    """Delete a draft with its components, fees and steps; a published or retired version is
    kept for ever (IllegalTransition `version_published`)."""
    stored = _locked_version(version.pk)
    _refuse_published(stored)
    _record(
        actor=actor,
        action="procedure_version.delete",
        obj=stored,
        object_id=_version_label(stored),
        now=now,
        before=row_state(stored, ("status", "valid_from")),
        after=None,
    )
    stored.delete()
    catalog_cache_invalidate()


# --- components, fees, steps of a draft ----------------------------------------------------


def _part_label(part: VersionPart, version: ProcedureVersion) -> str:
    key = part.code if isinstance(part, Component) else part.order
    return f"{_version_label(version)} {_PART_NAMES[type(part)]} {key}"


@transaction.atomic
def version_part_save(*, part: VersionPart, actor: User | None, now: dt.datetime) -> VersionPart:
    """Create or change a component, fee or step of a draft version (IllegalTransition
    `version_published` for a published or retired one)."""
    version = _locked_version(part.version_id)
    _refuse_published(version)
    if isinstance(part, Fee):
        part.exemptions = fee_exemptions_clean(part.exemptions)
    created = part.pk is None
    before: dict[str, Any] = {}
    if not created:
        stored = type(part).objects.get(pk=part.pk)
        if stored.version_id != version.pk:  # moved from another version: refuse as well
            _refuse_published(_locked_version(stored.version_id))
        before = row_state(stored)
    part.save()
    old, new = state_diff(before, row_state(part))
    if created or new:
        _record(
            actor=actor,
            action=f"{_PART_NAMES[type(part)]}.{'create' if created else 'update'}",
            obj=part,
            object_id=_part_label(part, version),
            now=now,
            before=old,
            after=new,
        )
        catalog_cache_invalidate()
    return part


@transaction.atomic
def version_part_delete(*, part: VersionPart, actor: User | None, now: dt.datetime) -> None:
    """Delete a component, fee or step of a draft version (refused for a published one)."""
    version = _locked_version(part.version_id)
    _refuse_published(version)
    _record(
        actor=actor,
        action=f"{_PART_NAMES[type(part)]}.delete",
        obj=part,
        object_id=_part_label(part, version),
        now=now,
        before=row_state(part),
        after=None,
    )
    part.delete()
    catalog_cache_invalidate()
