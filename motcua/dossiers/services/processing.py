"""Processing along the internal process: forward, transfer, issue and return the result,
apologise with a new date, withdraw."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import ProcessStep
from motcua.core.errors import ValidationError
from motcua.documents.issued import issued_codes_for_files
from motcua.documents.models import ContentType, DataStoreItem
from motcua.documents.services import (
    DEFAULT_MAX_BYTES,
    Checked,
    file_check,
    stored_bytes_delete,
)
from motcua.organisation.models import Unit
from motcua.organisation.selectors import user_roles_in_unit

from ..lifecycle import DELIVERY_COUNTER, DELIVERY_ONLINE, DELIVERY_OPTIONS, DELIVERY_POST
from ..models import (
    Dossier,
    DossierFile,
    DossierFileKind,
    DossierStatus,
    ResultOutcome,
    StepRun,
    StepRunKind,
)
from ._base import (
    begin,
    end_open_suspension,
    finish_step,
    next_order,
    require_text,
    stored_text,
)
from .capture import result_to_data_store
from .guards import (
    guard_apology,
    guard_consultation,
    guard_next_step,
    guard_no_consultation,
    guard_not_closed,
    guard_previous_step,
    guard_result_step,
)
from .results import result_issue_signed
from .steps import (
    close_current_step,
    open_step,
    step_outside,
    step_unit,
    steps_mark_outside,
)


def _check_assignee(*, user: User | None, unit: Unit, role: str) -> None:
    if user is None:
        return
    if role and role not in user_roles_in_unit(user=user, unit=unit):
        raise ValidationError(
            _("Người nhận không có vai trò phù hợp tại %(unit)s."),
            code="invalid_assignee",
            unit=unit.name,
        )


@transaction.atomic
def dossier_forward(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    to_user: User | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Finish the current step (early / on time / late against its due) and start the next
    step of the internal process (due = now + its allotment on its unit's clock).

    The actor holds the current step's role in the step's unit (a leader of that unit may
    always forward). The first forward after reception moves 2 -> 4. The step before the
    result is returned is left by issuing the result, not by forwarding."""
    change = begin(
        action="forward",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    dossier, run = change.dossier, change.run
    guard_no_consultation(dossier, run)
    following = guard_next_step(dossier=dossier, run=run)
    assert run is not None  # guard_next_step refuses a dossier with no open step
    target_unit = step_unit(dossier=dossier, step=following)
    _check_assignee(user=to_user, unit=target_unit, role=following.role)
    finish_step(run=run, actor=actor, now=now, classify_it=True)
    dossier.current_step = open_step(
        dossier=dossier,
        step=following,
        order=next_order(dossier, run=run),
        given_by=actor,
        assignee=to_user,
        start=now,
        note=change.text,
    )
    if dossier.status == DossierStatus.RECEIVED:
        dossier.status = DossierStatus.PROCESSING
    return change.commit(
        extra={"step": following.name, "assignee_id": to_user.pk if to_user else None}
    )


@transaction.atomic
def dossier_return_step(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """The holder of the current step sends the dossier back to the previous step of the
    internal process (its work must be redone or completed), with the reason.

    The current slip row is finished (early / on time / late against its due: the return is
    a hand-over like any other) and marked returned with the reason; the previous step opens
    again with its full allotment, given to whoever did it last (a leader of its unit may
    pick it up otherwise). The dossier stays in processing (4)."""
    change = begin(
        action="return_step",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    dossier, run = change.dossier, change.run
    guard_no_consultation(dossier, run)
    previous = guard_previous_step(dossier=dossier, run=run)
    assert run is not None  # guard_previous_step refuses a dossier with no open step
    last = (
        StepRun.objects.filter(dossier=dossier, step=previous)
        .select_related("assignee", "finished_by")
        .order_by("-order")
        .first()
    )
    assignee = None
    if last is not None:
        assignee = last.assignee or last.finished_by
    finish_step(
        run=run,
        actor=actor,
        now=now,
        classify_it=True,
        note=stored_text(
            _("Trả lại bước “%(step)s”: %(reason)s"), step=previous.name, reason=change.text
        ),
    )
    dossier.current_step = open_step(
        dossier=dossier,
        step=previous,
        order=next_order(dossier, run=run),
        given_by=actor,
        assignee=assignee,
        start=now,
        note=stored_text(_("Được trả lại từ bước “%(step)s”"), step=run.name),
    )
    return change.commit(
        extra={
            "step": previous.name,
            "returned_from": run.name,
            "assignee_id": assignee.pk if assignee else None,
        }
    )


@transaction.atomic
def dossier_consult(
    *,
    dossier: Dossier,
    actor: User,
    to_unit: Unit,
    answer_by: dt.datetime,
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """The holder of the current step asks `to_unit` for its opinion (`reason`: what is
    asked) by `answer_by`, keeping the dossier: the current step stays open, and a
    consultation row (kind `consult`) opens on the slip in `to_unit`, whose leaders and
    specialists then see the dossier and answer (`dossier_answer_consult`). One at a time;
    meanwhile the dossier does not leave its step."""
    change = begin(
        action="consult",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    dossier, run = change.dossier, change.run
    guard_no_consultation(dossier, run)
    if run is not None and to_unit.pk == run.unit_id:
        raise ValidationError(
            _("Hãy chọn một đơn vị khác đơn vị đang xử lý bước này."),
            code="same_unit",
            errors=[{"field": "to_unit", "code": "same_unit"}],
        )
    if not to_unit.is_active:
        raise ValidationError(_("Đơn vị nhận đã ngừng hoạt động."), code="unit_inactive")
    if answer_by.tzinfo is None or answer_by <= now:
        raise ValidationError(
            _("Hạn trả lời phải sau thời điểm xin ý kiến."),
            code="answer_by_invalid",
            errors=[{"field": "answer_by", "code": "not_later"}],
        )
    StepRun.objects.create(
        dossier=dossier,
        order=next_order(dossier, run=run),
        outside=step_outside(dossier=dossier, unit=to_unit),
        kind=StepRunKind.CONSULT,
        step=None,
        name=stored_text(_("Xin ý kiến %(unit)s"), unit=to_unit.name),
        unit=to_unit,
        role="",
        given_by=actor,
        started_at=now,
        due_at=answer_by,
        note=change.text,
    )
    return change.commit(
        extra={"consulted_unit": to_unit.code, "answer_by": answer_by.isoformat()},
        payload={"to_unit": to_unit.code},
    )


@transaction.atomic
def dossier_answer_consult(
    *,
    dossier: Dossier,
    actor: User,
    answer: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """A leader or specialist of the consulted unit gives its opinion: the consultation row
    is finished (early / on time / late against the answer's due) with the answer; the
    holder of the step may then go on."""
    change = begin(
        action="answer_consult",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=answer,
    )
    asked = guard_consultation(change.dossier, change.run)
    finish_step(run=asked, actor=actor, now=now, classify_it=True, note=change.text)
    return change.commit(extra={"consulted_unit": asked.unit.code})


@transaction.atomic
def dossier_transfer(
    *,
    dossier: Dossier,
    actor: User,
    to_unit: Unit,
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Hand the dossier over to another unit (a branch or another ward to the competent
    unit, or a wrongly routed dossier): `handling_unit` becomes `to_unit`.

    The slip gets a transfer row; when the current step runs in the old handling unit it is
    closed and the same step reopens in `to_unit` with its full allotment."""
    change = begin(
        action="transfer",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    dossier, role, text = change.dossier, change.role, change.text
    if to_unit.pk == dossier.handling_unit_id:
        raise ValidationError(_("Hồ sơ đang ở đơn vị này."), code="same_unit")
    if not to_unit.is_active:
        raise ValidationError(_("Đơn vị nhận đã ngừng hoạt động."), code="unit_inactive")
    old_unit = dossier.handling_unit
    order = next_order(dossier)
    transfer_row = StepRun.objects.create(
        dossier=dossier,
        order=order,
        step=None,
        name=stored_text(_("Chuyển hồ sơ đến %(unit)s"), unit=to_unit.name),
        unit=old_unit,
        role=role,
        given_by=actor,
        started_at=now,
        due_at=now,
        finished_at=now,
        finished_by=actor,
        note=text,
    )
    dossier.handling_unit = to_unit
    run = change.run
    if (
        run is not None
        and run.unit_id == old_unit.pk
        and (run.step is None or run.step.unit_scope == ProcessStep.UnitScope.COMPETENT)
    ):
        finish_step(
            run=run,
            actor=actor,
            now=now,
            classify_it=True,
            note=stored_text(_("Chuyển đến %(unit)s"), unit=to_unit.name),
        )
        dossier.current_step = open_step(
            dossier=dossier,
            step=run.step,
            order=transfer_row.order + 1,
            given_by=actor,
            assignee=None,
            start=now,
            name=run.name,
            role=run.role,
            unit=to_unit,
        )
    steps_mark_outside(dossier=dossier)  # last: the old unit's rows now show it the dossier
    return change.commit(payload={"from_unit": old_unit.code, "to_unit": to_unit.code})


def dossier_issue_result(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    note: str = "",
    outcome: str = ResultOutcome.GRANTED,
    expected_version: int | None = None,
    result_file: Any | None = None,
) -> Dossier:
    """A leader or specialist of the handling unit issues the result after the last
    processing step: 2|4 -> 9, `finished_at` = now. The current step is finished (classified)
    and the return step at the one-stop, if the process has one, is opened.

    `outcome` "refused" is a *refusal to settle* (domain.md section 3, "Refusal after
    reception"): a result with its reasons (`note` required), settled and measured like any
    other; a received dossier never goes back to status 3.

    The result is signed by the handling unit in the same transaction (`results`): the
    officer's `result_file` (a PDF upload, checked like any file before the dossier is locked)
    or, without one, a PDF written from the dossier; a paper result also gets its signed
    electronic copy. The event records the files and their verification codes. A signing
    failure (`no_signer`, `signer_unreadable`...) changes nothing and keeps no bytes."""
    checked = None
    if result_file is not None:
        checked = file_check(
            upload=result_file,
            name=getattr(result_file, "name", None),
            allowed_types=(ContentType.PDF,),
            max_bytes=DEFAULT_MAX_BYTES,
        )
    saved: list[str] = []
    try:
        with transaction.atomic():
            return _issue_result(
                dossier=dossier,
                actor=actor,
                now=now,
                note=note,
                outcome=outcome,
                expected_version=expected_version,
                checked=checked,
                saved=saved,
            )
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise
    finally:
        if checked is not None:
            checked.close()


def _issue_result(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    note: str,
    outcome: str,
    expected_version: int | None,
    checked: Checked | None,
    saved: list[str],
) -> Dossier:
    change = begin(
        action="issue_result",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    dossier, run = change.dossier, change.run
    if outcome not in ResultOutcome.values:
        raise ValidationError(
            _("Kết quả giải quyết không hợp lệ."),
            code="invalid_outcome",
            errors=[{"field": "outcome", "code": "invalid_choice"}],
        )
    if outcome == ResultOutcome.REFUSED:
        require_text(
            change.text,
            field="reason",
            message=_("Từ chối giải quyết phải nêu rõ lý do."),
        )
    guard_no_consultation(dossier, run)
    following = guard_result_step(dossier=dossier, run=run)
    if run is not None:
        finish_step(run=run, actor=actor, now=now, classify_it=True, note=change.text)
    dossier.current_step = None
    if following is not None:
        dossier.current_step = open_step(
            dossier=dossier,
            step=following,
            order=next_order(dossier, run=run),
            given_by=actor,
            assignee=None,
            start=now,
        )
    dossier.status = DossierStatus.FINISHED
    dossier.finished_at = now
    dossier.result_outcome = outcome
    issued = result_issue_signed(
        dossier=dossier,
        actor=actor,
        now=now,
        outcome=outcome,
        note=change.text,
        source=checked.temp.read() if checked is not None else None,
        source_name=checked.name if checked is not None else "",
        source_scanned=checked.scanned if checked is not None else False,
        saved=saved,
    )
    if outcome == ResultOutcome.GRANTED:
        result_to_data_store(dossier=dossier, document=issued.electronic, now=now)
    extra: dict[str, Any] = {
        "outcome": outcome,
        "file": issued.result.file_id,
        "verify_code": issued.result.code,
        "sha256": issued.result.file.sha256,
    }
    if issued.copy is not None:
        extra["copy_file"] = issued.copy.file_id
        extra["copy_verify_code"] = issued.copy.code
    return change.commit(
        extra=extra,
        payload={
            "outcome": outcome,
            "file": issued.electronic.file_id,
            "verify_code": issued.electronic.code,
        },
    )


def result_delivery_online(*, dossier: Dossier, now: dt.datetime) -> dict[str, str]:
    """A result returned online: the signed electronic result (the result, or the signed copy
    of a paper one) issued at `issue_result` is what the applicant receives; a granted one is
    already in their data store. Records which file and code were delivered, and whether the
    data store holds it."""
    links = list(
        DossierFile.objects.filter(
            dossier=dossier, kind__in=(DossierFileKind.RESULT_COPY, DossierFileKind.RESULT)
        )
        .order_by("-added_at", "-id")
        .values_list("kind", "file_id")
    )
    if not links:
        return {"datastore": "none"}
    _kind, file_id = min(links, key=lambda link: link[0] != DossierFileKind.RESULT_COPY)
    kept = DataStoreItem.objects.filter(file_id=file_id, source_dossier_code=dossier.code)
    return {
        "file": str(file_id),
        "verify_code": issued_codes_for_files(file_ids=[file_id]).get(file_id, ""),
        "datastore": "kept" if kept.exists() else "none",
    }


@transaction.atomic
def dossier_return_result(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    note: str = "",
    delivery: str = DELIVERY_COUNTER,
    collected_by: str = "",
    collected_id_number: str = "",
    tracking_number: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """A one-stop officer (receiving or handling unit) returns the result: 9 -> 10.

    `delivery` says how: at the counter (the receipt of return: who collected it, the
    applicant when not named, their id number, the time), by post (the tracking number is
    required) or online (`result_delivery_online`). The receipt is kept in the event."""
    change = begin(
        action="return_result",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=note,
    )
    dossier, run = change.dossier, change.run
    if delivery not in {value for value, _label in DELIVERY_OPTIONS}:
        raise ValidationError(
            _("Hình thức trả kết quả không hợp lệ."),
            code="invalid",
            errors=[{"field": "delivery", "code": "invalid_choice"}],
        )
    receipt: dict[str, str] = {"delivery": delivery}
    if delivery == DELIVERY_COUNTER:
        # Nobody named: the applicant collected it (with the id number on the dossier).
        named = collected_by.strip()
        receipt["collected_by"] = named or dossier.applicant_name
        receipt["collected_id_number"] = collected_id_number.strip() or (
            "" if named else dossier.applicant_id_number
        )
        receipt["collected_at"] = now.isoformat()
    elif delivery == DELIVERY_POST:
        if not tracking_number.strip():
            raise ValidationError(
                _("Trả kết quả qua bưu chính phải ghi số hiệu bưu gửi."),
                code="tracking_number_required",
                errors=[{"field": "tracking_number", "code": "required"}],
            )
        receipt["tracking_number"] = tracking_number.strip()
    else:
        assert delivery == DELIVERY_ONLINE
        receipt.update(result_delivery_online(dossier=dossier, now=now))
    if run is not None:
        finish_step(run=run, actor=actor, now=now, classify_it=True, note=change.text)
    dossier.current_step = None
    dossier.status = DossierStatus.RETURNED
    dossier.returned_at = now
    return change.commit(extra={"receipt": receipt}, payload={"delivery": delivery})


@transaction.atomic
def dossier_apologize(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    new_appointment_at: dt.datetime,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """The apology and new date (form 04): only once, while received or processing, at least
    APOLOGY_NOTICE_HOURS working hours (1 working day) before the appointment, with a new
    date after it. A leader or officer of the handling unit."""
    change = begin(
        action="apologize",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    dossier = change.dossier
    appointment = guard_apology(dossier=dossier, now=now)
    if new_appointment_at.tzinfo is None or new_appointment_at <= appointment:
        raise ValidationError(
            _("Ngày hẹn mới phải sau ngày hẹn trả hiện tại."),
            code="new_date_not_later",
            errors=[{"field": "new_appointment_at", "code": "not_later"}],
        )
    dossier.new_appointment_at = new_appointment_at
    return change.commit(payload={"new_appointment_at": new_appointment_at.isoformat()})


@transaction.atomic
def dossier_withdraw(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """The applicant withdraws (or an officer records the applicant's request) while no
    result has been issued: 1|2|4|5|6|8 -> 7. Open pauses and the current step close."""
    change = begin(
        action="withdraw",
        dossier=dossier,
        actor=actor,
        now=now,
        expected_version=expected_version,
        text=reason,
    )
    dossier, text = change.dossier, change.text
    guard_not_closed(dossier)
    end_open_suspension(dossier=dossier, now=now)
    close_current_step(dossier=dossier, actor=actor, now=now, note=text)
    dossier.status = DossierStatus.WITHDRAWN
    dossier.closed_at = now
    return change.commit()
