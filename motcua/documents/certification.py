"""Electronic certified copies from the original (chứng thực bản sao điện tử từ bản chính,
Decree 23/2015/NĐ-CP as amended) and the certification book (sổ chứng thực) of each unit.

An officer of the unit compares the copy (an uploaded PDF, or scanned pages made one PDF)
with the original the requester shows, then `copy_certify`:

1. checks the input and the file (nothing is numbered for a refused request);
2. takes the unit's next book number for the local year, from a `CertificationCounter` row
   incremented by one upsert (as dossier codes, `dossiers/services/codes.py`): the row stays
   locked until the transaction ends, so concurrent certifications of one unit queue on it
   (unique numbers) and a failed one gives its number back (gap-free);
3. appends a certification page ("CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH", the book number,
   the date, the unit, the verification code and its QR code to `verify_url(code)`), signs
   the whole copy with the unit's key (`document_sign`, whose visible stamp lands on that
   page), stores it and issues it (`document_issue`, kind CERTIFIED_COPY);
4. writes the book entry and an audit event.

All of 2–4 is one transaction; the stored bytes are deleted again when it fails.
Certification at home (for the elderly and the disabled, domain.md section 9) is the same flow
with the place recorded (`Place`): address and reason.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.counters import counter_next
from motcua.core.errors import PermissionDenied, ValidationError
from motcua.core.services import audit_record
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids

from .issued import document_issue, verify_code_display, verify_code_generate, verify_url
from .models import CertificationCounter, CertificationEntry, ContentType, IssuedDocumentKind
from .services import (
    DEFAULT_MAX_BYTES,
    Checked,
    file_check,
    file_check_images_as_pdf,
    file_store_checked,
    stored_bytes_delete,
)

#: Who may certify in a unit: its one-stop officers (công chức tư pháp - hộ tịch receive and
#: compare) and its leaders (who sign).
CERTIFIER_ROLES = (Role.OFFICER, Role.LEADER)
BOOK_SUFFIX = "SCT/BS"
HEADING = "CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH"
SIGN_REASON = "Chứng thực bản sao điện tử từ bản chính"
_ID_NUMBER = re.compile(r"^[0-9A-Z]{6,20}$")

# The certification page: A4, text from the top, the QR code at the right; the signature's
# stamp (document_sign) sits bottom left (36..112 pt), so nothing is drawn below 140 pt.
PAGE_SIZE = (595.28, 841.89)
TEXT_TOP = 790
QR_SIZE = 130
WRAP = 62


@dataclass(frozen=True)
class Place:
    """Where a certification happened outside the unit's office (at the requester's home)."""

    address: str
    reason: str


def certification_book_number(*, number: int, year: int) -> str:
    """ "123/2026/SCT/BS": the number in the unit's book of that year."""
    return f"{number}/{year}/{BOOK_SUFFIX}"


def _refuse(field: str, code: str, message: Any, **params: Any) -> ValidationError:
    text = str(message) % params if params else str(message)
    return ValidationError(
        message, code=code, errors=[{"field": field, "code": code, "message": text}], **params
    )


def _text(value: str, *, field: str, limit: int) -> str:
    cleaned = " ".join(unicodedata.normalize("NFC", value or "").split())
    if not cleaned:
        raise _refuse(field, "required", _("Trường này là bắt buộc."))
    if len(cleaned) > limit:
        raise _refuse(field, "too_long", _("Tối đa %(limit)s ký tự."), limit=limit)
    return cleaned


def _id_number(value: str) -> str:
    cleaned = re.sub(r"\s", "", value or "").upper()
    if not _ID_NUMBER.match(cleaned):
        raise _refuse(
            "requester_id_number",
            "id_number_invalid",
            _("Số giấy tờ tùy thân không hợp lệ (6–20 chữ số hoặc chữ cái)."),
        )
    return cleaned


def _may_certify(*, actor: User, unit: Unit) -> None:
    if unit.pk not in user_unit_ids(user=actor, roles=CERTIFIER_ROLES):
        raise PermissionDenied(
            _("Bạn không có quyền chứng thực bản sao tại %(unit)s."),
            code="forbidden",
            unit=unit.name,
        )


def certification_number_next(*, unit: Unit, year: int) -> int:
    """Take the next number of `unit`'s book for `year`. Must run inside the transaction that
    writes the book entry (the counter row stays locked until it ends)."""
    return counter_next(
        model=CertificationCounter,
        keys={"unit": unit.pk, "year": year},
        purpose="certification_number_next",
    )


# --- the certification page ---------------------------------------------------------------


