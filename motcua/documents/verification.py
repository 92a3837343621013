"""Checking a PDF someone holds against an issued document (the public `/verify/<code>/`).

The uploaded bytes are streamed into a temporary file while hashed (at most
`VERIFY_MAX_BYTES`, reading stops at the limit) and never stored. Equal SHA-256: it is exactly
the issued document. Otherwise the answer says what differs, from the signatures of the
uploaded PDF (`signing.validation.document_validate`): whether it carries a signature of the
issuing unit at all, whether that signature is intact and trusted, whether content was added
after signing, or whether it is another document the unit signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.errors import ValidationError

from .models import IssuedDocument
from .selectors import stored_file_open
from .services import CHUNK_BYTES, _chunks, content_type_sniff
from .signing.validation import REASONS, SignatureCheck, document_validate

VERIFY_MAX_BYTES = 10 * 1024 * 1024

# Reason codes of a verification, besides the signature codes of `signing.validation`.
NOT_SAME_FILE = "not_same_file"
NOT_SIGNED_BY_UNIT = "not_signed_by_unit"
OTHER_DOCUMENT = "other_document"
ADDED_AFTER_SIGNING = "added_after_signing"
DOCUMENT_REVOKED = "document_revoked"

MESSAGES = {
    NOT_SAME_FILE: _("Tệp tải lên không phải đúng tệp đã được phát hành với mã này."),
    NOT_SIGNED_BY_UNIT: _("Tệp tải lên không có chữ ký số của %(unit)s."),
    OTHER_DOCUMENT: _(
        "Tệp có chữ ký số hợp lệ của %(unit)s nhưng là một giấy tờ khác, không phải giấy tờ "
        "mang mã này."
    ),
    ADDED_AFTER_SIGNING: _(
        "Phần đã ký còn nguyên vẹn nhưng tệp có thêm nội dung sau khi ký (chữ ký hoặc ghi "
        "chú khác)."
    ),
    DOCUMENT_REVOKED: _("Giấy tờ mang mã này đã bị thu hồi."),
    "file_too_large": _("Tệp quá lớn: tối đa %(limit)s byte."),
    "file_empty": _("Tệp rỗng, không có nội dung."),
    "not_a_pdf": _("Tệp tải lên không phải tệp PDF."),
}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class VerifyResult:
    match: bool
    signature_valid: bool
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    reasons: tuple[Reason, ...] = field(default=())


def _refuse(code: str, **params: Any) -> ValidationError:
    text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
    return ValidationError(
        MESSAGES[code],
        code=code,
        errors=[{"field": "file", "code": code, "message": text}],
        **params,
    )


def _reason(code: str, **params: Any) -> Reason:
    message = MESSAGES[code] if code in MESSAGES else REASONS[code]
    text = str(message) % params if params else str(message)
    return Reason(code=code, message=text)


def _read(upload: Any, limit: int) -> tuple[bytes, str]:
    """The upload's bytes and SHA-256, streamed (refused past `limit`)."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES * 16) as temp:
        for chunk in _chunks(upload):
            size += len(chunk)
            if size > limit:
                raise _refuse("file_too_large", limit=limit)
            digest.update(chunk)
            temp.write(chunk)
        if size == 0:
            raise _refuse("file_empty")
        temp.seek(0)
        data = temp.read()
    if content_type_sniff(data[:16]) != "application/pdf":
        raise _refuse("not_a_pdf")
    return data, digest.hexdigest()


def _signers_of(data: bytes) -> set[tuple[str, str]]:
    """(common name, organisational unit) of the certificates that signed `data` (parsed,
    not validated: the issued file is ours)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        found = set()
        for sig in reader.embedded_signatures:
            subject = sig.signer_cert.subject.native
            found.add(
                (
                    str(subject.get("common_name", "")),
                    str(subject.get("organizational_unit_name", "")),
                )
            )
        return found
    except Exception:  # an unreadable original signs for nobody
        return set()


def _original_signers(document: IssuedDocument) -> set[tuple[str, str]]:
    with stored_file_open(stored=document.file) as handle:
        return _signers_of(handle.read())


def document_verify(
    *,
    document: IssuedDocument,
    upload: Any,
    now: dt.datetime,
    max_bytes: int = VERIFY_MAX_BYTES,
) -> VerifyResult:
    """Is `upload` exactly `document`? If not, why not (see the module). Refuses what is not
    a PDF (`not_a_pdf`), empty or too large (ValidationError)."""
    data, sha256 = _read(upload, max_bytes)
    revoked = (_reason(DOCUMENT_REVOKED),) if document.is_revoked else ()
    unit = document.unit.name
    if sha256 == document.file.sha256:
        report = document_validate(pdf=data, now=now)
        last = report.signatures[-1] if report.signatures else None
        return VerifyResult(
            match=True,
            signature_valid=report.ok,
            signed_by=last.signer_common_name if last else None,
            signed_at=last.signing_time if last else None,
            reasons=revoked + tuple(_reason(code) for code in report.failures),
        )
    try:
        report = document_validate(pdf=data, now=now)
    except ValidationError:
        return VerifyResult(
            match=False,
            signature_valid=False,
            reasons=(_reason(NOT_SAME_FILE), _reason("not_a_pdf"), *revoked),
        )
    reasons = [_reason(NOT_SAME_FILE)]
    signers = _original_signers(document)
    ours: list[SignatureCheck] = [
        check
        for check in report.signatures
        if (check.signer_common_name, check.signer_unit) in signers
    ]
    if not ours:
        reasons.append(_reason(NOT_SIGNED_BY_UNIT, unit=unit))
        if not report.signatures:
            reasons.append(_reason("no_signature"))
        return VerifyResult(match=False, signature_valid=False, reasons=(*reasons, *revoked))
    check = ours[-1]
    if check.failures:
        reasons += [_reason(code) for code in check.failures]
    elif check.changed_after_signing:
        reasons.append(_reason(ADDED_AFTER_SIGNING))
    else:
        reasons.append(_reason(OTHER_DOCUMENT, unit=unit))
    return VerifyResult(
        match=False,
        signature_valid=check.ok,
        signed_by=check.signer_common_name,
        signed_at=check.signing_time,
        reasons=(*reasons, *revoked),
    )
