"""What each official form (Circular 03/2025/TT-VPCP, Appendix I) prints, read from the dossier
and its trail: the form is the record of an event, so it carries that event's time, actor and
reason (the receipt the appointment it gave, even if a pause moved it since).

`form_document(dossier=, number=)` -> `FormDocument` (template and context), or `FormNotIssued`
when the dossier has not had that form issued (04 without an apology, 03 without a refusal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.catalog.models import AcceptedForm, Component, ResultKind, TimeUnit
from motcua.core.clock import VN_TZ, local
from motcua.core.errors import Conflict, NotFound
from motcua.organisation.models import Unit

from ..models import Channel, Dossier, DossierEvent, StepResult, StepRun
from .render import date_line, lookup_url, qr_data_uri, vn_date, vn_datetime, vn_time

#: The forms of one dossier (07, the tracking book, is a unit's, see `book.py`).
FORM_NUMBERS = ("01", "02", "03", "04", "05", "06")
#: The receipt of return (biên nhận trả kết quả): not one of the circular's numbered forms,
#: printed when the result is handed over at the counter, signed by who collected it.
RETURN_RECEIPT = "return-receipt"
#: Every document of a dossier that prints itself: the forms and the receipt of return.
DOSSIER_DOCUMENTS = (*FORM_NUMBERS, RETURN_RECEIPT)

#: Titles as printed (upper case on the form). 04 and 05 follow Circular 03/2025's list of
#: forms ("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết" is its wording for 04;
#: the brief's, from the 2018 forms, is kept: docs/forms.md notes the doubt).
TITLES = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "07": "Sổ theo dõi hồ sơ",
    RETURN_RECEIPT: "Biên nhận trả kết quả giải quyết hồ sơ",
}

RESULT_TEXT = {
    StepResult.EARLY: "Trước hạn",
    StepResult.ON_TIME: "Đúng hạn",
    StepResult.LATE: "Quá hạn",
}


class FormNotIssued(Conflict):
    """The dossier has no such form (yet): 409 `form_not_issued`."""

    code = "form_not_issued"


@dataclass(frozen=True)
class FormDocument:
    """One form, ready to render: the template, its context, the page, who issued it."""

    number: str
    title: str
    template: str
    context: dict[str, Any]
    issuing_unit: Unit
    issued_at: dt.datetime
    issued_by: User | None
    sizes: tuple[str, ...] = ("a4",)
    extra: dict[str, Any] = field(default_factory=dict)


def place_name(unit: Unit) -> str:
    """The place in the date line: the province's name without "UBND", "Thành phố", "Tỉnh"
    ("UBND Thành phố Hà Nội" -> "Hà Nội")."""
    root = unit
    seen = {root.pk}
    while root.parent_id is not None and root.parent_id not in seen:
        assert root.parent is not None
        root = root.parent
        seen.add(root.pk)
    name = root.name.strip()
    for prefix in ("UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "):
        if name.lower().startswith(prefix.lower()):
            name = name[len(prefix) :]
    for prefix in ("Thành phố ", "Tỉnh ", "TP. ", "TP "):
        if name.lower().startswith(prefix.lower()):
            name = name[len(prefix) :]
            break
    return name.strip()


def header(*, unit: Unit, code: str, issued_at: dt.datetime, number: str) -> dict[str, Any]:
    """The national header, the issuing unit under its parent agency, the date line, the
    form number, the dossier code and the QR code of the public look-up."""
    url = lookup_url(code) if code else ""
    return {
        "parent_agency": unit.parent.name.upper() if unit.parent is not None else "",
        "unit_name": unit.name.upper(),
        "unit": unit.name,
        "date_line": date_line(place_name(unit), issued_at),
        "form_number": number if number != RETURN_RECEIPT else "",
        "title": TITLES[number].upper(),
        "code": code,
        "lookup_url": url,
        "qr": qr_data_uri(url) if url else "",
    }


def _applicant(dossier: Dossier) -> dict[str, Any]:
    rep = dossier.representative or {}
    principal = None
    if rep.get("principal_name"):
        principal = {
            "name": rep.get("principal_name", ""),
            "id_number": rep.get("principal_id_number", ""),
            "relationship": rep.get("relationship") or "",
            "document": rep.get("authorisation_document") or "",
        }
    return {
        "name": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "address": dossier.applicant_address,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "principal": principal,
    }


def _procedure(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return {"code": version.procedure.code, "name": version.procedure.name}


def _person(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _events(dossier: Dossier) -> list[DossierEvent]:
    return list(
        DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("seq")
    )


def _last(events: list[DossierEvent], *actions: str) -> DossierEvent | None:
    found = [e for e in events if e.action in actions]
    return found[-1] if found else None


def _instant(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _not_issued(dossier: Dossier, number: str) -> FormNotIssued:
    if number == RETURN_RECEIPT:
        return FormNotIssued(
            _("Hồ sơ %(dossier)s chưa trả kết quả tại quầy nên chưa có biên nhận trả kết quả."),
            dossier=dossier.code,
        )
    return FormNotIssued(
        _("Hồ sơ %(dossier)s chưa có mẫu số %(number)s (%(title)s)."),
        dossier=dossier.code,
        number=number,
        title=TITLES[number],
    )


def legal_time_text(*, amount: Decimal, unit: str) -> str:
    if unit == TimeUnit.IMMEDIATE:
        return "Trong ngày"
    text = f"{amount.normalize():f}".replace(".", ",")
    label = {
        TimeUnit.WORKING_DAYS: "ngày làm việc",
        TimeUnit.WORKING_HOURS: "giờ làm việc",
        TimeUnit.CALENDAR_DAYS: "ngày",
    }.get(TimeUnit(unit), "ngày")
    return f"{text} {label}"


ACCEPTED_FORM_TEXT = {
    AcceptedForm.ORIGINAL: "bản chính",
    AcceptedForm.ORIGINAL_TO_COMPARE: "bản chính để đối chiếu",
    AcceptedForm.COPY: "bản sao",
    AcceptedForm.CERTIFIED_COPY: "bản sao chứng thực",
    AcceptedForm.ELECTRONIC_COPY: "bản sao điện tử chứng thực từ bản chính",
    AcceptedForm.NATIONAL_DATA: "khai thác từ cơ sở dữ liệu quốc gia",
    AcceptedForm.DECLARATION_FORM: "tờ khai theo mẫu",
}

CHANNEL_TEXT: dict[int, str] = {
    Channel.COUNTER: "trực tiếp",
    Channel.ONLINE: "trực tuyến",
    Channel.POST: "qua dịch vụ bưu chính công ích",
}

RESULT_KIND_TEXT = {
    ResultKind.PAPER: "bản giấy",
    ResultKind.ELECTRONIC: "bản điện tử",
    ResultKind.BOTH: "bản giấy và bản điện tử",
}


def _components(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for component in Component.objects.filter(version=dossier.procedure_version).order_by("order"):
        forms = [
            ACCEPTED_FORM_TEXT.get(AcceptedForm(f), f)
            for f in component.accepted_forms or []
            if f in AcceptedForm.values
        ]
        rows.append(
            {
                "name": component.name,
                "forms": ", ".join(forms),
                "copies": component.copies,
                "required": component.required,
            }
        )
    return rows


def book_entry(dossier: Dossier) -> tuple[int, int]:
    """The receipt's line in the tracking book (form 07): the book is the receiving unit's
    for the local year of reception (book number = the year), the line the dossier's rank
    among that unit's dossiers received that year."""
    assert dossier.received_at is not None
    year = local(dossier.received_at).year
    start = dt.datetime(year, 1, 1, tzinfo=VN_TZ)
    earlier = Dossier.objects.filter(
        Q(received_at__lt=dossier.received_at)
        | Q(received_at=dossier.received_at, id__lte=dossier.pk),
        receiving_unit_id=dossier.receiving_unit_id,
        received_at__gte=start,
    )
    return year, earlier.count()


