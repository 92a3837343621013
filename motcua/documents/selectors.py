"""Reads of stored files. Who may read a file is decided by the app that links it (a
dossier's files: `motcua.dossiers.selectors`); these only open what was already allowed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.files import File
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import local
from motcua.core.errors import PermissionDenied
from motcua.core.services import data_access_record
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids

from .antivirus import scanner_from_settings
from .models import CertificationEntry, StoredFile
from .services import documents_storage


def stored_file_open(*, stored: StoredFile) -> File:
    """The stored bytes, opened for streaming (the caller closes them)."""
    return documents_storage().open(stored.storage_name, "rb")


def antivirus_enabled() -> bool:
    return scanner_from_settings() is not None


# --- the certification book -----------------------------------------------------------------

#: The book's columns, in order (export and admin): (field, heading).
BOOK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "Số thứ tự"),
    ("book_number", "Số chứng thực"),
    ("certified_on", "Ngày chứng thực"),
    ("requester_name", "Họ tên người yêu cầu"),
    ("requester_id_number", "Số giấy tờ tùy thân"),
    ("document_title", "Tên giấy tờ"),
    ("document_issuer", "Cơ quan cấp"),
    ("pages", "Số trang"),
    ("copies", "Số bản sao"),
    ("fee_vnd", "Lệ phí (đồng)"),
    ("signer_name", "Người ký chứng thực"),
    ("officer", "Người thực hiện"),
    ("place", "Địa điểm (chứng thực ngoài trụ sở)"),
    ("dossier_code", "Mã hồ sơ"),
    ("verify_code", "Mã kiểm tra"),
)


def certification_book(*, unit: Unit, year: int) -> QuerySet[CertificationEntry]:
    """A unit's certification book for a year, in book order. Callers check access first
    (`certification_book_for_actor`)."""
    return (
        CertificationEntry.objects.filter(unit=unit, year=year)
        .select_related("officer", "issued")
        .order_by("number")
    )


def certification_book_for_actor(
    *, actor: User, unit: Unit, year: int, now: dt.datetime
) -> QuerySet[CertificationEntry]:
    """The book, for an officer, leader, supervisor or auditor of the unit (or above it with a
    covering assignment). Reading it reads the requesters' personal data: logged."""
    allowed = user_unit_ids(
        user=actor, roles=(Role.OFFICER, Role.LEADER, Role.SUPERVISOR, Role.AUDITOR)
    )
    if unit.pk not in allowed and not actor.is_superuser:
        raise PermissionDenied(
            _("Bạn không có quyền xem sổ chứng thực của %(unit)s."),
            code="forbidden",
            unit=unit.name,
        )
    data_access_record(
        actor=actor,
        subject_type="certification_book",
        subject_id=f"{unit.code}/{year}",
        purpose="certification_book",
        channel="export",
        now=now,
    )
    return certification_book(unit=unit, year=year)


def certification_book_rows(entries: Iterable[CertificationEntry]) -> Iterator[list[Any]]:
    """The book as rows of plain values, in `BOOK_COLUMNS` order (no heading)."""
    for entry in entries:
        place = f"{entry.place_address} ({entry.place_reason})" if entry.at_home else ""
        values = {
            "number": entry.number,
            "book_number": entry.book_number,
            "certified_on": local(entry.certified_at).strftime("%d/%m/%Y"),
            "requester_name": entry.requester_name,
            "requester_id_number": entry.requester_id_number,
            "document_title": entry.document_title,
            "document_issuer": entry.document_issuer,
            "pages": entry.pages,
            "copies": entry.copies,
            "fee_vnd": entry.fee_vnd,
            "signer_name": entry.signer_name,
            "officer": entry.officer.full_name or entry.officer.username,
            "place": place,
            "dossier_code": entry.dossier_code,
            "verify_code": entry.issued.code,
        }
        yield [values[name] for name, _heading in BOOK_COLUMNS]


def certification_book_export(
    *, entries: Iterable[CertificationEntry], out: IO[bytes], fmt: str
) -> int:
    """Write the book to `out` as `csv` (UTF-8 with a BOM, for spreadsheet programs) or
    `xlsx`; returns the number of entries written."""
    headings = [heading for _name, heading in BOOK_COLUMNS]
    rows = list(certification_book_rows(entries))
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headings)
        writer.writerows(rows)
        out.write(("\ufeff" + text.getvalue()).encode("utf-8"))
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "So chung thuc"
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
        book.save(out)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return len(rows)
