"""Storing files: the bytes are streamed in chunks (hashed and counted on the way) into a
temporary file on disk, checked, scanned when an antivirus is configured, then streamed into
the `documents` storage (`settings.STORAGES["documents"]`) under a name of our own. Nothing
is stored when a check fails. The content type is sniffed from the bytes, never taken from
the file name or the request's header.

Checks, each a `ValidationError` with its code: `file_empty`, `file_too_large` (counted while
streaming: reading stops at the limit), `file_type_not_allowed` (the bytes are not one of the
allowed types), `pdf_encrypted`, `pdf_broken`, `image_broken`, `image_too_large` (more
pixels than `MOTCUA_DOCUMENTS_MAX_IMAGE_PIXELS`, Pillow's decompression bomb limit),
`file_infected` (ClamAV found something). An antivirus that is configured but does not
answer refuses the file (`antivirus_unavailable`, 503): a file is never kept unscanned when
scanning is on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import DomainError, ValidationError
from motcua.core.inserts import row_insert

from . import antivirus
from .models import ContentType, DataStoreItem, DataStoreOrigin, StoredFile

#: What a component accepts unless the catalog says otherwise.
DEFAULT_ALLOWED_TYPES: tuple[str, ...] = (ContentType.PDF, ContentType.JPEG, ContentType.PNG)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
NAME_MAX = 200

EXTENSIONS = {ContentType.PDF: ".pdf", ContentType.JPEG: ".jpg", ContentType.PNG: ".png"}
TYPE_LABELS = {ContentType.PDF: "PDF", ContentType.JPEG: "JPEG", ContentType.PNG: "PNG"}

MESSAGES = {
    "file_empty": _("Tệp rỗng, không có nội dung."),
    "file_too_large": _("Tệp quá lớn: tối đa %(limit)s byte."),
    "file_type_not_allowed": _("Loại tệp không được chấp nhận: chỉ nhận %(allowed)s."),
    "pdf_encrypted": _("Tệp PDF được đặt mật khẩu hoặc mã hoá: vui lòng nộp bản không mã hoá."),
    "pdf_broken": _("Tệp PDF bị hỏng, không đọc được."),
    "image_broken": _("Tệp ảnh bị hỏng, không đọc được."),
    "image_too_large": _("Ảnh có quá nhiều điểm ảnh (tối đa %(limit)s)."),
    "file_infected": _("Tệp có chứa mã độc (%(signature)s) nên không được nhận."),
    "images_required": _("Cần ít nhất một ảnh."),
}


class AntivirusUnavailable(DomainError):
    """Scanning is on but the antivirus did not answer: the file is refused, try later."""

    code = "antivirus_unavailable"
    status = 503


class Upload(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _refuse(code: str, **params: Any) -> ValidationError:
    text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
    errors = [{"field": "file", "code": code, "message": text}]
    return ValidationError(MESSAGES[code], code=code, errors=errors, **params)


# --- names ------------------------------------------------------------------------------


def file_name_sanitise(name: str | None) -> str:
    """The original name without any path (either slash), control or format characters and
    surrounding dots and spaces, NFC, at most NAME_MAX characters (the extension kept);
    "tep" when nothing is left."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip().strip(".").strip()
    if not text:
        return "tep"
    if len(text) > NAME_MAX:
        stem, ext = os.path.splitext(text)
        ext = ext[:20]
        text = stem[: NAME_MAX - len(ext)] + ext
    return text


# --- sniffing ---------------------------------------------------------------------------


def content_type_sniff(head: bytes) -> str | None:
    """The type the first bytes announce: PDF, JPEG or PNG; None for anything else."""
    if head.startswith(b"%PDF-"):
        return ContentType.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return ContentType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ContentType.PNG
    return None


def _chunks(upload: Any) -> Iterator[bytes]:
    if hasattr(upload, "chunks"):  # Django's UploadedFile / File
        yield from upload.chunks(CHUNK_BYTES)
        return
    while True:
        chunk = upload.read(CHUNK_BYTES)
        if not chunk:
            return
        yield chunk


@dataclass
class Checked:
    """A file that passed every check, waiting in a temporary file to be stored."""

    temp: IO[bytes]
    name: str
    content_type: str
    size: int
    sha256: str
    pages: int
    scanned: bool

    def close(self) -> None:
        self.temp.close()


def max_image_pixels() -> int:
    from PIL import Image

    default = Image.MAX_IMAGE_PIXELS or 89_478_485
    return int(getattr(settings, "MOTCUA_DOCUMENTS_MAX_IMAGE_PIXELS", default))


