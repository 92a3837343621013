"""The applicant's data store and national data, seen from a dossier (domain.md section 6;
docs/data-store.md).

- **Reuse** (`dossier_component_reuse`): a paper already in the data store of the dossier's
  owner is attached as a component in one step: the stored file becomes the component's
  `DossierFile`, a `DossierComponentSource` row says it was reused (and from which item), and
  a `component_reuse` event is appended, in one transaction. Nothing is uploaded again.
- **National data** (`dossier_component_from_national_data`): a component the catalog says
  is replaceable by a national database is filled from it: the record is fetched through the
  configured connector (`documents.nationaldata`), kept as data on a `DossierComponentSource`
  row (database, reference, fields, fetched at) with a `component_national_data` event. No
  upload is asked. Every answer of a national database is logged in `core.DataAccessLog`
  (subject `national_data`, the subject's number, purpose `dossier_component`).
- **Capture** (`dossier_components_to_datastore`): the component files of a dossier enter
  its owner's data store when the dossier is *received* (a complete dossier the one-stop
  checked: `reception.apply_reception`); a file added after reception (scans at the
  counter) enters at once (`files.dossier_file_add`). Results are added by the result
  services through `documents.services.datastore_item_add`.

The dossier's **owner** is the principal when someone files for another
(`representative.principal_id_number`), else the applicant's number.
Who may reuse or fill: whoever may add a file (`files.file_add_role`), in the same statuses.
An applicant reuses only items of the owner's store that their own verified identity can
read; staff of the dossier's units may reuse the owner's items (the read is logged).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import AcceptedForm
from motcua.core.clock import local
from motcua.core.errors import Conflict, NotFound, ValidationError
from motcua.core.services import data_access_record
from motcua.documents.models import DataStoreItem
from motcua.documents.nationaldata.base import NationalRecord, NationalRecordNotFound
from motcua.documents.nationaldata.registry import national_record_fetch
from motcua.documents.selectors import datastore_owner_keys

from ..models import (
    ComponentSource,
    Dossier,
    DossierComponentSource,
    DossierFile,
    DossierFileKind,
)
from ._base import APPLICANT_ROLE, commit_change, forbidden, lock_dossier, snapshot
from .capture import dossier_owner_key, kind_of
from .files import _check_status, _component, file_add_role


def _invalid(message: Any, *, code: str, field: str, **params: Any) -> ValidationError:
    """A ValidationError with one field error carrying its message (the API's shape)."""
    text = str(message) % params if params else str(message)
    return ValidationError(
        message, code=code, errors=[{"field": field, "code": code, "message": text}], **params
    )


DOING_REUSE = _("dùng lại giấy tờ cho")
DOING_NATIONAL = _("khai thác dữ liệu quốc gia cho")


# --- reuse ----------------------------------------------------------------------------------


def _reusable_item(*, dossier: Dossier, actor: User, role: str, item_id: int) -> DataStoreItem:
    """The item, if it belongs to the dossier's owner and the actor may read it; NotFound
    otherwise (someone else's item and a missing one look the same)."""
    owner = dossier_owner_key(dossier)
    if role == APPLICANT_ROLE and owner not in datastore_owner_keys(user=actor):
        owner = None
    item = None
    if owner is not None:
        item = (
            DataStoreItem.objects.filter(pk=item_id, owner_key=owner).select_related("file").first()
        )
    if item is None:
        raise NotFound(_("Không tìm thấy giấy tờ %(item)s trong kho dữ liệu."), item=item_id)
    return item


def dossier_component_reuse(
    *,
    dossier: Dossier,
    actor: User | None,
    item_id: int,
    component_code: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> DossierFile:
    """Attach the data store item `item_id` as the file of component `component_code` of
    `dossier`, record the reuse and append a `component_reuse` event (see the module).

    Refused, nothing changed: PermissionDenied `forbidden`, IllegalTransition `files_locked`
    (status), Conflict (stale `expected_version`), ValidationError `unknown_component`,
    NotFound `not_found` (no such item in the owner's store, or one the actor may not read),
    ValidationError `datastore_item_expired` (valid until before today),
    `datastore_item_not_yet_valid` (valid from after today),
    `datastore_kind_mismatch` (the item is not the kind of paper the component asks for),
    `datastore_file_not_accepted` (its file's type or size is not accepted by the
    component), Conflict `datastore_item_already_attached`."""
    role = file_add_role(dossier=dossier, actor=actor)
    if role is None or actor is None:
        raise forbidden(DOING_REUSE)
    _check_status(dossier=dossier, role=role)
    component = _component(dossier=dossier, code=component_code)
    item = _reusable_item(dossier=dossier, actor=actor, role=role, item_id=item_id)
    today = local(now).date()
    if item.valid_from is not None and item.valid_from > today:
        raise _invalid(
            _("Giấy tờ “%(title)s” chỉ có giá trị từ ngày %(date)s."),
            code="datastore_item_not_yet_valid",
            field="item",
            title=item.title,
            date=item.valid_from.strftime("%d/%m/%Y"),
        )
    if item.valid_until is not None and item.valid_until < today:
        raise _invalid(
            _("Giấy tờ “%(title)s” đã hết giá trị từ ngày %(date)s."),
            code="datastore_item_expired",
            field="item",
            title=item.title,
            date=item.valid_until.strftime("%d/%m/%Y"),
        )
    wanted = kind_of(dossier=dossier, component=component)
    if item.kind != wanted:
        raise _invalid(
            _("Giấy tờ “%(title)s” không phải loại giấy tờ mà thành phần “%(component)s” yêu cầu."),
            code="datastore_kind_mismatch",
            field="component",
            title=item.title,
            component=component.name,
        )
    allowed = component.allowed_types or []
    if item.file.content_type not in allowed or item.file.size > component.max_bytes:
        raise _invalid(
            _("Tệp của giấy tờ này không đúng loại hoặc vượt dung lượng thành phần cho phép."),
            code="datastore_file_not_accepted",
            field="item",
        )
    with transaction.atomic():
        locked = lock_dossier(dossier=dossier, expected_version=expected_version)
        _check_status(dossier=locked, role=role)
        if DossierFile.objects.filter(dossier=locked, file=item.file).exists():
            raise Conflict(
                _("Giấy tờ này đã có trong hồ sơ %(dossier)s."),
                code="datastore_item_already_attached",
                dossier=locked.code,
            )
        link = DossierFile.objects.create(
            dossier=locked,
            file=item.file,
            kind=DossierFileKind.COMPONENT,
            component_code=component.code,
            added_by=actor,
            added_at=now,
        )
        DossierComponentSource.objects.create(
            dossier=locked,
            component_code=component.code,
            source=ComponentSource.REUSED,
            file=link,
            datastore_item=item,
            added_by=actor,
            added_at=now,
        )
        if role != APPLICANT_ROLE:
            data_access_record(
                actor=actor,
                subject_type="datastore_item",
                subject_id=str(item.pk),
                purpose="component_reuse",
                now=now,
            )
        commit_change(
            dossier=locked,
            action="component_reuse",
            actor=actor,
            actor_role=role,
            now=now,
            before=snapshot(locked),
            extra={
                "item": item.pk,
                "kind": item.kind,
                "component": component.code,
                "file": item.file_id,
                "sha256": item.file.sha256,
                "source_dossier": item.source_dossier_code,
            },
            payload={"file": item.file_id, "component": component.code, "item": item.pk},
        )
    dossier.version = locked.version
    return link


# --- national data --------------------------------------------------------------------------


def _log_national_read(*, actor: User, database: str, subject_key: str, now: dt.datetime) -> None:
    with transaction.atomic():
        data_access_record(
            actor=actor,
            subject_type="national_data",
            subject_id=f"{database}:{subject_key}"[:64],
            purpose="dossier_component",
            now=now,
        )


def dossier_component_from_national_data(
    *,
    dossier: Dossier,
    actor: User | None,
    component_code: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> DossierComponentSource:
    """Fill component `component_code` of `dossier` from the national database its catalog
    entry names (see the module). The look-up runs before the dossier row is locked (a slow
    database never holds the lock); it is logged as soon as the database answered.

    Refused, nothing changed on the dossier: PermissionDenied `forbidden`, IllegalTransition
    `files_locked`, Conflict (stale version), ValidationError `unknown_component`,
    `national_data_not_accepted` (the component is not replaceable by national data),
    `national_data_subject_unknown` (the dossier has no owner number to look up);
    `national_record_not_found` (409: the database holds nothing: file the paper),
    `national_data_not_configured` (409), `national_data_unavailable` (503)."""
    role = file_add_role(dossier=dossier, actor=actor)
    if role is None or actor is None:
        raise forbidden(DOING_NATIONAL)
    _check_status(dossier=dossier, role=role)
    component = _component(dossier=dossier, code=component_code)
    database = component.national_database
    if not database or AcceptedForm.NATIONAL_DATA not in (component.accepted_forms or []):
        raise _invalid(
            _("Thành phần “%(component)s” không thay được bằng dữ liệu quốc gia."),
            code="national_data_not_accepted",
            field="component",
            component=component.name,
        )
    subject = dossier_owner_key(dossier)
    if subject is None:
        raise _invalid(
            _("Hồ sơ chưa có số định danh hoặc mã số thuế để khai thác dữ liệu quốc gia."),
            code="national_data_subject_unknown",
            field="applicant_id_number",
        )
    try:
        record: NationalRecord = national_record_fetch(
            database=database, subject_key=subject, purpose="dossier_component", now=now
        )
    except NationalRecordNotFound:
        _log_national_read(actor=actor, database=database, subject_key=subject, now=now)
        raise
    _log_national_read(actor=actor, database=database, subject_key=subject, now=now)
    with transaction.atomic():
        locked = lock_dossier(dossier=dossier, expected_version=expected_version)
        _check_status(dossier=locked, role=role)
        row = DossierComponentSource.objects.create(
            dossier=locked,
            component_code=component.code,
            source=ComponentSource.NATIONAL_DATA,
            national_database=database,
            record_reference=record.reference,
            record_data=record.fields,
            connector=record.connector,
            fetched_at=record.fetched_at or now,
            added_by=actor,
            added_at=now,
        )
        commit_change(
            dossier=locked,
            action="component_national_data",
            actor=actor,
            actor_role=role,
            now=now,
            before=snapshot(locked),
            extra={
                "component": component.code,
                "database": database,
                "reference": record.reference,
                "connector": record.connector,
            },
            payload={"component": component.code, "database": database},
        )
    dossier.version = locked.version
    return row
