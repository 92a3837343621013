"""Reads of stored files and of the personal data store. Who may read a dossier's file is
decided by the app that links it (`motcua.dossiers.selectors`); `stored_file_open` only opens
what was already allowed.

The data store belongs to a personal identification number or a tax code. An account sees
the store of the number its identity was *verified* for (`identity_verified_at`): a person's
`personal_id`, an organisation account's `organisation_id_number`. An unverified account sees
none (anyone can type a number into a profile). Anyone else's item is NotFound, never
PermissionDenied: existence is not leaked."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.files import File
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ, local
from motcua.core.errors import NotFound, PermissionDenied, ValidationError
from motcua.core.services import data_access_record, data_access_record_many
from motcua.organisation.models import Role, Unit
from motcua.organisation.selectors import user_unit_ids

from .antivirus import scanner_from_settings
from .models import CertificationEntry, DataStoreItem, StoredFile
from .services import documents_storage


def stored_file_open(*, stored: StoredFile) -> File:
    """The stored bytes, opened for streaming (the caller closes them)."""
    return documents_storage().open(stored.storage_name, "rb")


def antivirus_enabled() -> bool:
    return scanner_from_settings() is not None


# --- the data store ----------------------------------------------------------------------


def datastore_owner_keys(*, user: User | None) -> list[str]:
    """The stores `user` may read: their own verified number (or their organisation's tax
    code for an organisation account); none for an unverified or anonymous account, staff
    and integrators (they reach a citizen's papers through the dossier, logged)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.identity_verified_at is None:
        return []
    if user.kind == User.Kind.CITIZEN and user.personal_id:
        return [user.personal_id.replace(" ", "")]
    if user.kind == User.Kind.ORGANISATION and user.organisation_id_number:
        return [user.organisation_id_number.replace(" ", "")]
    return []


def datastore_items_for(
    *, owner_key: str, now: dt.datetime | None = None, kind: str | None = None
) -> QuerySet[DataStoreItem]:
    """The items of one store, newest first. With `now`, only those valid on its local date
    (no validity, or valid_from <= day <= valid_until); `kind` keeps one kind."""
    items = DataStoreItem.objects.filter(owner_key=owner_key)
    if now is not None:
        day = local(now).date()
        items = items.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("file").order_by("-added_at", "-id")


def datastore_items_for_actor(
    *, actor: User | None, now: dt.datetime | None = None
) -> QuerySet[DataStoreItem]:
    """The items of every store `actor` may read (`datastore_owner_keys`), newest first;
    with `now` only those valid then."""
    keys = datastore_owner_keys(user=actor)
    if not keys:
        return DataStoreItem.objects.none()
    items = DataStoreItem.objects.filter(owner_key__in=keys)
    if now is not None:
        day = local(now).date()
        items = items.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )
    return items.select_related("file").order_by("-added_at", "-id")


def datastore_item_get_for_actor(*, actor: User | None, item_id: int) -> DataStoreItem:
    """The item `item_id` if it is in a store `actor` may read, else NotFound (`not_found`,
    the same for someone else's item and for one that does not exist)."""
    keys = datastore_owner_keys(user=actor)
    item = None
    if keys:
        item = (
            DataStoreItem.objects.filter(pk=item_id, owner_key__in=keys)
            .select_related("file")
            .first()
        )
    if item is None:
        raise NotFound(_("Không tìm thấy giấy tờ %(item)s trong kho dữ liệu."), item=item_id)
    return item


def datastore_file_get_for_actor(*, actor: User | None, file_id: int) -> StoredFile:
    """The stored file `file_id` if it is the file of an item in a store `actor` may read
    (their own papers need no dossier to be downloaded), else NotFound."""
    keys = datastore_owner_keys(user=actor)
    item = None
    if keys:
        item = (
            DataStoreItem.objects.filter(file_id=file_id, owner_key__in=keys)
            .select_related("file")
            .first()
        )
    if item is None:
        raise NotFound(_("Không tìm thấy tệp %(file)s."), file=file_id)
    return item.file


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


#: Who reads a unit's certification book: its officers, leaders, supervisors and auditors.
BOOK_READER_ROLES = (Role.OFFICER, Role.LEADER, Role.SUPERVISOR, Role.AUDITOR)
#: The longest period of one export of the book (days).
BOOK_EXPORT_MAX_DAYS = 366