def _wrapped(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, WRAP) or [""]
    return out


def _qr_stream(data: str, *, x: float, y: float, size: float) -> bytes:
    """The QR code of `data` as filled squares (vector, no image, no extra library)."""
    import segno

    qr = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    border = 2
    count = len(matrix) + 2 * border
    module = size / count
    ops = [b"q 0 g"]
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                left = x + (col_index + border) * module
                bottom = y + size - (row_index + border + 1) * module
                ops.append(b"%.3f %.3f %.3f %.3f re" % (left, bottom, module, module))
    ops.append(b"f Q")
    return b"\n".join(ops)


def certification_page_lines(
    *,
    book_number: str,
    certified_at: dt.datetime,
    unit_name: str,
    document_title: str,
    document_issuer: str,
    pages: int,
    code: str,
    place: Place | None,
) -> list[str]:
    """What the certification page says (before wrapping)."""
    day = local(certified_at)
    lines = [
        HEADING,
        "",
        f"Số chứng thực: {book_number}",
        f"Ngày {day:%d/%m/%Y}",
        unit_name,
        "",
        f"Giấy tờ: {document_title}",
        f"Cơ quan cấp: {document_issuer}",
        f"Bản sao gồm {pages} trang (chưa kể trang chứng thực này).",
    ]
    if place is not None:
        lines.append(f"Chứng thực tại: {place.address}")
    lines += [
        "",
        f"Mã kiểm tra: {verify_code_display(code)}",
        f"Kiểm tra tại: {verify_url(code)}",
    ]
    return lines


