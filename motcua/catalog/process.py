"""The internal process (quy trình nội bộ) of a draft version as one ordered list, for the
staff workspace's procedure pages: who may administer the catalog, the list cleaned and
checked against the legal time (`timefit`), and saved in one go.

`version_steps_save` replaces the steps of a draft in one transaction (numbered 1..n in the
order given) with one `core.AuditEvent` holding the list before and after, and bumps the
catalog cache. A published or retired version is refused (IllegalTransition
`version_published`, as everywhere in `edits.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.services import audit_record
from motcua.organisation.models import Role, RoleAssignment, Unit

from .edits import _locked_version, _refuse_published, _version_label
from .models import Procedure, ProcedureVersion, ProcessStep
from .selectors import catalog_cache_invalidate
from .text import fold
from .timefit import TimeFit, time_fit

#: The largest allotment a step may have (the column holds 6 digits, 2 after the point).
MAX_ALLOTMENT_HOURS = Decimal("9999.99")


def catalog_admin_may(*, actor: User) -> bool:
    """A procedure administrator (role `procedure_admin` in some unit) or a superuser."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user=actor, role=Role.PROCEDURE_ADMIN, unit__is_active=True
    ).exists()


def catalog_admin_check(*, actor: User) -> None:
    """PermissionDenied `forbidden` unless `actor` administers the catalog."""
    if not catalog_admin_may(actor=actor):
        raise PermissionDenied(
            _("Chỉ người quản trị thủ tục được sửa danh mục thủ tục."), code="forbidden"
        )


# --- reads ----------------------------------------------------------------------------------


def procedures_for_admin(*, q: str = "") -> QuerySet[Procedure]:
    """Every procedure (active or not), by code, with its versions newest first; `q` matches
    the code or the name, ignoring case and diacritics, every word."""
    rows = Procedure.objects.select_related("field")
    for word in fold(q).split():
        rows = rows.filter(
            Q(search_text__contains=word) | Q(code__icontains=word) | Q(name__icontains=word)
        )
    return rows.prefetch_related(
        Prefetch("versions", queryset=ProcedureVersion.objects.order_by("-number"))
    ).order_by("code")


def version_for_admin(*, code: str, number: int) -> ProcedureVersion | None:
    """One version of a procedure with its steps (and their units), or None."""
    return (
        ProcedureVersion.objects.select_related("procedure", "procedure__field")
        .prefetch_related(Prefetch("steps", queryset=ProcessStep.objects.select_related("unit")))
        .filter(procedure__code=code, number=number)
        .first()
    )


# --- the list of steps -----------------------------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    """One step as typed: text, parsed by `version_steps_clean`."""

    name: str = ""
    role: str = ""
    unit_scope: str = ProcessStep.UnitScope.COMPETENT
    unit_code: str = ""
    allotment_hours: str = "0"


@dataclass(frozen=True)
class CleanStep:
    name: str
    role: str
    unit_scope: str
    unit: Unit | None
    allotment_hours: Decimal


