"""Demo certified copies (docs/certified-copies.md): a few lines in Hoàn Kiếm's certification
book, certified through `copy_certify` (numbered, stamped, signed with the demo PKI) by the
demo one-stop officer, one of them at the requester's home. Idempotent: a book that already
has lines is left alone."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfWriter

from motcua.accounts.models import User
from motcua.documents.certification import Place, copy_certify
from motcua.documents.models import CertificationEntry
from motcua.organisation.models import Unit

UNIT = "00070"
OFFICER = "motcua.hoankiem"
COPIES = (
    (
        "Nguyễn Văn An",
        "001090000123",
        "Bằng tốt nghiệp đại học",
        "Trường Đại học Bách khoa Hà Nội",
        2,
        None,
    ),
    ("Trần Thị Bình", "001190000456", "Giấy khai sinh", "UBND Phường Hoàn Kiếm", 1, None),
    (
        "Lê Thị Cúc",
        "001045000789",
        "Sổ đỏ (Giấy chứng nhận quyền sử dụng đất)",
        "UBND Quận Hoàn Kiếm",
        3,
        Place(address="12 Hàng Bạc, phường Hoàn Kiếm", reason="Người cao tuổi, đi lại khó khăn"),
    ),
)


def _blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def demo_certified_copies_load(*, now: dt.datetime) -> int:
    """Certify the demo copies in Hoàn Kiếm's book (once); returns how many were added."""
    unit = Unit.objects.filter(code=UNIT).first()
    officer = User.objects.filter(username=OFFICER).first()
    if unit is None or officer is None or CertificationEntry.objects.filter(unit=unit).exists():
        return 0
    for index, (name, id_number, title, issuer, pages, place) in enumerate(COPIES):
        copy_certify(
            actor=officer,
            unit=unit,
            upload=io.BytesIO(_blank_pdf(pages)),
            requester_name=name,
            requester_id_number=id_number,
            document_title=title,
            document_issuer=issuer,
            compared_with_original=True,
            copies=1 + index,
            fee_vnd=2000 * pages * (1 + index),
            place=place,
            now=now - dt.timedelta(hours=len(COPIES) - index),
        )
    return len(COPIES)
