"""The dossier's trail as its applicant reads it: plain Vietnamese, one entry per event that
concerns them (docs/my-dossiers.md, "The timeline").

What is said: where the dossier is (the unit, never the officer: the applicant deals with
the agency, and the officer's name is on the official forms and the signed result they
receive), what was asked of them and why (the supplement's list, a payment's amount), the
appointment and its extension, the outcome and how the result went out. What is not said:
internal hand-overs' notes, a step returned inside the agency, the content of an opinion
asked of another unit. The staff workspace keeps its own, complete timeline
(`lifecycle.action_label`, which this falls back on for an action it does not know).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.clock import local
from motcua.organisation.models import Unit
from motcua.payments.words import vnd_figures_local

from .lifecycle import DELIVERY_COUNTER, DELIVERY_ONLINE, DELIVERY_POST, action_label
from .models import Channel, Dossier, DossierEvent, ResultOutcome, StepRun

#: Events of the agency's own kitchen: not shown to the applicant.
HIDDEN_ACTIONS = frozenset({"return_step", "answer_consult", "file_add_staff"})


@dataclass
class TimelineEntry:
    at: dt.datetime
    title: str
    #: A sentence under the title (a reason the applicant is given, a unit, a date).
    detail: str = ""
    #: A supplement request's list: (what, why).
    items: list[tuple[str, str]] = field(default_factory=list)
    status_after: int | None = None
    #: "action": something was asked of the applicant; "done": a result; "": information.
    tone: str = ""


def _date(value: Any) -> str:
    if not value:
        return ""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return local(when).strftime("%d/%m/%Y")


def _money(amount: Any) -> str:
    try:
        return vnd_figures_local(amount)
    except (TypeError, ValueError):
        return str(amount)


def _unit_names(
    events: list[DossierEvent], dossier: Dossier
) -> tuple[dict[int, str], dict[str, str]]:
    ids = {dossier.receiving_unit_id, dossier.handling_unit_id}
    codes: set[str] = set()
    for event in events:
        for side in (event.before or {}, event.after or {}):
            if side.get("handling_unit_id"):
                ids.add(int(side["handling_unit_id"]))
        if (event.after or {}).get("consulted_unit"):
            codes.add(str(event.after["consulted_unit"]))
    rows = Unit.objects.filter(pk__in=ids) | Unit.objects.filter(code__in=codes)
    by_id, by_code = {}, {}
    for unit_id, code, name in rows.values_list("pk", "code", "name"):
        by_id[unit_id] = name
        by_code[code] = name
    return by_id, by_code


def applicant_timeline(
    *, dossier: Dossier, events: Iterable[DossierEvent], steps: Iterable[StepRun] = ()
) -> list[TimelineEntry]:
    """The entries of `dossier`'s trail for its applicant, oldest first. `events` is
    `dossier_events(dossier=)`, `steps` `dossier_steps(dossier=)` (the unit of each step
    the dossier was forwarded to). Three queries at most: the units named."""
    events = list(events)
    by_id, by_code = _unit_names(events, dossier)
    step_units = {(run.name, run.started_at): run.unit.name for run in steps}
    handling = by_id.get(dossier.receiving_unit_id, "")
    # The handling unit as it was: start from the first event's value, follow transfers.
    for event in events:
        first = (event.before or {}).get("handling_unit_id")
        if first:
            handling = by_id.get(int(first), handling)
            break
    else:
        handling = by_id.get(dossier.handling_unit_id, handling)
    receiving = by_id.get(dossier.receiving_unit_id, "")
    entries: list[TimelineEntry] = []
    for event in events:
        after = event.after or {}
        if after.get("handling_unit_id"):
            handling = by_id.get(int(after["handling_unit_id"]), handling)
        entry = _entry(
            event,
            after=after,
            receiving=receiving,
            handling=handling,
            step_units=step_units,
            by_code=by_code,
            channel=dossier.channel,
        )
        if entry is not None:
            entry.status_after = event.status_after
            entries.append(entry)
    return entries


def _entry(
    event: DossierEvent,
    *,
    after: dict[str, Any],
    receiving: str,
    handling: str,
    step_units: dict[tuple[str, dt.datetime], str],
    by_code: dict[str, str],
    channel: int,
) -> TimelineEntry | None:
    action, at, reason = event.action, event.at, event.reason
    by_applicant = event.actor_role == "applicant"
    if action in HIDDEN_ACTIONS:
        return None
    if action == "submit":
        if by_applicant:
            title = _("Bạn đã nộp hồ sơ trực tuyến")
        elif channel == Channel.POST:
            title = _("Hồ sơ gửi qua bưu chính đã đến")
        else:
            title = _("Bạn đã nộp hồ sơ tại bộ phận một cửa")
        return TimelineEntry(at, title, _("Nơi nhận: %(unit)s.") % {"unit": receiving})
    if action in {"receive", "receive_at_counter"}:
        detail = _("Tiếp nhận tại %(unit)s.") % {"unit": receiving}
        if after.get("appointment_at"):
            detail += " " + _("Hẹn trả kết quả ngày %(date)s.") % {
                "date": _date(after["appointment_at"])
            }
        return TimelineEntry(at, _("Hồ sơ đã được tiếp nhận"), detail)
    if action == "refuse":
        return TimelineEntry(at, _("Hồ sơ không được tiếp nhận"), reason, tone="done")
    if action in {"request_supplement", "guide_at_counter"}:
        items = [
            (str(i.get("name") or i.get("component") or ""), str(i.get("reason") or ""))
            for i in after.get("items") or []
        ]
        return TimelineEntry(
            at, _("Cơ quan yêu cầu bổ sung hồ sơ"), reason, items=items, tone="action"
        )
    if action == "supplement":
        who = _("Bạn đã bổ sung hồ sơ") if by_applicant else _("Hồ sơ đã được bổ sung tại quầy")
        count = len(after.get("files") or [])
        detail = _("Đã gửi %(count)s tệp.") % {"count": count} if count else ""
        return TimelineEntry(at, who, detail)
    if action == "forward":
        unit = step_units.get((str(after.get("step") or ""), at), handling)
        return TimelineEntry(
            at,
            _("Hồ sơ đang được xử lý"),
            _("Bước “%(step)s” tại %(unit)s.") % {"step": after.get("step") or "", "unit": unit},
        )
    if action == "consult":
        unit = by_code.get(str(after.get("consulted_unit") or ""), "")
        return TimelineEntry(
            at,
            _("Cơ quan giải quyết lấy ý kiến đơn vị khác"),
            _("Đơn vị: %(unit)s.") % {"unit": unit},
        )
    if action == "transfer":
        return TimelineEntry(
            at,
            _("Hồ sơ được chuyển đến đơn vị khác"),
            _("Đơn vị giải quyết: %(unit)s.") % {"unit": handling},
        )
    if action == "request_payment":
        detail = _("Số tiền: %(amount)s đồng.") % {"amount": _money(after.get("amount_vnd"))}
        if reason:
            detail += " " + reason
        return TimelineEntry(at, _("Cần thực hiện nghĩa vụ tài chính"), detail, tone="action")
    if action == "confirm_payment":
        return TimelineEntry(at, _("Đã ghi nhận việc thực hiện nghĩa vụ tài chính"))
    if action == "stop":
        return TimelineEntry(at, _("Hồ sơ tạm dừng xử lý"), reason)
    if action == "resume":
        return TimelineEntry(at, _("Hồ sơ được tiếp tục xử lý"))
    if action == "apologize":
        detail = _("Ngày hẹn mới: %(date)s.") % {"date": _date(after.get("new_appointment_at"))}
        if reason:
            detail += " " + _("Lý do: %(reason)s") % {"reason": reason}
        return TimelineEntry(at, _("Cơ quan xin lỗi vì chậm trả kết quả và hẹn lại"), detail)
    if action == "withdraw":
        who = _("Bạn đã rút hồ sơ") if by_applicant else _("Hồ sơ đã được rút theo yêu cầu")
        return TimelineEntry(at, who, reason, tone="done")
    if action == "issue_result":
        if after.get("outcome") == ResultOutcome.REFUSED:
            return TimelineEntry(at, _("Hồ sơ bị từ chối giải quyết"), reason, tone="done")
        return TimelineEntry(
            at, _("Đã có kết quả giải quyết"), _("Kết quả đã được ký số."), tone="done"
        )
    if action == "return_result":
        delivery = (after.get("receipt") or {}).get("delivery", DELIVERY_COUNTER)
        detail = {
            DELIVERY_COUNTER: _("Trả tại bộ phận một cửa."),
            DELIVERY_POST: _("Gửi qua dịch vụ bưu chính công ích."),
            DELIVERY_ONLINE: _("Trả trực tuyến vào kho dữ liệu của bạn."),
        }.get(delivery, "")
        return TimelineEntry(at, _("Đã trả kết quả"), detail, tone="done")
    if action == "close_unsupplemented":
        return TimelineEntry(at, _("Hồ sơ bị đóng vì không được bổ sung đúng hạn"), tone="done")
    if action == "file_add":
        if not by_applicant:
            return None  # the agency's own scans and attachments
        return TimelineEntry(at, _("Bạn đã thêm tệp vào hồ sơ"))
    if action in {"component_reuse", "component_national_data"}:
        return TimelineEntry(at, action_label(action))
    if action == "certified_copy_report":
        return TimelineEntry(at, _("Bạn đã phản ánh bị yêu cầu bản sao chứng thực"))
    if action == "rate":
        return TimelineEntry(at, _("Bạn đã đánh giá mức độ hài lòng"))
    return TimelineEntry(at, action_label(action))
