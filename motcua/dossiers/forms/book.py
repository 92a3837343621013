"""Form 07, the dossier tracking book (Sổ theo dõi hồ sơ) of a receiving unit: one line per
dossier received in a period (by its reception instant, local dates, both ends included), in
the order received, as PDF (A4 landscape) or XLSX.

Columns (Circular 03/2025 Appendix I, form 07, as the 2018 book laid them out): number,
dossier code, procedure, number of sets, applicant, address and phone, handling unit,
received at, appointment (and new date after an apology), transferred to the handling unit
(when it is another unit), result received from it, returned to the applicant, note.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from motcua.core.clock import VN_TZ
from motcua.organisation.models import Unit

from ..models import Dossier, DossierEvent, DossierStatus
from .documents import TITLES, header
from .render import pdf_render, vn_date, vn_time

COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ (giờ, ngày)",
    "Hẹn trả kết quả (giờ, ngày)",
    "Chuyển hồ sơ đến cơ quan giải quyết (giờ, ngày)",
    "Nhận kết quả từ cơ quan giải quyết (giờ, ngày)",
    "Trả kết quả cho cá nhân, tổ chức (giờ, ngày)",
    "Ghi chú",
)


@dataclass(frozen=True)
class BookRow:
    number: int
    code: str
    procedure: str
    sets: int
    applicant: str
    contact: str
    handling_unit: str
    received_at: dt.datetime
    appointment_at: dt.datetime | None
    new_appointment_at: dt.datetime | None
    transferred_at: dt.datetime | None
    result_at: dt.datetime | None
    returned_at: dt.datetime | None
    note: str

    def cells(self) -> list[Any]:
        """The line as printed: instants as "HH:MM dd/mm/yyyy"."""
        appointment = _at(self.appointment_at)
        if self.new_appointment_at is not None:
            appointment += f" (hẹn lại: {_at(self.new_appointment_at)})"
        return [
            self.number,
            self.code,
            self.procedure,
            self.sets,
            self.applicant,
            self.contact,
            self.handling_unit,
            _at(self.received_at),
            appointment,
            _at(self.transferred_at),
            _at(self.result_at),
            _at(self.returned_at),
            self.note,
        ]


def _at(when: dt.datetime | None) -> str:
    return f"{vn_time(when)} {vn_date(when)}" if when is not None else ""


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of `start`, 00:00 after `end`) in Vietnamese time."""
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=VN_TZ),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=VN_TZ),
    )


def _note(dossier: Dossier) -> str:
    if dossier.status == DossierStatus.WITHDRAWN:
        return "Rút hồ sơ theo yêu cầu"
    if dossier.status == DossierStatus.STOPPED:
        return "Dừng xử lý"
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        return "Yêu cầu bổ sung"
    if dossier.status == DossierStatus.PAYMENT_REQUESTED:
        return "Yêu cầu thực hiện nghĩa vụ tài chính"
    if dossier.result_outcome == "refused":
        return "Từ chối giải quyết"
    return ""


def tracking_book_dossiers(*, unit: Unit, start: dt.date, end: dt.date) -> list[Dossier]:
    """The dossiers `unit` received from `start` to `end` (local dates, inclusive), in order."""
    since, until = period_bounds(start, end)
    return list(
        Dossier.objects.filter(receiving_unit=unit, received_at__gte=since, received_at__lt=until)
        .select_related("procedure_version__procedure", "handling_unit")
        .order_by("received_at", "id")
    )


def tracking_book_rows(*, unit: Unit, start: dt.date, end: dt.date) -> list[BookRow]:
    """The lines of the book for the period (call after checking the actor may read it)."""
    dossiers = tracking_book_dossiers(unit=unit, start=start, end=end)
    # When the dossier went to another unit: its first transfer event.
    transfers: dict[int, dt.datetime] = {}
    for dossier_id, at in (
        DossierEvent.objects.filter(dossier__in=dossiers, action="transfer")
        .order_by("seq")
        .values_list("dossier_id", "at")
    ):
        transfers.setdefault(dossier_id, at)
    rows = []
    for index, dossier in enumerate(dossiers, start=1):
        assert dossier.received_at is not None
        contact = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
        other_unit = dossier.handling_unit_id != unit.pk
        rows.append(
            BookRow(
                number=index,
                code=dossier.code,
                procedure=dossier.procedure_version.procedure.name,
                sets=1,
                applicant=dossier.applicant_name,
                contact=contact,
                handling_unit=dossier.handling_unit.name,
                received_at=dossier.received_at,
                appointment_at=dossier.appointment_at,
                new_appointment_at=dossier.new_appointment_at,
                transferred_at=transfers.get(dossier.pk) if other_unit else None,
                result_at=dossier.finished_at,
                returned_at=dossier.returned_at,
                note=_note(dossier),
            )
        )
    return rows


def _period_text(start: dt.date, end: dt.date) -> str:
    return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def tracking_book_pdf(*, unit: Unit, start: dt.date, end: dt.date, now: dt.datetime) -> bytes:
    """Form 07 for the period as a PDF (A4 landscape); `now` dates the print."""
    rows = tracking_book_rows(unit=unit, start=start, end=end)
    unit = Unit.objects.select_related("parent").get(pk=unit.pk)
    head = header(unit=unit, code="", issued_at=now, number="07")
    return pdf_render(
        template="dossiers/forms/form07.html",
        context={
            "header": head,
            "period": _period_text(start, end),
            "columns": COLUMNS,
            "rows": [row.cells() for row in rows],
        },
        page="a4-landscape",
    )


def tracking_book_xlsx(*, unit: Unit, start: dt.date, end: dt.date, now: dt.datetime) -> bytes:
    """Form 07 for the period as an Excel workbook: a title block, then one row per line."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    rows = tracking_book_rows(unit=unit, start=start, end=end)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "So theo doi ho so"
    sheet.append([unit.name])
    sheet.append([TITLES["07"].upper()])
    sheet.append([_period_text(start, end)])
    sheet.append([])
    sheet.append(list(COLUMNS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A2"].font = Font(bold=True)
    for row in rows:
        sheet.append(row.cells())
    widths = (6, 24, 40, 10, 26, 32, 26, 20, 24, 20, 20, 20, 24)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[
            sheet.cell(row=header_row, column=index).column_letter
        ].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    book.properties.title = TITLES["07"]
    book.properties.created = now.astimezone(dt.UTC).replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: The row index (1-based) of the column headings in the XLSX.
XLSX_HEADER_ROW = 5