#: A PDF ends with `%%EOF` within this many bytes of its end (pypdf would otherwise search
#: the whole file backwards: seconds of CPU for a 10 MB tail of junk).
PDF_EOF_WINDOW = 1024


def _pdf_pages(temp: IO[bytes]) -> int:
    from pypdf import PdfReader

    temp.seek(0, os.SEEK_END)
    temp.seek(max(0, temp.tell() - PDF_EOF_WINDOW))
    if b"%%EOF" not in temp.read():
        raise _refuse("pdf_broken")
    temp.seek(0)
    try:
        reader = PdfReader(temp, strict=False)
        if reader.is_encrypted:
            raise _refuse("pdf_encrypted")
        pages = len(reader.pages)
        for page in reader.pages:  # every page must at least parse
            page.mediabox  # noqa: B018
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken input
        raise _refuse("pdf_broken") from exc
    if pages < 1:
        raise _refuse("pdf_broken")
    return pages


def _image_check(temp: IO[bytes], content_type: str) -> int:
    from PIL import Image

    limit = max_image_pixels()
    temp.seek(0)
    try:
        with Image.open(temp) as image:
            width, height = image.size
            if width * height > limit:
                raise _refuse("image_too_large", limit=limit)
            expected = "JPEG" if content_type == ContentType.JPEG else "PNG"
            if image.format != expected:
                raise _refuse("image_broken")
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise _refuse("image_too_large", limit=limit) from exc
    except Exception as exc:
        raise _refuse("image_broken") from exc
    return 1


def file_check(
    *,
    upload: Any,
    name: str | None,
    allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    scan: bool = True,
) -> Checked:
    """Stream `upload` (a Django UploadedFile or any binary file object) into a temporary
    file while hashing it, then check it (see the module). The caller closes the result.
    `scan=False` skips the antivirus (bytes motcua wrote itself, or never kept)."""
    allowed = [str(t) for t in allowed_types]
    temp = tempfile.TemporaryFile()  # noqa: SIM115 (returned to the caller, who closes it)
    try:
        digest = hashlib.sha256()
        size = 0
        head = b""
        for chunk in _chunks(upload):
            size += len(chunk)
            if size > max_bytes:
                raise _refuse("file_too_large", limit=max_bytes)
            if len(head) < 16:
                head += chunk[:16]
            digest.update(chunk)
            temp.write(chunk)
        if size == 0:
            raise _refuse("file_empty")
        content_type = content_type_sniff(head)
        if content_type is None or content_type not in allowed:
            labels = ", ".join(TYPE_LABELS.get(t, t) for t in allowed)  # type: ignore[call-overload]
            raise _refuse("file_type_not_allowed", allowed=labels)
        if content_type == ContentType.PDF:
            pages = _pdf_pages(temp)
        else:
            pages = _image_check(temp, content_type)
        scanned = False
        scanner = antivirus.scanner_from_settings() if scan else None
        if scanner is not None:
            temp.seek(0)
            try:
                found = scanner.scan(temp)
            except antivirus.ScanFailed as exc:
                raise AntivirusUnavailable(
                    _("Không kiểm tra được virus lúc này. Vui lòng thử lại sau.")
                ) from exc
            if found is not None:
                raise _refuse("file_infected", signature=found)
            scanned = True
        temp.seek(0)
        return Checked(
            temp=temp,
            name=file_name_sanitise(name),
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            pages=pages,
            scanned=scanned,
        )
    except BaseException:
        temp.close()
        raise


# --- storing ----------------------------------------------------------------------------


def documents_storage() -> Storage:
    return storages["documents"]


def stored_bytes_delete(*, storage_name: str) -> None:
    """Remove stored bytes whose row was not kept (the caller's transaction failed)."""
    documents_storage().delete(storage_name)


def _storage_name(*, content_type: str, now: dt.datetime) -> str:
    return f"{now:%Y/%m}/{uuid.uuid4().hex}{EXTENSIONS[content_type]}"  # type: ignore[index]


