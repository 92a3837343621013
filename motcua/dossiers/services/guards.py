"""The guards of the lifecycle table that need more than the status: one function each,
raising the IllegalTransition the service raises, so that `dossier_actions_for` offers an
action exactly when its service would accept it (it calls the same functions).

Private to `motcua.dossiers` (services and selectors)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcessStep
from motcua.core.errors import Conflict, IllegalTransition
from motcua.payments.models import FeeLine
from motcua.payments.services import PAYABLE

from ..lifecycle import open_consultation
from ..models import Dossier, StepRun
from ._base import APOLOGY_NOTICE_HOURS, appointment_clock, supplements_during_processing
from .steps import is_return_step, next_process_step, previous_process_step, process_steps


def fees_unpaid_codes(codes: list[str]) -> set[str]:
    """Which of these dossiers still have fee lines to pay (one query, for a list's rows)."""
    if not codes:
        return set()
    return set(
        FeeLine.objects.filter(dossier_code__in=codes, state__in=PAYABLE)
        .values_list("dossier_code", flat=True)
        .distinct()
    )


def guard_fees_paid(dossier: Dossier) -> None:
    """confirm_payment: nothing says "paid" that was not. While a fee line is unpaid (or an
    online payment pending) the officer cannot confirm; the dossier resumes by itself when
    the money arrives (`dossier_payment_settle`). `_fees_unpaid`, when a list read it for
    its rows (`fees_unpaid_codes`), saves the query."""
    known = getattr(dossier, "_fees_unpaid", None)
    unpaid = (
        known
        if known is not None
        else FeeLine.objects.filter(dossier_code=dossier.code, state__in=PAYABLE).exists()
    )
    if unpaid:
        raise Conflict(
            _(
                "Hồ sơ còn khoản phí, lệ phí chưa nộp: thu tại quầy hoặc chờ thanh toán trực "
                "tuyến; hồ sơ tự tiếp tục khi đã nộp đủ."
            ),
            code="fees_unpaid",
        )


def guard_not_closed(dossier: Dossier) -> None:
    if dossier.closed_at is not None:
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s đã kết thúc."), code="closed", dossier=dossier.code
        )


def guard_supplement_once(dossier: Dossier) -> None:
    """After the receipt a supplement may be asked once (domain.md section 3)."""
    if supplements_during_processing(dossier) >= 1:
        raise IllegalTransition(
            _(
                "Hồ sơ %(dossier)s đã được yêu cầu bổ sung một lần trong quá trình giải quyết; "
                "chỉ được yêu cầu bổ sung một lần."
            ),
            code="supplement_once",
            dossier=dossier.code,
        )


def guard_next_step(*, dossier: Dossier, run: StepRun | None) -> ProcessStep:
    """The step a forward leads to: the next step of the process, not the return step."""
    following = next_process_step(dossier=dossier, run=run)
    if run is None or following is None or is_return_step(dossier=dossier, step=following):
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s đã ở bước xử lý cuối: hãy ban hành kết quả."),
            code="last_step",
            dossier=dossier.code,
        )
    return following


def guard_no_consultation(dossier: Dossier, run: StepRun | None = None) -> None:
    """While another unit's opinion is awaited the holder keeps the dossier at its step."""
    asked = open_consultation(dossier, run)
    if asked is not None:
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s đang chờ ý kiến của %(unit)s."),
            code="consultation_open",
            dossier=dossier.code,
            unit=asked.unit.name,
        )


def guard_consultation(dossier: Dossier, run: StepRun | None = None) -> StepRun:
    """The consultation waiting for an answer."""
    asked = open_consultation(dossier, run)
    if asked is None:
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s không có yêu cầu xin ý kiến nào đang chờ trả lời."),
            code="no_consultation",
            dossier=dossier.code,
        )
    return asked


def guard_previous_step(*, dossier: Dossier, run: StepRun | None) -> ProcessStep:
    """The step a return leads back to: the step of the process before the current one, not
    the reception at the one-stop (a dossier found incomplete gets a supplement request)."""
    previous = previous_process_step(dossier=dossier, run=run)
    if run is None or previous is None or previous.unit_scope == ProcessStep.UnitScope.RECEIVING:
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s đang ở bước xử lý đầu tiên: không có bước trước để trả lại."),
            code="first_step",
            dossier=dossier.code,
        )
    return previous


def guard_result_step(*, dossier: Dossier, run: StepRun | None) -> ProcessStep | None:
    """Every processing step is done; returns the return step to open, if any."""
    following = next_process_step(dossier=dossier, run=run) if run is not None else None
    if following is not None and not is_return_step(dossier=dossier, step=following):
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s chưa qua hết các bước xử lý (bước tiếp theo: %(step)s)."),
            code="steps_remaining",
            dossier=dossier.code,
            step=following.name,
        )
    if run is None:
        returns = [
            s
            for s in process_steps(dossier.procedure_version)[1:]
            if is_return_step(dossier=dossier, step=s)
        ]
        following = returns[0] if returns else None
    return following


def guard_apology(*, dossier: Dossier, now: dt.datetime) -> dt.datetime:
    """Once, before the appointment and at least APOLOGY_NOTICE_HOURS working hours before
    it. Returns the appointment."""
    if dossier.new_appointment_at is not None:
        raise IllegalTransition(
            _("Hồ sơ %(dossier)s đã được hẹn lại một lần; chỉ được hẹn lại một lần."),
            code="apology_once",
            dossier=dossier.code,
        )
    appointment = dossier.appointment_at
    if appointment is None or now >= appointment:
        raise IllegalTransition(
            _("Đã quá ngày hẹn trả của hồ sơ %(dossier)s."),
            code="appointment_passed",
            dossier=dossier.code,
        )
    if appointment_clock(dossier).working_hours_between(now, appointment) < APOLOGY_NOTICE_HOURS:
        raise IllegalTransition(
            _("Thư xin lỗi phải gửi chậm nhất 01 ngày làm việc trước ngày hẹn trả."),
            code="apology_too_late",
        )
    return appointment