def certification_page_add(*, pdf: bytes, lines: list[str], qr_data: str) -> bytes:
    """`pdf` with a certification page appended: `lines` (Vietnamese, the signing font) and
    a QR code of `qr_data`."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import generic, text
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream

    from .signing.services import vietnamese_font

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf), strict=False))
    page = writer.add_blank_page(*PAGE_SIZE)
    empty = ContentStream(None, writer)
    empty.set_data(b" ")
    page.replace_contents(empty)  # pyHanko adds its streams to the page's /Contents
    plain = io.BytesIO()
    writer.write(plain)
    plain.seek(0)

    out = IncrementalPdfFileWriter(plain, strict=False)
    last = int(out.root["/Pages"]["/Count"]) - 1
    font = GlyphAccumulatorFactory(vietnamese_font(str(settings.MOTCUA_SIGNING_FONT)))
    wrapped = _wrapped(lines)
    style = stamp.TextStampStyle(
        stamp_text="%(body)s",
        text_box_style=text.TextBoxStyle(font=font, font_size=11, leading=16),
        border_width=0,
        background=None,
    )
    height = 16 * len(wrapped) + 8
    body = stamp.TextStamp(
        out,
        style,
        text_params={"body": "\n".join(wrapped)},
        box=None,
    )
    body.apply(last, 56, TEXT_TOP - height)
    qr = generic.StreamObject(
        stream_data=_qr_stream(qr_data, x=PAGE_SIZE[0] - 56 - QR_SIZE, y=160, size=QR_SIZE)
    )
    out.add_stream_to_page(last, out.add_object(qr))
    result = io.BytesIO()
    out.write(result)
    return result.getvalue()


# --- the service ----------------------------------------------------------------------------


def _checked_copy(*, upload: Any, uploads: list[Any] | None, max_bytes: int) -> Checked:
    if uploads:
        return file_check_images_as_pdf(uploads=uploads, name=None, max_bytes=max_bytes)
    if upload is None:
        raise _refuse("file", "file_required", _("Cần tệp bản sao (PDF) hoặc ảnh chụp các trang."))
    return file_check(
        upload=upload,
        name=getattr(upload, "name", None),
        allowed_types=(ContentType.PDF,),
        max_bytes=max_bytes,
    )


def copy_certify(
    *,
    actor: User,
    unit: Unit,
    requester_name: str,
    requester_id_number: str,
    document_title: str,
    document_issuer: str,
    compared_with_original: bool,
    now: dt.datetime,
    upload: Any = None,
    uploads: list[Any] | None = None,
    copies: int = 1,
    fee_vnd: int = 0,
    signer_name: str = "",
    place: Place | None = None,
    dossier_code: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CertificationEntry:
    """Certify an electronic copy from the original shown at `unit` (or at the requester's
    home, `place`), record it in the unit's book and issue the signed copy (see the module).

    `upload` is the copy as one PDF, or `uploads` the scanned pages (JPEG/PNG, in order).
    `signer_name` is who signs for the unit (default the actor's full name).

    Refused, nothing numbered or stored: PermissionDenied `forbidden` (not an officer or leader
    of the unit), ValidationError `original_not_compared`, `required`, `too_long`,
    `id_number_invalid`, `copies_invalid`, `fee_invalid`, `file_required`, the file checks
    (`motcua.documents.services`), NotFound `no_signer` (the unit has no signing key)."""
    from .signing.registry import signer_for_unit
    from .signing.services import document_sign

    if now.tzinfo is None:
        raise ValueError("naive datetime: motcua only handles aware datetimes")
    _may_certify(actor=actor, unit=unit)
    if not compared_with_original:
        raise _refuse(
            "compared_with_original",
            "original_not_compared",
            _("Chỉ chứng thực bản sao sau khi đã đối chiếu với bản chính."),
        )
    name = _text(requester_name, field="requester_name", limit=200)
    id_number = _id_number(requester_id_number)
    title = _text(document_title, field="document_title", limit=300)
    issuer = _text(document_issuer, field="document_issuer", limit=300)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 100:
        raise _refuse("copies", "copies_invalid", _("Số bản sao phải từ 1 đến 100."))
    if isinstance(fee_vnd, bool) or not isinstance(fee_vnd, int) or fee_vnd < 0:
        raise _refuse("fee_vnd", "fee_invalid", _("Lệ phí phải là số nguyên không âm (đồng)."))
    if place is not None:
        place = Place(
            address=_text(place.address, field="place_address", limit=500),
            reason=_text(place.reason, field="place_reason", limit=500),
        )
    signer_label = _text(
        signer_name or actor.full_name or actor.get_username(), field="signer_name", limit=200
    )
    dossier_code = (dossier_code or "").strip()[:40]
    signer = signer_for_unit(unit.code)  # before any number is taken: `no_signer` costs nothing

    checked = _checked_copy(upload=upload, uploads=uploads, max_bytes=max_bytes)
    try:
        source = checked.temp.read()
        pages = checked.pages
    finally:
        checked.close()

    saved: list[str] = []
    try:
        with transaction.atomic():
            year = local(now).year
            number = certification_number_next(unit=unit, year=year)
            book_number = certification_book_number(number=number, year=year)
            code = verify_code_generate()
            lines = certification_page_lines(
                book_number=book_number,
                certified_at=now,
                unit_name=unit.name,
                document_title=title,
                document_issuer=issuer,
                pages=pages,
                code=code,
                place=place,
            )
            stamped = certification_page_add(pdf=source, lines=lines, qr_data=verify_url(code))
            signed = document_sign(
                pdf=stamped,
                signer=signer,
                unit_name=unit.name,
                signer_name=signer_label,
                reason=SIGN_REASON,
                now=now,
            )
            checked_signed = file_check(
                upload=io.BytesIO(signed),
                name=f"ban-sao-chung-thuc-{number}-{year}.pdf",
                allowed_types=(ContentType.PDF,),
                max_bytes=max(max_bytes, len(signed)),
            )
            try:
                stored = file_store_checked(actor=actor, checked=checked_signed, now=now)
            finally:
                checked_signed.close()
            saved.append(stored.storage_name)
            issued = document_issue(
                kind=IssuedDocumentKind.CERTIFIED_COPY,
                file=stored,
                unit=unit,
                title=title,
                now=now,
                issued_by=actor,
                reference=book_number,
                dossier_code=dossier_code,
                subject_name=name,
                code=code,
            )
            entry = CertificationEntry.objects.create(
                unit=unit,
                year=year,
                number=number,
                book_number=book_number,
                certified_at=now,
                requester_name=name,
                requester_id_number=id_number,
                document_title=title,
                document_issuer=issuer,
                pages=pages,
                copies=copies,
                fee_vnd=fee_vnd,
                officer=actor,
                signer_name=signer_label,
                at_home=place is not None,
                place_address=place.address if place is not None else "",
                place_reason=place.reason if place is not None else "",
                dossier_code=dossier_code,
                file=stored,
                issued=issued,
            )
            audit_record(
                actor=actor,
                action="copy_certify",
                object_type="documents.certificationentry",
                object_id=entry.pk,
                now=now,
                after={
                    "unit": unit.code,
                    "book_number": book_number,
                    "code": code,
                    "file": stored.pk,
                    "sha256": stored.sha256,
                    "at_home": entry.at_home,
                    "dossier_code": dossier_code,
                },
            )
    except BaseException:
        for storage_name in saved:
            stored_bytes_delete(storage_name=storage_name)
        raise
    return entry