def file_store_checked(
    *, actor: User | None, checked: Checked, now: dt.datetime, previous: StoredFile | None = None
) -> StoredFile:
    """Stream a checked file into the storage and record it. The bytes are removed again when
    the row cannot be written; a caller whose own transaction fails later removes them with
    `stored_bytes_delete`.

    The record is one INSERT, atomic by itself: no transaction or savepoint of its own (a
    savepoint was two more statements in every signed receipt's transaction). A caller
    inside a transaction lets a failure out of it, as every caller does."""
    storage = documents_storage()
    wanted = _storage_name(content_type=checked.content_type, now=now)
    checked.temp.seek(0)
    saved = storage.save(wanted, File(checked.temp, name=wanted))
    try:
        return row_insert(
            StoredFile(
                storage_name=saved,
                name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                pages=checked.pages,
                version=previous.version + 1 if previous is not None else 1,
                previous=previous,
                scanned=checked.scanned,
                added_by=actor if actor is not None and actor.is_authenticated else None,
                added_at=now,
            )
        )
    except BaseException:
        storage.delete(saved)
        raise


def file_store(
    *,
    actor: User | None,
    upload: Any,
    name: str | None,
    now: dt.datetime,
    allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    previous: StoredFile | None = None,
) -> StoredFile:
    """Check `upload` and store it (a new version of `previous` when given)."""
    checked = file_check(upload=upload, name=name, allowed_types=allowed_types, max_bytes=max_bytes)
    try:
        return file_store_checked(actor=actor, checked=checked, now=now, previous=previous)
    finally:
        checked.close()


def file_store_pdf(
    *,
    actor: User | None,
    data: bytes,
    name: str,
    now: dt.datetime,
    scanned: bool = False,
    pages: int | None = None,
) -> StoredFile:
    """Store a PDF motcua made itself (a signed result): checked like an upload (a readable
    PDF, its page count) but not scanned again (`scanned` says whether its source was).

    A caller that laid the PDF out itself passes its `pages`: the file is then not parsed
    again (that was a third of storing a receipt); it must still start as a PDF and end
    with `%%EOF`."""
    if pages is None:
        checked = file_check(
            upload=io.BytesIO(data),
            name=name,
            allowed_types=(ContentType.PDF,),
            max_bytes=max(len(data), 1),
            scan=False,
        )
    else:
        if pages < 1 or content_type_sniff(data[:16]) != ContentType.PDF:
            raise ValueError("not a PDF of at least one page")
        if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
            raise _refuse("pdf_broken")
        checked = Checked(
            temp=io.BytesIO(data),
            name=file_name_sanitise(name),
            content_type=ContentType.PDF,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            pages=pages,
            scanned=False,
        )
    checked.scanned = scanned
    try:
        return file_store_checked(actor=actor, checked=checked, now=now)
    finally:
        checked.close()


def images_to_pdf(*, uploads: list[Any], max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, int]:
    """Many scanned pages (JPEG or PNG, each checked like a single image) as one PDF, in the
    order given: (the PDF's bytes, its page count). Images with transparency are flattened
    first (a PDF page has none)."""
    import img2pdf
    from PIL import Image

    if not uploads:
        raise _refuse("images_required")
    pages: list[bytes] = []
    for upload in uploads:
        checked = file_check(
            upload=upload,
            name=getattr(upload, "name", None),
            allowed_types=(ContentType.JPEG, ContentType.PNG),
            max_bytes=max_bytes,
        )
        try:
            data = checked.temp.read()
        finally:
            checked.close()
        with Image.open(io.BytesIO(data)) as image:
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                flat = io.BytesIO()
                image.convert("RGB").save(flat, format="PNG")
                data = flat.getvalue()
        pages.append(data)
    pdf = img2pdf.convert(pages)
    assert pdf is not None
    return bytes(pdf), len(pages)


