"""The applicant reports having been asked for a certified copy (domain.md section 6: an agency
may not demand a certified copy the procedure does not require; Hanoi, August 2025: "strictly
prohibit the abuse of requiring certified copies").

A report is a change of the dossier like a file: the version is bumped, a
`certified_copy_report` event is appended and `dossier.certified_copy_report` goes to the
outbox. Supervisors read the counts per unit and procedure
(`dossiers.selectors.certified_copy_report_counts`).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import Component
from motcua.core.errors import Conflict, ValidationError

from ..models import CertifiedCopyReport, Dossier
from ._base import APPLICANT_ROLE, commit_change, forbidden, lock_dossier, snapshot

NOTE_MAX = 2000


def certified_copy_report_file(
    *, dossier: Dossier, actor: User, component_code: str, note: str, now: dt.datetime
) -> CertifiedCopyReport:
    """Record that the applicant of `dossier` was asked for a certified copy of the component
    `component_code`. Only the applicant reports (PermissionDenied `forbidden` for anyone
    else); ValidationError `unknown_component`, `too_long`; Conflict `already_reported` for a
    second report on the same component."""
    if not actor.is_authenticated or dossier.applicant_id != actor.pk:
        raise forbidden(_("phản ánh về"))
    code = (component_code or "").strip()
    component = Component.objects.filter(version_id=dossier.procedure_version_id, code=code).first()
    if component is None:
        message = _("Thành phần hồ sơ “%(component)s” không thuộc thủ tục của hồ sơ này.")
        raise ValidationError(
            message,
            code="unknown_component",
            component=code,
            errors=[
                {
                    "field": "component",
                    "code": "unknown_component",
                    "message": str(message) % {"component": code},
                }
            ],
        )
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        message = _("Tối đa %(limit)s ký tự.")
        raise ValidationError(
            message,
            code="too_long",
            limit=NOTE_MAX,
            errors=[
                {"field": "note", "code": "too_long", "message": str(message) % {"limit": NOTE_MAX}}
            ],
        )
    try:
        with transaction.atomic():
            locked = lock_dossier(dossier=dossier, expected_version=None)
            before = snapshot(locked)
            report = CertifiedCopyReport.objects.create(
                dossier=locked,
                unit=locked.handling_unit,
                procedure_version=locked.procedure_version,
                component_code=component.code,
                component_name=component.name,
                allowed=component.certified_copy_allowed,
                note=text,
                reported_by=actor,
                reported_at=now,
            )
            commit_change(
                dossier=locked,
                action="certified_copy_report",
                actor=actor,
                actor_role=APPLICANT_ROLE,
                now=now,
                before=before,
                reason=text,
                extra={
                    "report": report.pk,
                    "component": component.code,
                    "allowed": report.allowed,
                },
                payload={"report": report.pk, "component": component.code},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("Bạn đã phản ánh về giấy tờ này của hồ sơ %(dossier)s."),
            code="already_reported",
            dossier=dossier.code,
        ) from exc
    dossier.version = locked.version
    return report
