"""The applicant rates how their dossier was settled: the satisfaction survey of Circular
01/2018/TT-VPCP (domain.md section 7: very satisfied / satisfied / not satisfied, and the
nine criteria), counted by Decision 766/QĐ-TTg's satisfaction indicator.

Who and when: the dossier's applicant, once the dossier is **settled** (a result issued,
granted or a refusal to settle: status 9 or 10). A withdrawn dossier, one not received or
closed without a supplement was never settled: nothing to rate (`not_rateable`). Once per
dossier (a unique constraint: a second attempt, even a simultaneous one, is `rating_exists`).

A rating is a change of the dossier like a report: the version is bumped, a `rate` event is
appended and `dossier.rate` goes to the outbox, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, IllegalTransition, ValidationError

from ..models import (
    RATEABLE_STATUSES,
    RATING_CRITERIA_CODES,
    Dossier,
    DossierRating,
    DossierStatus,
    SatisfactionLevel,
)
from ._base import APPLICANT_ROLE, commit_change, forbidden, lock_dossier, snapshot

COMMENT_MAX = 2000

RATING_EXISTS = _("Hồ sơ %(dossier)s đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.")


def _invalid(field: str, code: str, message: Any) -> dict[str, Any]:
    return {"field": field, "code": code, "message": str(message)}


def _clean(
    *, overall: str, criteria: Mapping[str, str], comment: str
) -> tuple[str, dict[str, str], str]:
    errors = []
    levels = SatisfactionLevel.values
    overall = (overall or "").strip()
    if not overall:
        errors.append(_invalid("overall", "required", _("Chọn mức độ hài lòng chung.")))
    elif overall not in levels:
        errors.append(
            _invalid("overall", "invalid_choice", _("Giá trị không thuộc danh sách cho phép."))
        )
    cleaned: dict[str, str] = {}
    for code, value in (criteria or {}).items():
        level = str(value or "").strip()
        if code not in RATING_CRITERIA_CODES:
            errors.append(
                _invalid(f"criteria.{code}", "unknown_criterion", _("Không có tiêu chí này."))
            )
        elif level and level not in levels:
            errors.append(
                _invalid(
                    f"criteria.{code}",
                    "invalid_choice",
                    _("Giá trị không thuộc danh sách cho phép."),
                )
            )
        elif level:
            cleaned[code] = level
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        errors.append(
            _invalid("comment", "too_long", _("Tối đa %(limit)s ký tự.") % {"limit": COMMENT_MAX})
        )
    if errors:
        raise ValidationError(
            _("Đánh giá chưa hợp lệ, vui lòng kiểm tra lại."), code="invalid", errors=errors
        )
    return overall, cleaned, text


def dossier_rate(
    *,
    dossier: Dossier,
    actor: User,
    overall: str,
    criteria: Mapping[str, str] | None = None,
    comment: str = "",
    now: dt.datetime,
) -> DossierRating:
    """Record the applicant's rating of `dossier`: `overall` and the answered `criteria`
    (criterion code -> level; a criterion left out is not answered), an optional `comment`.

    PermissionDenied `forbidden` for anyone but the applicant; IllegalTransition
    `not_rateable` unless the dossier is settled (9, 10); ValidationError `invalid` (with
    `errors`: `required`, `invalid_choice`, `unknown_criterion`, `too_long`); Conflict
    `rating_exists` for a second rating. Nothing is written on an error."""
    if (
        not actor.is_authenticated
        or dossier.applicant_id is None
        or dossier.applicant_id != actor.pk
    ):
        raise forbidden(_("đánh giá"))
    overall, answered, text = _clean(overall=overall, criteria=criteria or {}, comment=comment)
    try:
        with transaction.atomic():
            locked = lock_dossier(dossier=dossier, expected_version=None)
            if locked.status not in RATEABLE_STATUSES:
                raise IllegalTransition(
                    _(
                        "Chỉ đánh giá được hồ sơ đã có kết quả giải quyết; hồ sơ %(dossier)s "
                        "đang ở trạng thái “%(status)s”."
                    ),
                    code="not_rateable",
                    dossier=locked.code,
                    status=str(DossierStatus(locked.status).label),
                )
            if DossierRating.objects.filter(dossier_id=locked.pk).exists():
                raise Conflict(RATING_EXISTS, code="rating_exists", dossier=locked.code)
            before = snapshot(locked)
            rating = DossierRating.objects.create(
                dossier=locked,
                unit=locked.handling_unit,
                procedure_version=locked.procedure_version,
                overall=overall,
                comment=text,
                rated_by=actor,
                rated_at=now,
                **answered,
            )
            commit_change(
                dossier=locked,
                action="rate",
                actor=actor,
                actor_role=APPLICANT_ROLE,
                now=now,
                before=before,
                reason=text,
                extra={"rating": rating.pk, "overall": overall, "criteria": answered},
                payload={"rating": rating.pk, "overall": overall},
            )
    except IntegrityError as exc:  # rated meanwhile by a simultaneous request
        raise Conflict(RATING_EXISTS, code="rating_exists", dossier=dossier.code) from exc
    dossier.version = locked.version
    return rating
