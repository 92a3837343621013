"""Files of a dossier: a component's file added by the applicant or an officer.

Who may add one:
- the applicant, while the dossier is registered (1) or waiting for a supplement (5);
- an officer, specialist or leader of the receiving or handling unit, while the dossier is
  not finished (not 3, 7, 9 or 10).
The component must be one of the dossier's procedure version; its `allowed_types` and
`max_bytes` are what the file is checked against (`motcua.documents.services`).

Adding a file is a change of the dossier: the version is bumped and a `file_add` event is
appended with the file's facts (id, component, name, sha256), and `dossier.file_add` goes to
the outbox, like every other change (`_base.commit_change`). The upload is recorded as the
component's source (`DossierComponentSource`, `uploaded`); a file added to a dossier already
received enters its owner's data store at once (`services.datastore`). A caller holding an older
`version` is then stale, as after any change. The bytes are checked before the dossier row
is locked (a slow upload never holds the lock) and removed again when the transaction fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import Component
from motcua.core.errors import IllegalTransition, ValidationError
from motcua.documents.models import StoredFile
from motcua.documents.services import (
    Checked,
    file_check,
    file_check_images_as_pdf,
    file_store_checked,
    stored_bytes_delete,
)
from motcua.organisation.models import Role
from motcua.organisation.selectors import user_roles_in_unit

from ..models import (
    ComponentSource,
    Dossier,
    DossierComponentSource,
    DossierFile,
    DossierFileKind,
    DossierStatus,
)
from ._base import APPLICANT_ROLE, commit_change, forbidden, lock_dossier, snapshot
from .capture import dossier_components_to_datastore

APPLICANT_STATUSES = frozenset({DossierStatus.REGISTERED, DossierStatus.SUPPLEMENT_REQUESTED})
CLOSED_STATUSES = frozenset(
    {
        DossierStatus.NOT_RECEIVED,
        DossierStatus.WITHDRAWN,
        DossierStatus.FINISHED,
        DossierStatus.RETURNED,
    }
)
STAFF_ROLES = (Role.LEADER, Role.SPECIALIST, Role.OFFICER)
DOING = _("thêm tệp vào")


def file_add_role(*, dossier: Dossier, actor: User | None) -> str | None:
    """The role under which `actor` may add a file to `dossier` now (status aside: see
    `dossier_file_add`), or None."""
    if actor is None or not actor.is_authenticated:
        return None
    if dossier.applicant_id is not None and dossier.applicant_id == actor.pk:
        return APPLICANT_ROLE
    for unit in (dossier.receiving_unit, dossier.handling_unit):
        held = user_roles_in_unit(user=actor, unit=unit)
        for role in STAFF_ROLES:
            if role in held:
                return str(role)
    return None


def _check_status(*, dossier: Dossier, role: str) -> None:
    if role == APPLICANT_ROLE:
        allowed = dossier.status in APPLICANT_STATUSES
    else:
        allowed = dossier.status not in CLOSED_STATUSES
    if not allowed:
        raise IllegalTransition(
            _("Không thể thêm tệp: hồ sơ %(dossier)s đang ở trạng thái “%(status)s”."),
            code="files_locked",
            dossier=dossier.code,
            status=str(DossierStatus(dossier.status).label),
        )


def _component(*, dossier: Dossier, code: str) -> Component:
    component = Component.objects.filter(
        version_id=dossier.procedure_version_id, code=(code or "").strip()
    ).first()
    if component is None:
        message = _("Thành phần hồ sơ “%(component)s” không thuộc thủ tục của hồ sơ này.")
        params = {"component": code}
        raise ValidationError(
            message,
            code="unknown_component",
            errors=[
                {"field": "component", "code": "unknown_component", "message": message % params}
            ],
            **params,
        )
    return component


def component_file_check(*, component: Component, upload: Any, name: str | None = None) -> Checked:
    """`upload` checked as the file of `component` (its types and size): one file (`name`
    defaults to its own), or a list of scanned pages (images) made one PDF in the order
    given; a list of one is that one file. The file checks' ValidationErrors otherwise
    (`motcua.documents.services`). The one check of a component's file, for a file added
    to a dossier (`dossier_file_add`, counter reception) and a supplement's files. The
    caller closes the result."""
    if isinstance(upload, list | tuple) and len(upload) == 1:
        upload = upload[0]
    if isinstance(upload, list | tuple):
        return file_check_images_as_pdf(
            uploads=list(upload),
            name=name,
            allowed_types=component.allowed_types or (),
            max_bytes=component.max_bytes,
        )
    return file_check(
        upload=upload,
        name=name if name is not None else getattr(upload, "name", None),
        allowed_types=component.allowed_types or (),
        max_bytes=component.max_bytes,
    )


def dossier_file_add(
    *,
    dossier: Dossier,
    actor: User | None,
    component: str,
    upload: Any,
    now: dt.datetime,
    name: str | None = None,
) -> DossierFile:
    """Check and store `upload` (a Django UploadedFile or a binary file object; `name`
    defaults to its own) as the file of `component` (a component code) of `dossier`. A list
    of several images is scanned paper: one PDF, pages in the order given.

    Refused, nothing stored: PermissionDenied `forbidden` (not the applicant nor staff of its
    units), IllegalTransition `files_locked` (status), ValidationError `unknown_component`
    and the file checks of `motcua.documents.services` (their codes)."""
    role = file_add_role(dossier=dossier, actor=actor)
    if role is None:
        raise forbidden(DOING)
    _check_status(dossier=dossier, role=role)
    part = _component(dossier=dossier, code=component)
    checked = component_file_check(component=part, upload=upload, name=name)
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = lock_dossier(dossier=dossier, expected_version=None)
            _check_status(dossier=locked, role=role)  # it may have moved meanwhile
            stored = file_store_checked(actor=actor, checked=checked, now=now)
            saved.append(stored.storage_name)
            link = DossierFile.objects.create(
                dossier=locked,
                file=stored,
                kind=DossierFileKind.COMPONENT,
                component_code=part.code,
                added_by=actor if actor is not None and actor.is_authenticated else None,
                added_at=now,
            )
            DossierComponentSource.objects.create(
                dossier=locked,
                component_code=part.code,
                source=ComponentSource.UPLOADED,
                file=link,
                added_by=link.added_by,
                added_at=now,
            )
            if locked.received_at is not None:
                # Received already (scans at the counter): the owner's data store keeps it now.
                dossier_components_to_datastore(dossier=locked, now=now, files=[link])
            commit_change(
                dossier=locked,
                action="file_add",
                actor=actor,
                actor_role=role,
                now=now,
                before=snapshot(locked),
                extra={
                    "file": stored.pk,
                    "component": part.code,
                    "name": stored.name,
                    "sha256": stored.sha256,
                },
                payload={"file": stored.pk, "component": part.code},
            )
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise
    finally:
        checked.close()
    dossier.version = locked.version
    return link


def dossier_file_attach_stored(
    *, dossier: Dossier, actor: User, component: str, stored: StoredFile, now: dt.datetime
) -> DossierFile:
    """Attach a file already checked and stored (against the component's types and size, by
    `drafts.draft_attach_file` while the applicant wrote the application) as the file of
    `component` of `dossier`: the same link, source row (`uploaded`) and `file_add` event as
    `dossier_file_add`, without storing the bytes twice. Runs in the caller's transaction.

    Refused like `dossier_file_add` (`forbidden`, `files_locked`, `unknown_component`), and
    `file_type_not_allowed` / `file_too_large` when the component's rules changed since."""
    role = file_add_role(dossier=dossier, actor=actor)
    if role is None:
        raise forbidden(DOING)
    part = _component(dossier=dossier, code=component)
    if stored.content_type not in (part.allowed_types or []) or stored.size > part.max_bytes:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng loại hoặc vượt dung lượng thành phần cho phép."),
            code="file_type_not_allowed",
            name=stored.name,
        )
    with transaction.atomic():
        locked = lock_dossier(dossier=dossier, expected_version=None)
        _check_status(dossier=locked, role=role)
        link = DossierFile.objects.create(
            dossier=locked,
            file=stored,
            kind=DossierFileKind.COMPONENT,
            component_code=part.code,
            added_by=actor,
            added_at=now,
        )
        DossierComponentSource.objects.create(
            dossier=locked,
            component_code=part.code,
            source=ComponentSource.UPLOADED,
            file=link,
            added_by=actor,
            added_at=now,
        )
        commit_change(
            dossier=locked,
            action="file_add",
            actor=actor,
            actor_role=role,
            now=now,
            before=snapshot(locked),
            extra={
                "file": stored.pk,
                "component": part.code,
                "name": stored.name,
                "sha256": stored.sha256,
            },
            payload={"file": stored.pk, "component": part.code},
        )
    dossier.version = locked.version
    return link