def parse_hours(text: str) -> Decimal | None:
    """Working hours as typed ("4", "0,5", "1.5"), or None when it is not a number."""
    raw = str(text).strip().replace(",", ".")
    if not raw:
        return Decimal(0)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def version_steps_clean(steps: Sequence[StepInput]) -> list[CleanStep]:
    """The typed steps, checked; ValidationError `steps_invalid` listing every problem, each
    with `field` = "steps-<index from 0>-<name>" and its message."""
    problems: list[dict[str, Any]] = []

    def bad(index: int, name: str, code: str, message: Any, **params: Any) -> None:
        text = str(message) % params if params else str(message)
        problems.append({"field": f"steps-{index}-{name}", "code": code, "message": text})

    codes = {s.unit_code.strip() for s in steps if s.unit_code.strip()}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes, is_active=True)}
    cleaned: list[CleanStep] = []
    for index, step in enumerate(steps):
        known = len(problems)
        name = " ".join(step.name.split())
        if not name:
            bad(index, "name", "required", _("Nhập tên bước."))
        elif len(name) > 300:
            bad(index, "name", "too_long", _("Tên bước dài quá %(max)s ký tự."), max=300)
        if step.role not in Role.values:
            bad(index, "role", "invalid_choice", _("Chọn vai trò thực hiện."))
        if step.unit_scope not in ProcessStep.UnitScope.values:
            bad(index, "unit_scope", "invalid_choice", _("Chọn nơi thực hiện."))
        unit = None
        code = step.unit_code.strip()
        if step.unit_scope == ProcessStep.UnitScope.NAMED:
            if not code:
                bad(index, "unit_code", "required", _("Bước tại đơn vị cụ thể cần mã đơn vị."))
            elif code not in units:
                bad(
                    index, "unit_code", "unknown_unit", _("Không có đơn vị mã %(unit)s."), unit=code
                )
            else:
                unit = units[code]
        elif code:
            bad(
                index,
                "unit_code",
                "unit_only_for_named",
                _("Chỉ nêu mã đơn vị khi nơi thực hiện là đơn vị cụ thể."),
            )
        hours = parse_hours(step.allotment_hours)
        if hours is None:
            bad(index, "allotment_hours", "bad_number", _("Số giờ phải là một số (vd 4 hoặc 0,5)."))
        elif hours < 0:
            bad(index, "allotment_hours", "negative", _("Số giờ không được âm."))
        elif hours > MAX_ALLOTMENT_HOURS or hours != hours.quantize(Decimal("0.01")):
            bad(
                index,
                "allotment_hours",
                "bad_hours",
                _("Số giờ tối đa %(max)s, nhiều nhất hai chữ số thập phân."),
                max="9999,99",
            )
        if len(problems) == known and hours is not None:
            cleaned.append(CleanStep(name, step.role, step.unit_scope, unit, hours))
    if problems:
        raise ValidationError(
            _("Quy trình có %(count)s lỗi cần sửa; chưa lưu gì."),
            code="steps_invalid",
            errors=problems,
            count=len(problems),
        )
    return cleaned


def steps_time_fit(
    *, version: ProcedureVersion, steps: Sequence[tuple[str, Decimal]] | None = None
) -> TimeFit:
    """The allotments `(name, hours)`, in order (by default the stored steps), against the
    version's counter and online legal times: the catalog's own check (`timefit`)."""
    if steps is None:
        steps = [(s.name, Decimal(s.allotment_hours)) for s in version.steps.all()]
    return time_fit(
        time_unit=version.time_unit,
        counter_time=Decimal(version.counter_time),
        online_time=Decimal(version.online_time) if version.online_time is not None else None,
        steps=[(order, name, hours) for order, (name, hours) in enumerate(steps, start=1)],
    )


def _step_state(step: ProcessStep | CleanStep) -> dict[str, Any]:
    unit = step.unit
    return {
        "name": step.name,
        "role": step.role,
        "unit_scope": step.unit_scope,
        "unit": unit.code if unit is not None else None,
        "allotment_hours": f"{Decimal(step.allotment_hours).normalize():f}",
    }


@transaction.atomic
def version_steps_save(
    *,
    version: ProcedureVersion,
    steps: Sequence[StepInput],
    actor: User,
    now: dt.datetime,
) -> list[ProcessStep]:
    """Replace the internal process of a draft by `steps`, in that order (1..n). Refused for
    anyone but a procedure administrator (PermissionDenied), for a published or retired
    version (IllegalTransition `version_published`) and for bad steps (ValidationError
    `steps_invalid`); nothing is written then. Whether the steps fit the legal time is not a
    reason to refuse a draft: publication refuses it (`steps_exceed_legal_time`)."""
    catalog_admin_check(actor=actor)
    stored = _locked_version(version.pk)
    _refuse_published(stored)
    cleaned = version_steps_clean(steps)
    existing = list(stored.steps.select_related("unit").order_by("order"))
    before = [_step_state(s) for s in existing]
    after = [_step_state(s) for s in cleaned]
    if before == after:
        return existing
    ProcessStep.objects.filter(version=stored).delete()
    rows = ProcessStep.objects.bulk_create(
        [
            ProcessStep(
                version=stored,
                order=order,
                name=s.name,
                role=s.role,
                unit_scope=s.unit_scope,
                unit=s.unit,
                allotment_hours=s.allotment_hours,
            )
            for order, s in enumerate(cleaned, start=1)
        ]
    )
    fit = steps_time_fit(version=stored, steps=[(s.name, s.allotment_hours) for s in cleaned])
    audit_record(
        actor=actor,
        action="process_steps.replace",
        object_type="catalog.procedureversion",
        object_id=_version_label(stored),
        now=now,
        before={"steps": before},
        after={
            "steps": after,
            "total_hours": f"{fit.total_hours.normalize():f}",
            "fits": fit.fits,
        },
    )
    catalog_cache_invalidate()
    return rows
