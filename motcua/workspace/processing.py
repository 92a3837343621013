"""The processing sections of the dossier page: the internal process, the process control
slip (form 06), the documents and the remaining working time. Each builds plain rows for its
partial template (workspace/partials/dossier_*.html) from one selector."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from motcua.deadlines.clock import clock_for_unit
from motcua.dossiers.lifecycle import DELIVERY_OPTIONS, role_label
from motcua.dossiers.models import (
    PAUSED_STATUSES,
    Dossier,
    DossierEvent,
    DossierFileKind,
    DossierStatus,
    StepResult,
    StepRun,
    StepRunKind,
)
from motcua.dossiers.selectors import (
    dossier_files,
    dossier_process,
    dossier_steps,
    dossier_suspensions,
)

from .timeleft import time_left_text, working_hours_left


def _hours(value: Any) -> str:
    """Working hours as a short number ("4", "1,5")."""
    text = f"{value:f}".rstrip("0").rstrip(".") if value is not None else ""
    return text.replace(".", ",")


def process_rows(*, dossier: Dossier, runs: list[StepRun]) -> list[dict[str, Any]]:
    """The version's steps in order: allotment, and for the steps reached the due instant and
    who holds (or held) them; the open step is `current`."""
    current = next((r for r in runs if r.pk == dossier.current_step_id), None)
    if current is not None and current.finished_at is not None:
        current = None
    last_by_step: dict[int, StepRun] = {}
    for row in runs:
        if row.step_id is not None:
            last_by_step[row.step_id] = row
    rows = []
    for step, unit in dossier_process(dossier=dossier):
        run = last_by_step.get(step.pk)
        is_current = current is not None and current.step_id == step.pk
        if is_current:
            state = "current"
        elif run is not None and run.finished_at is not None:
            state = "done"
        else:
            state = "todo"
        holder = ""
        if run is not None:
            person = run.assignee or (run.finished_by if run.finished_at else None)
            holder = person.display_name if person is not None else ""
        rows.append(
            {
                "name": step.name,
                "role": role_label(step.role) if step.role else "",
                "unit": unit.name,
                "hours": _hours(step.allotment_hours),
                "due": run.due_at if run is not None else None,
                "holder": holder,
                "state": state,
            }
        )
    return rows


RESULT_TAGS = {
    StepResult.EARLY: "done",
    StepResult.ON_TIME: "ok",
    StepResult.LATE: "late",
}


def slip_rows(runs: list[StepRun]) -> list[dict[str, Any]]:
    """Form 06's rows: each hand-over with who gave it, who received it, when, its due, when
    it was finished and how (early / on time / late against the step's due)."""
    rows = []
    for run in runs:
        result = StepResult(run.result) if run.result else None
        rows.append(
            {
                "order": run.order,
                "name": run.name,
                "unit": run.unit.name,
                "given_by": run.given_by.display_name if run.given_by else "",
                "received_by": run.assignee.display_name if run.assignee else "",
                "at": run.started_at,
                "due": run.due_at,
                "finished_at": run.finished_at,
                "finished_by": run.finished_by.display_name if run.finished_by else "",
                "result": result.label if result is not None else "",
                "result_tag": RESULT_TAGS.get(result, "") if result is not None else "",
                "note": run.note,
                "open": run.finished_at is None,
                "consult": run.kind == StepRunKind.CONSULT,
            }
        )
    return rows


def file_rows(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "id": link.file_id,
            "name": link.file.name,
            "kind": DossierFileKind(link.kind).label if link.kind in DossierFileKind.values else "",
            "component": link.component_code,
            "size_kb": max(1, round(link.file.size / 1024)),
            "pages": link.file.pages,
            "pdf": link.file.content_type == "application/pdf",
            "added_at": link.added_at,
        }
        for link in dossier_files(dossier=dossier)
    ]


def time_left(*, dossier: Dossier, now: dt.datetime) -> dict[str, Any] | None:
    """The working time left to the appointment in force; when the clock is paused (a
    supplement, a payment, a stop) since when and why, with nothing counted meanwhile."""
    due = dossier.effective_appointment_at
    if dossier.status in PAUSED_STATUSES and dossier.received_at is not None:
        pause = next((p for p in dossier_suspensions(dossier=dossier) if p.ended_at is None), None)
        return {
            "paused": True,
            "since": pause.started_at if pause is not None else None,
            "kind": pause.get_kind_display() if pause is not None else "",
            "due": due,
            "text": _("Tạm dừng tính thời gian giải quyết"),
            "late": False,
        }
    if due is None or dossier.status not in {DossierStatus.RECEIVED, DossierStatus.PROCESSING}:
        return None
    hours = working_hours_left(clock=clock_for_unit(dossier.receiving_unit), now=now, due=due)
    return {"paused": False, "due": due, "text": time_left_text(hours), "late": hours < 0}


def receipt_rows(events: list[DossierEvent]) -> list[tuple[str, Any]]:
    """The receipt of return (the `return_result` event's record), as summary rows."""
    event = next((e for e in reversed(events) if e.action == "return_result"), None)
    receipt = (event.after or {}).get("receipt") if event is not None else None
    if not receipt:
        return []
    deliveries = {value: str(label) for value, label in DELIVERY_OPTIONS}
    rows: list[tuple[str, Any]] = [
        (_("Hình thức trả"), deliveries.get(receipt.get("delivery", ""), "")),
        (_("Trả lúc"), event.at if event is not None else None),
        (_("Cán bộ trả"), event.actor.display_name if event and event.actor else ""),
    ]
    if receipt.get("collected_by"):
        rows.append((_("Người nhận kết quả"), receipt["collected_by"]))
    if receipt.get("collected_id_number"):
        rows.append((_("Số định danh người nhận"), receipt["collected_id_number"]))
    if receipt.get("tracking_number"):
        rows.append((_("Số hiệu bưu gửi"), receipt["tracking_number"]))
    return rows


def processing_context(
    *,
    dossier: Dossier,
    now: dt.datetime,
    events: list[DossierEvent],
    runs: list[StepRun] | None = None,
) -> dict[str, Any]:
    if runs is None:
        runs = list(dossier_steps(dossier=dossier))
    return {
        "process": process_rows(dossier=dossier, runs=runs),
        "slip": slip_rows(runs),
        "files": file_rows(dossier),
        "time_left": time_left(dossier=dossier, now=now),
        "receipt": receipt_rows(events),
    }
