"""Issued documents: what a unit signed and handed out (a result, the electronic copy of a paper
result, a certified copy, a form, a receipt), each with a short verification code that anyone
can check at `/verify/<code>` without signing in.

The code is 8 characters of Crockford's base32 (no I, L, O, U: nothing to misread on paper),
random, printed as ``ABCD-EFGH``; 32**8 ≈ 1.1e12 codes, and the public look-up is rate-limited,
so codes cannot be guessed. Input is read leniently: case, spaces and hyphens are ignored and
O/I/L are read as 0/1/1.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata

import segno
from django.conf import settings
from django.db import IntegrityError, transaction

from motcua.accounts.models import User
from motcua.core.inserts import row_insert
from motcua.organisation.models import Unit

from .models import IssuedDocument, IssuedDocumentKind, StoredFile

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def verify_code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def verify_code_normalise(raw: str) -> str | None:
    """The canonical code for what someone typed, or None when it cannot be a code."""
    code = "".join(raw.split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def verify_code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# The public page's address is part of what is printed on paper, so it is fixed here rather
# than reversed from an interface's URL configuration (the portal serves it at this path).
VERIFY_PATH = "/verify/{code}/"


def verify_path(code: str) -> str:
    return VERIFY_PATH.format(code=code)


def verify_url(code: str) -> str:
    """The absolute address printed as a QR code on the document."""
    return f"{settings.MOTCUA_PUBLIC_URL}{verify_path(code)}"


def qr_svg(data: str, *, scale: int = 4) -> str:
    """A QR code (error correction M) as an inline SVG document."""
    return segno.make(data, error="m", micro=False).svg_inline(scale=scale, border=2)


def qr_png(data: str, *, scale: int = 4) -> bytes:
    import io

    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def name_mask(name: str) -> str:
    """A person's name as shown to the public: the family name, then initials.

    "Nguyễn Văn An" -> "Nguyễn V. A."; an organisation keeps its name (it is not personal data),
    so callers mask only people.
    """
    words = unicodedata.normalize("NFC", name).split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])])


def document_issue(
    *,
    kind: IssuedDocumentKind | str,
    file: StoredFile,
    unit: Unit,
    title: str,
    now: dt.datetime,
    issued_by: User | None = None,
    reference: str = "",
    dossier_code: str = "",
    subject_name: str = "",
    subject_is_person: bool = True,
    code: str | None = None,
) -> IssuedDocument:
    """Record that `unit` issued the signed `file`, under a new verification code.

    The caller signs first (`motcua.documents.signing.services.document_sign`) and stores the
    signed bytes; this only gives them a code. `subject_name` is masked here (unless the
    subject is an organisation), so the unmasked name is never stored twice.

    `code` is one drawn beforehand with `verify_code_generate` when it had to be printed on
    the document before signing (a generated result); it is then used as is.

    `reference` is the document's own number as people quote it (a result's dossier code, a
    certified copy's book number, a receipt's number); `dossier_code` the dossier it belongs
    to, when it does.

    The record is one INSERT (a drawn code: each draw in a savepoint of its own, to draw
    again on a clash), so no transaction of its own around it: inside a signed receipt's
    transaction that was a savepoint, two statements, for nothing.
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime: motcua only handles aware datetimes")
    masked = name_mask(subject_name) if subject_is_person else subject_name.strip()
    fields = {
        "kind": kind,
        "file": file,
        "unit": unit,
        "title": title[:300],
        "reference": reference[:100],
        "dossier_code": dossier_code[:60],
        "subject_masked": masked[:200],
        "issued_by": issued_by if issued_by is not None and issued_by.is_authenticated else None,
        "issued_at": now,
    }
    if code:  # printed already: no other draw is possible (a clash fails the transaction)
        return row_insert(IssuedDocument(code=code, **fields))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return IssuedDocument.objects.create(code=verify_code_generate(), **fields)
        except IntegrityError:  # a code already taken: ~1 in 10^12 per pair, draw again
            continue
    raise RuntimeError("no free verification code after 5 draws")


@transaction.atomic
def document_revoke(*, document: IssuedDocument, reason: str, now: dt.datetime) -> IssuedDocument:
    """Mark an issued document revoked (cancelled and replaced, or issued in error); its page
    then says so. The row and the file are kept."""
    locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if locked.revoked_at is None:
        locked.revoked_at = now
        locked.revoked_reason = reason[:500]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
    return locked


def issued_document_get(*, code: str) -> IssuedDocument | None:
    """The issued document under a code as typed (leniently read), or None."""
    canonical = verify_code_normalise(code)
    if canonical is None:
        return None
    return IssuedDocument.objects.select_related("file", "unit").filter(code=canonical).first()


def issued_codes_for_files(*, file_ids: list[int]) -> dict[int, str]:
    """The verification code of each of `file_ids` that was issued (one query)."""
    if not file_ids:
        return {}
    return dict(
        IssuedDocument.objects.filter(file_id__in=file_ids)
        .order_by("issued_at", "id")
        .values_list("file_id", "code")
    )