def certification_units_for_actor(*, actor: User) -> list[Unit]:
    """The units whose book `actor` may read (for the workspace's unit choice), by name."""
    ids = user_unit_ids(user=actor, roles=BOOK_READER_ROLES)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def _book_readable(*, actor: User, unit: Unit) -> None:
    allowed = user_unit_ids(user=actor, roles=BOOK_READER_ROLES)
    if unit.pk not in allowed and not actor.is_superuser:
        raise PermissionDenied(
            _("Bạn không có quyền xem sổ chứng thực của %(unit)s."),
            code="forbidden",
            unit=unit.name,
        )


def certification_entries_for_actor(*, actor: User, unit: Unit) -> QuerySet[CertificationEntry]:
    """The unit's book, newest first, across years, for its readers (PermissionDenied
    otherwise). The caller logs the rows it shows (`certification_entries_log`)."""
    _book_readable(actor=actor, unit=unit)
    return (
        CertificationEntry.objects.filter(unit=unit)
        .select_related("officer", "issued")
        .order_by("-certified_at", "-id")
    )


def certification_entries_log(
    *, actor: User, entries: Iterable[CertificationEntry], now: dt.datetime, channel: str = "web"
) -> None:
    """A page of the book was shown: one read of personal data per line (name, id number)."""
    numbers = [f"{entry.unit_id}:{entry.book_number}" for entry in entries]
    if numbers:
        data_access_record_many(
            actor=actor,
            subject_type="certification_entry",
            subject_ids=numbers,
            purpose="certification_book",
            channel=channel,
            now=now,
        )


def certification_entry_get_for_actor(
    *, actor: User, entry_id: int, now: dt.datetime, channel: str = "web"
) -> CertificationEntry:
    """One line of a book the actor may read (NotFound otherwise, as for no such line),
    with its signed file; the read is logged."""
    entry = (
        CertificationEntry.objects.select_related("unit", "officer", "issued", "file")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound(_("Không tìm thấy bản sao chứng thực."))
    try:
        _book_readable(actor=actor, unit=entry.unit)
    except PermissionDenied:
        raise NotFound(_("Không tìm thấy bản sao chứng thực.")) from None
    data_access_record(
        actor=actor,
        subject_type="certification_entry",
        subject_id=f"{entry.unit_id}:{entry.book_number}",
        purpose="certification_entry",
        channel=channel,
        now=now,
    )
    return entry


def certification_book_period_for_actor(
    *, actor: User, unit: Unit, start: dt.date, end: dt.date, now: dt.datetime
) -> QuerySet[CertificationEntry]:
    """The book of `unit` from `start` to `end` (local dates, both included), in book order,
    for an export by one of its readers; the export is logged as one read of the book."""
    if end < start:
        raise ValidationError(
            _("Ngày kết thúc phải từ ngày bắt đầu trở đi."),
            code="invalid_period",
            errors=[{"field": "end", "code": "invalid_period"}],
        )
    if (end - start).days + 1 > BOOK_EXPORT_MAX_DAYS:
        raise ValidationError(
            _("Mỗi lần xuất sổ tối đa %(days)s ngày."),
            code="period_too_long",
            days=BOOK_EXPORT_MAX_DAYS,
            errors=[{"field": "end", "code": "period_too_long"}],
        )
    _book_readable(actor=actor, unit=unit)
    data_access_record(
        actor=actor,
        subject_type="certification_book",
        subject_id=f"{unit.code}/{start.isoformat()}/{end.isoformat()}",
        purpose="certification_book",
        channel="export",
        now=now,
    )
    since = dt.datetime.combine(start, dt.time.min, tzinfo=VN_TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    return (
        CertificationEntry.objects.filter(
            unit=unit, certified_at__gte=since, certified_at__lt=until
        )
        .select_related("officer", "issued")
        .order_by("year", "number")
    )


def certification_book_for_actor(
    *, actor: User, unit: Unit, year: int, now: dt.datetime
) -> QuerySet[CertificationEntry]:
    """The book, for an officer, leader, supervisor or auditor of the unit (or above it with a
    covering assignment). Reading it reads the requesters' personal data: logged."""
    _book_readable(actor=actor, unit=unit)
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