# --- the forms ------------------------------------------------------------------------------


def _issued_form(
    *,
    dossier: Dossier,
    number: str,
    issuing_unit: Unit,
    issued_at: dt.datetime,
    issued_by: User | None,
    sizes: tuple[str, ...] = ("a4",),
    **context: Any,
) -> FormDocument:
    """A form issued by `issuing_unit` about `dossier`: its number, title and template, the national
    header, the applicant and the procedure, then the form's own fields."""
    return FormDocument(
        number=number,
        title=TITLES[number],
        template=(
            f"dossiers/forms/form{number}.html"
            if number in FORM_NUMBERS
            else f"dossiers/forms/{number}.html"
        ),
        issuing_unit=issuing_unit,
        issued_at=issued_at,
        issued_by=issued_by,
        sizes=sizes,
        context={
            "header": header(
                unit=issuing_unit, code=dossier.code, issued_at=issued_at, number=number
            ),
            "applicant": _applicant(dossier),
            "procedure": _procedure(dossier),
            **context,
        },
    )


def _form01(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    reception = next((e for e in events if (e.after or {}).get("received_at")), None)
    if reception is None or dossier.received_at is None:
        raise _not_issued(dossier, "01")
    received_at = _instant(reception.after.get("received_at")) or dossier.received_at
    appointment = _instant(reception.after.get("appointment_at")) or dossier.appointment_at
    version = dossier.procedure_version
    online = dossier.channel == Channel.ONLINE
    point = dossier.service_point
    place = point.name if point is not None else dossier.receiving_unit.name
    address = (point.address if point is not None else "") or dossier.receiving_unit.address
    book, line = book_entry(dossier)
    return FormDocument(
        number="01",
        title=TITLES["01"],
        template="dossiers/forms/form01.html",
        issuing_unit=dossier.receiving_unit,
        issued_at=reception.at,
        issued_by=reception.actor,
        sizes=("a4", "a5"),
        context={
            "header": header(
                unit=dossier.receiving_unit, code=dossier.code, issued_at=reception.at, number="01"
            ),
            "applicant": _applicant(dossier),
            "procedure": _procedure(dossier),
            "components": _components(dossier),
            "sets": 1,
            "legal_time": legal_time_text(
                amount=version.legal_time(online=online), unit=version.time_unit
            ),
            "channel": CHANNEL_TEXT.get(dossier.channel, ""),
            "received_at": vn_datetime(received_at),
            "appointment_at": vn_datetime(appointment),
            "collect_at": f"{place}{', ' + address if address else ''}",
            "result_kind": RESULT_KIND_TEXT.get(ResultKind(dossier.result_kind), ""),
            "book": book,
            "book_line": line,
            "receiver": _person(reception.actor),
        },
    )


def _form02(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    event = _last(events, "request_supplement", "guide_at_counter")
    if event is None:
        raise _not_issued(dossier, "02")
    # Asked before reception: the one-stop that checks it; during processing: the handling unit.
    before_reception = dossier.received_at is None or event.at <= dossier.received_at
    unit = dossier.receiving_unit if before_reception else dossier.handling_unit
    items = [
        {"name": item.get("name") or item.get("component", ""), "reason": item.get("reason", "")}
        for item in (event.after or {}).get("items", [])
    ]
    return _issued_form(
        dossier=dossier,
        number="02",
        issuing_unit=unit,
        issued_at=event.at,
        issued_by=event.actor,
        items=items,
        note=event.reason,
        asked_at=vn_datetime(event.at),
        contact_unit=unit.name,
        contact_phone=unit.phone,
        guide=_person(event.actor),
    )


def _form03(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    event = _last(events, "refuse")
    if event is None:
        raise _not_issued(dossier, "03")
    unit = dossier.receiving_unit
    return _issued_form(
        dossier=dossier,
        number="03",
        issuing_unit=unit,
        issued_at=event.at,
        issued_by=event.actor,
        submitted_at=vn_datetime(dossier.submitted_at),
        reason=event.reason,
        receiver=_person(event.actor),
    )


def _form04(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    event = _last(events, "apologize")
    if event is None:
        raise _not_issued(dossier, "04")
    unit = dossier.handling_unit
    new_date = _instant((event.after or {}).get("new_appointment_at")) or dossier.new_appointment_at
    return _issued_form(
        dossier=dossier,
        number="04",
        issuing_unit=unit,
        issued_at=event.at,
        issued_by=event.actor,
        unit=unit.name,
        received_at=vn_date(dossier.received_at),
        appointment_at=vn_datetime(dossier.appointment_at),
        new_appointment_at=vn_datetime(new_date),
        reason=event.reason,
        signer=_person(event.actor),
    )


def _form05(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    event = _last(events, "withdraw")
    if event is None:
        raise _not_issued(dossier, "05")
    unit = dossier.receiving_unit
    return _issued_form(
        dossier=dossier,
        number="05",
        issuing_unit=unit,
        issued_at=event.at,
        issued_by=event.actor,
        received_at=vn_datetime(dossier.received_at),
        submitted_at=vn_datetime(dossier.submitted_at),
        stopped_at=vn_datetime(event.at),
        reason=event.reason,
        by_applicant=event.actor_role == "applicant",
        signer=_person(event.actor) if event.actor_role != "applicant" else "",
    )


def slip_rows(dossier: Dossier) -> list[dict[str, Any]]:
    """One row per hand-over (StepRun): the unit, the step, given by / received by, the times
    and the result early / on time / late against the step's allotment."""
    rows = []
    runs = (
        StepRun.objects.filter(dossier=dossier)
        .select_related("unit", "assignee", "given_by", "finished_by")
        .order_by("order")
    )
    for run in runs:
        if run.result:
            result = RESULT_TEXT[StepResult(run.result)]
        elif run.finished_at is None:
            result = "Đang xử lý"
        else:
            result = ""
        rows.append(
            {
                "order": run.order,
                "unit": run.unit.name,
                "step": run.name,
                "given_by": _person(run.given_by),
                "received_by": _person(run.assignee or run.finished_by),
                "started_at": vn_datetime(run.started_at),
                "due_at": vn_datetime(run.due_at),
                "finished_at": vn_datetime(run.finished_at),
                "allotment": f"{run.allotment_hours.normalize():f}".replace(".", ","),
                "result": result,
                "result_code": run.result,
                "note": run.note,
            }
        )
    return rows


def _form06(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    rows = slip_rows(dossier)
    if not rows or dossier.received_at is None:
        raise _not_issued(dossier, "06")
    unit = dossier.receiving_unit
    reception = next((e for e in events if (e.after or {}).get("received_at")), None)
    issued_at = reception.at if reception is not None else dossier.received_at
    return _issued_form(
        dossier=dossier,
        number="06",
        issuing_unit=unit,
        issued_at=issued_at,
        issued_by=reception.actor if reception is not None else None,
        received_at=vn_datetime(dossier.received_at),
        appointment_at=vn_datetime(dossier.appointment_at),
        new_appointment_at=vn_datetime(dossier.new_appointment_at),
        handling_unit=dossier.handling_unit.name,
        rows=rows,
    )


def _return_receipt(dossier: Dossier, events: list[DossierEvent]) -> FormDocument:
    """The receipt of return at the counter: who collected which result, when, from whom."""
    from motcua.documents.issued import verify_code_display
    from motcua.organisation.selectors import user_unit_ids

    from ..lifecycle import DELIVERY_COUNTER
    from ..services.results import TITLES as RESULT_TITLES

    event = _last(events, "return_result")
    receipt = (event.after or {}).get("receipt") if event is not None else None
    if event is None or not receipt or receipt.get("delivery") != DELIVERY_COUNTER:
        raise _not_issued(dossier, RETURN_RECEIPT)
    # The one-stop that handed it over: the receiving unit's, or the handling unit's officer.
    unit = dossier.receiving_unit
    if event.actor is not None and dossier.handling_unit_id != dossier.receiving_unit_id:
        units = user_unit_ids(user=event.actor)
        if dossier.receiving_unit_id not in units and dossier.handling_unit_id in units:
            unit = dossier.handling_unit
    issued = _last(events, "issue_result")
    outcome = str((issued.after or {}).get("outcome", "")) if issued is not None else ""
    result_title = str(RESULT_TITLES.get(outcome, "")) if outcome else ""  # type: ignore[call-overload]
    collected_at = _instant(receipt.get("collected_at")) or event.at
    code = str((issued.after or {}).get("verify_code", "")) if issued is not None else ""
    return _issued_form(
        dossier=dossier,
        number=RETURN_RECEIPT,
        issuing_unit=unit,
        issued_at=event.at,
        issued_by=event.actor,
        sizes=("a4", "a5"),
        received_at=vn_datetime(dossier.received_at),
        result_title=result_title,
        verify_code=verify_code_display(code) if code else "",
        result_kind=RESULT_KIND_TEXT.get(ResultKind(dossier.result_kind), ""),
        returned_at=vn_datetime(collected_at),
        collected_by=receipt.get("collected_by", ""),
        collected_id_number=receipt.get("collected_id_number", ""),
        by_applicant=receipt.get("collected_by", "") == dossier.applicant_name,
        note=event.reason,
        officer=_person(event.actor),
    )


_BUILDERS = {
    "01": _form01,
    "02": _form02,
    "03": _form03,
    "04": _form04,
    "05": _form05,
    "06": _form06,
    RETURN_RECEIPT: _return_receipt,
}


def form_document(*, dossier: Dossier, number: str) -> FormDocument:
    """Form `number` (01–06, or `RETURN_RECEIPT`) of `dossier` (already allowed by an access
    selector). NotFound `form_unknown` for another number; FormNotIssued when it has none."""
    builder = _BUILDERS.get(number)
    if builder is None:
        raise NotFound(
            _("Không có mẫu số %(number)s cho hồ sơ (các mẫu 01–06)."),
            code="form_unknown",
            number=number,
        )
    dossier = Dossier.objects.select_related(
        "procedure_version__procedure",
        "receiving_unit__parent",
        "handling_unit__parent",
        "service_point",
    ).get(pk=dossier.pk)
    return builder(dossier, _events(dossier))


def forms_issued(
    *,
    dossier: Dossier,
    events: list[DossierEvent] | None = None,
    has_steps: bool | None = None,
) -> list[str]:
    """The numbers of the forms `dossier` has (for links in the workspace and the portal).
    A page that has read the dossier's `events` and slip gives them (no query then)."""
    if events is None:
        events = _events(dossier)
    actions = {e.action for e in events}
    numbers = []
    if dossier.received_at is not None and any((e.after or {}).get("received_at") for e in events):
        numbers.append("01")
    if actions & {"request_supplement", "guide_at_counter"}:
        numbers.append("02")
    if "refuse" in actions:
        numbers.append("03")
    if "apologize" in actions:
        numbers.append("04")
    if "withdraw" in actions:
        numbers.append("05")
    if dossier.received_at is not None:
        if has_steps is None:
            has_steps = StepRun.objects.filter(dossier=dossier).exists()
        if has_steps:
            numbers.append("06")
    returned = _last(events, "return_result")
    if (
        returned is not None
        and ((returned.after or {}).get("receipt") or {}).get("delivery") == "counter"
    ):
        numbers.append(RETURN_RECEIPT)
    return numbers


__all__ = [
    "DOSSIER_DOCUMENTS",
    "FORM_NUMBERS",
    "RETURN_RECEIPT",
    "TITLES",
    "FormDocument",
    "FormNotIssued",
    "book_entry",
    "form_document",
    "forms_issued",
    "header",
    "place_name",
    "slip_rows",
    "vn_date",
    "vn_time",
]
