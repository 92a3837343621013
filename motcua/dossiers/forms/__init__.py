"""The official forms 01–07 of Circular 03/2025/TT-VPCP (Appendix I), as PDFs (docs/forms.md).

Generated documents about dossiers: domain code in the dossiers app (ADR "official forms").
Rendering is HTML (templates under `dossiers/templates/dossiers/forms/`) through WeasyPrint.

Public functions (keyword-only; `now` aware):

- `form_pdf(*, dossier, number, now, size="a4") -> bytes`: form 01–06 of a dossier the caller
  already holds through an access selector; `FormNotIssued` (409 `form_not_issued`) when the
  dossier has no such form; `size="a5"` for 01 only (`size_not_available`).
- `form_pdf_signed(*, dossier, number, now, size="a4", signer=None) -> bytes`: the same,
  signed (PAdES) for the electronic version, by the issuing unit's key.
- `RETURN_RECEIPT` ("return-receipt"): the receipt of return at the counter, taken wherever
  a form number is (`form_pdf`, `form_pdf_for_actor`), A4 or A5, issued after `return_result`
  at the counter.
- `form_pdf_for_actor(*, actor, code, number, now, size="a4", channel="web") -> bytes`: the
  access-checked read (the dossier read's rule and log, purpose `dossier_form`).
- `forms_issued(*, dossier) -> list[str]`: the numbers this dossier has.
- `tracking_book_for_actor(*, actor, unit_code, start, end, file_format, now, channel)`:
  form 07 (`pdf` or `xlsx`) for the staff of the unit, each dossier listed logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound, PermissionDenied, ValidationError
from motcua.core.services import data_access_record_many
from motcua.documents.signing.base import Signer
from motcua.organisation.models import Unit
from motcua.organisation.selectors import user_unit_ids

from ..models import Dossier
from ..selectors import dossier_get_for_actor
from .book import (
    COLUMNS,
    XLSX_HEADER_ROW,
    BookRow,
    tracking_book_dossiers,
    tracking_book_pdf,
    tracking_book_rows,
    tracking_book_xlsx,
)
from .documents import (
    DOSSIER_DOCUMENTS,
    FORM_NUMBERS,
    RETURN_RECEIPT,
    TITLES,
    FormDocument,
    FormNotIssued,
    form_document,
    forms_issued,
)
from .render import lookup_url, pdf_render

#: The longest period of one tracking-book export (days).
TRACKING_BOOK_MAX_DAYS = 366


def _page(document: FormDocument, size: str) -> str:
    if size not in document.sizes:
        raise ValidationError(
            _("Mẫu số %(number)s không có khổ giấy %(size)s (có: %(sizes)s)."),
            code="size_not_available",
            number=document.number,
            size=size,
            sizes=", ".join(s.upper() for s in document.sizes),
        )
    return size


def form_pdf(*, dossier: Dossier, number: str, now: dt.datetime, size: str = "a4") -> bytes:
    """Form `number` (01–06) of `dossier` as a PDF. Call after an access selector."""
    document = form_document(dossier=dossier, number=number)
    return pdf_render(
        template=document.template, context=document.context, page=_page(document, size)
    )


def form_pdf_signed(
    *,
    dossier: Dossier,
    number: str,
    now: dt.datetime,
    size: str = "a4",
    signer: Signer | None = None,
) -> bytes:
    """Form `number` of `dossier`, signed for its electronic version (PAdES, visible stamp):
    by `signer`, or the issuing unit's key (`signer_for_unit`); the signer's name is the
    person who issued the form (the unit's name when the system did). Signing time `now`."""
    from motcua.documents.signing.registry import signer_for_unit
    from motcua.documents.signing.services import document_sign

    document = form_document(dossier=dossier, number=number)
    pdf = pdf_render(
        template=document.template, context=document.context, page=_page(document, size)
    )
    unit = document.issuing_unit
    return document_sign(
        pdf=pdf,
        signer=signer or signer_for_unit(unit.code),
        unit_name=unit.name,
        signer_name=document.issued_by.display_name if document.issued_by else unit.name,
        reason=f"Mẫu số {document.number}: {document.title}",
        now=now,
    )


def form_pdf_for_actor(
    *,
    actor: User,
    code: str,
    number: str,
    now: dt.datetime,
    size: str = "a4",
    channel: str = "web",
) -> bytes:
    """Form `number` of dossier `code` if `actor` may see the dossier (NotFound otherwise, as
    for a code that does not exist); a read of another person's dossier is logged (purpose
    `dossier_form`), as the dossier read is."""
    if number not in DOSSIER_DOCUMENTS:
        raise NotFound(
            _("Không có mẫu số %(number)s cho hồ sơ (các mẫu 01–06, return-receipt)."),
            code="form_unknown",
            number=number,
        )
    dossier = dossier_get_for_actor(
        actor=actor, code=code, now=now, purpose="dossier_form", channel=channel
    )
    return form_pdf(dossier=dossier, number=number, now=now, size=size)


#: The most dossiers one bulk print takes (a page of the work queue is 20).
BULK_MAX = 50
#: The forms printed for several dossiers at once from the work queue.
BULK_FORMS = ("01", "06")


def forms_pdf_for_actor_many(
    *, actor: User, codes: list[str], number: str, now: dt.datetime, size: str = "a4"
) -> bytes:
    """Form `number` of each dossier in `codes`, in that order, as one PDF to print: a bulk
    action that changes nothing. Each dossier goes through `form_pdf_for_actor` (its access
    rule and read log), so one the actor may not see refuses the whole print (NotFound),
    and one without that form says which (its own error)."""
    from io import BytesIO

    from pypdf import PdfWriter

    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise ValidationError(_("Chưa chọn hồ sơ nào."), code="nothing_selected")
    if len(wanted) > BULK_MAX:
        raise ValidationError(_("Mỗi lần in tối đa %(max)s hồ sơ."), code="too_many", max=BULK_MAX)
    if number not in BULK_FORMS:
        raise ValidationError(_("Chỉ in hàng loạt được mẫu 01 và mẫu 06."), code="form_unknown")
    writer = PdfWriter()
    for code in wanted:
        pdf = form_pdf_for_actor(actor=actor, code=code, number=number, now=now, size=size)
        writer.append(BytesIO(pdf))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def tracking_book_unit_for_actor(*, actor: User, unit_code: str) -> Unit:
    """The unit whose tracking book `actor` asks for: NotFound for an unknown code,
    PermissionDenied unless the actor holds a role there (directly or through a covering
    assignment: the people who see the unit's dossiers)."""
    unit = Unit.objects.select_related("parent").filter(code=unit_code).first()
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị %(unit)s."), unit=unit_code)
    if unit.pk not in user_unit_ids(user=actor):
        raise PermissionDenied(
            _("Chỉ cán bộ của %(unit)s được xem sổ theo dõi hồ sơ của đơn vị."), unit=unit.name
        )
    return unit


def tracking_book_for_actor(
    *,
    actor: User,
    unit_code: str,
    start: dt.date,
    end: dt.date,
    file_format: str,
    now: dt.datetime,
    channel: str = "web",
) -> bytes:
    """Form 07 of unit `unit_code` from `start` to `end` (local dates, inclusive) as `pdf` or
    `xlsx`, for the unit's staff; every dossier listed is logged as read (purpose
    `tracking_book`): the book names the applicants."""
    if end < start:
        raise ValidationError(
            _("Ngày kết thúc phải từ ngày bắt đầu trở đi."),
            code="invalid_period",
            errors=[{"field": "to", "code": "invalid_period"}],
        )
    if (end - start).days + 1 > TRACKING_BOOK_MAX_DAYS:
        raise ValidationError(
            _("Mỗi lần xuất sổ tối đa %(days)s ngày."),
            code="period_too_long",
            days=TRACKING_BOOK_MAX_DAYS,
            errors=[{"field": "to", "code": "period_too_long"}],
        )
    if file_format not in ("pdf", "xlsx"):
        raise ValidationError(
            _("Định dạng phải là pdf hoặc xlsx."),
            code="invalid_format",
            errors=[{"field": "format", "code": "invalid_format"}],
        )
    unit = tracking_book_unit_for_actor(actor=actor, unit_code=unit_code)
    codes = [
        d.code
        for d in tracking_book_dossiers(unit=unit, start=start, end=end)
        if d.applicant_id is None or d.applicant_id != actor.pk
    ]
    if codes:
        data_access_record_many(
            actor=actor,
            subject_type="dossier",
            subject_ids=codes,
            purpose="tracking_book",
            channel=channel,
            now=now,
        )
    render: Any = tracking_book_pdf if file_format == "pdf" else tracking_book_xlsx
    data: bytes = render(unit=unit, start=start, end=end, now=now)
    return data


__all__ = [
    "COLUMNS",
    "DOSSIER_DOCUMENTS",
    "FORM_NUMBERS",
    "RETURN_RECEIPT",
    "TITLES",
    "TRACKING_BOOK_MAX_DAYS",
    "XLSX_HEADER_ROW",
    "BookRow",
    "FormDocument",
    "FormNotIssued",
    "form_document",
    "form_pdf",
    "form_pdf_for_actor",
    "form_pdf_signed",
    "forms_issued",
    "forms_pdf_for_actor_many",
    "lookup_url",
    "tracking_book_for_actor",
    "tracking_book_pdf",
    "tracking_book_rows",
    "tracking_book_unit_for_actor",
    "tracking_book_xlsx",
]