def file_check_images_as_pdf(
    *,
    uploads: list[Any],
    name: str | None,
    allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Checked:
    """Scanned paper: the images become one PDF (page order kept, page count = image count),
    checked like any PDF (PDF must be allowed; `max_bytes` applies to each image and to the
    PDF). The name is `name`'s stem, or the first image's, with `.pdf`."""
    allowed = [str(t) for t in allowed_types]
    if ContentType.PDF not in allowed:
        labels = ", ".join(TYPE_LABELS.get(t, t) for t in allowed)  # type: ignore[call-overload]
        raise _refuse("file_type_not_allowed", allowed=labels)
    pdf, _count = images_to_pdf(uploads=uploads, max_bytes=max_bytes)
    stem = os.path.splitext(file_name_sanitise(name or getattr(uploads[0], "name", None)))[0]
    return file_check(
        upload=io.BytesIO(pdf),
        name=f"{stem}.pdf",
        allowed_types=(ContentType.PDF,),
        max_bytes=max_bytes,
    )


def file_store_images_as_pdf(
    *,
    actor: User | None,
    uploads: list[Any],
    name: str | None,
    now: dt.datetime,
    allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StoredFile:
    """Store scanned pages as one PDF (see `file_check_images_as_pdf`)."""
    checked = file_check_images_as_pdf(
        uploads=uploads, name=name, allowed_types=allowed_types, max_bytes=max_bytes
    )
    try:
        return file_store_checked(actor=actor, checked=checked, now=now)
    finally:
        checked.close()


def stored_orphans_delete(
    *, now: dt.datetime, grace: dt.timedelta = dt.timedelta(hours=1), dry_run: bool = False
) -> list[str]:
    """Delete stored bytes that no StoredFile row names and that were written more than
    `grace` before `now` (an upload killed between the storage write and its commit leaves
    such bytes; younger ones may belong to an upload still committing). Returns their names."""
    storage = documents_storage()
    known = set(StoredFile.objects.values_list("storage_name", flat=True))
    orphans: list[str] = []
    folders = [""]
    while folders:
        folder = folders.pop()
        dirs, files = storage.listdir(folder)
        folders += [f"{folder}/{d}".lstrip("/") for d in dirs]
        for file in files:
            name = f"{folder}/{file}".lstrip("/")
            if name in known:
                continue
            if storage.get_modified_time(name) > now - grace:
                continue
            orphans.append(name)
    if not dry_run:
        for name in orphans:
            storage.delete(name)
    return sorted(orphans)


def _invalid(message: Any, *, code: str, field: str, **params: Any) -> ValidationError:
    """A ValidationError with one field error carrying its message (the API's shape)."""
    text = str(message) % params if params else str(message)
    return ValidationError(
        message, code=code, errors=[{"field": field, "code": code, "message": text}], **params
    )


# --- the personal data store --------------------------------------------------------------


def owner_key_clean(value: str) -> str:
    """A data store's owner: a personal identification number (12 digits) or a tax code,
    normalised; ValidationError `datastore_owner_invalid` otherwise."""
    from motcua.core.identifiers import InvalidIdentifier, personal_id_clean, tax_code_clean

    text = "".join(str(value or "").split())
    try:
        if len(text) == 12 and text.isascii() and text.isdigit():
            return personal_id_clean(text)
        return tax_code_clean(text)
    except InvalidIdentifier as exc:
        raise _invalid(
            _("Kho dữ liệu thuộc về một số định danh cá nhân (12 chữ số) hoặc một mã số thuế."),
            code="datastore_owner_invalid",
            field="owner_key",
        ) from exc


@transaction.atomic
def datastore_item_add(
    *,
    owner_key: str,
    kind: str,
    title: str,
    file: StoredFile,
    now: dt.datetime,
    issuer: str = "",
    valid_until: dt.date | None = None,
    source_dossier_code: str = "",
    valid_from: dt.date | None = None,
    origin: str = DataStoreOrigin.RESULT,
) -> DataStoreItem:
    """Keep `file` in the data store of `owner_key` (a personal identification number or a
    tax code) as a paper of `kind` (a `documents.kinds.DocumentKind` value, or
    `<procedure code>/<component code>`; see `kinds.component_kind`). Idempotent per file and
    owner: the same file added again returns the item already there, unchanged. Writes an
    audit event `datastore_item_add` when it creates one.

    Refused: ValidationError `datastore_owner_invalid` (not a 12-digit number nor a tax
    code), `datastore_kind_required`, `datastore_validity_reversed`."""
    owner = owner_key_clean(owner_key)
    kind = (kind or "").strip()
    if not kind:
        raise _invalid(
            _("Cần nêu loại giấy tờ."),
            code="datastore_kind_required",
            field="kind",
        )
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise _invalid(
            _("Ngày hết giá trị không thể trước ngày có giá trị."),
            code="datastore_validity_reversed",
            field="valid_until",
        )
    item, created = DataStoreItem.objects.get_or_create(
        owner_key=owner,
        file=file,
        defaults={
            "kind": kind[:100],
            "title": (title or "").strip()[:500] or file.name,
            "issuer": (issuer or "").strip()[:300],
            "valid_from": valid_from,
            "valid_until": valid_until,
            "source_dossier_code": (source_dossier_code or "").strip()[:40],
            "origin": origin,
            "added_at": now,
        },
    )
    if created:
        from motcua.core.services import audit_record

        audit_record(
            actor=None,
            action="datastore_item_add",
            object_type="datastore_item",
            object_id=item.pk,
            now=now,
            after={
                "kind": item.kind,
                "file": file.pk,
                "origin": item.origin,
                "source_dossier": item.source_dossier_code,
                "valid_until": item.valid_until,
            },
        )
    return item
