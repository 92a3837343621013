"""The signed result of a dossier (domain.md sections 3 and 6): issuing the result
(`dossier_issue_result`) attaches a PDF signed by the handling unit, as a `DossierFile` of kind
`result`, with a verification code (`documents.issued.document_issue`, kind RESULT); for a
result on paper only ("one procedure, two results": the dossier's `result_kind` is paper) the
signed electronic copy too (kind `result_copy`, IssuedDocument RESULT_COPY). A dossier whose
result is both paper and electronic already has its electronic result.

The PDF is the officer's own document (an upload, checked like any file, then signed) or one
motcua writes from the dossier (`result_pdf_render`: procedure, applicant, outcome with the
note or the reasons of a refusal to settle, unit, date, the verification code and its QR).
Everything here runs inside the issuing transaction: a signing failure leaves the dossier
unchanged; the caller removes the bytes already stored (`stored_bytes_delete`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.accounts.models import User
from motcua.catalog.models import ResultKind
from motcua.core.clock import format_vn_moment, local
from motcua.documents.issued import (
    document_issue,
    verify_code_display,
    verify_code_generate,
    verify_url,
)
from motcua.documents.models import IssuedDocument, IssuedDocumentKind
from motcua.documents.pdf import Block, text_pdf
from motcua.documents.services import file_store_pdf
from motcua.documents.signing.registry import signer_for_unit
from motcua.documents.signing.services import document_sign

from ..models import Dossier, DossierFile, DossierFileKind, ResultOutcome

TITLES = {
    ResultOutcome.GRANTED: "Kết quả giải quyết thủ tục hành chính",
    ResultOutcome.REFUSED: "Thông báo từ chối giải quyết hồ sơ",
}
COPY_TITLE = "Bản điện tử của kết quả giấy"
REASONS = {
    IssuedDocumentKind.RESULT: "Ban hành kết quả giải quyết thủ tục hành chính",
    IssuedDocumentKind.RESULT_COPY: "Bản điện tử của kết quả giải quyết bằng giấy",
}


@dataclass(frozen=True)
class IssuedResult:
    """What issuing attached: the result, and the electronic copy of a paper result."""

    result: IssuedDocument
    result_file: DossierFile
    copy: IssuedDocument | None = None
    copy_file: DossierFile | None = None

    @property
    def electronic(self) -> IssuedDocument:
        """The electronic document the applicant keeps (their data store's item)."""
        return self.copy or self.result


def has_paper_result(dossier: Dossier) -> bool:
    """The result is issued on paper only: its electronic copy is signed too. ("both": the
    electronic result is itself one of the two results, nothing to copy.)"""
    return dossier.result_kind == ResultKind.PAPER


def signer_name(actor: User) -> str:
    return (actor.full_name or actor.get_username()).strip()


def _subject_is_person(dossier: Dossier) -> bool:
    """An enterprise code (10 digits, or 13 for a branch) names an organisation; a personal
    identification number or none, a person."""
    digits = "".join(ch for ch in dossier.applicant_id_number if ch.isdigit())
    return len(digits) not in (10, 13)


def result_pdf_render(
    *,
    dossier: Dossier,
    outcome: str,
    note: str,
    signer: str,
    code: str,
    now: dt.datetime,
    copy: bool = False,
) -> bytes:
    """The generated result of `dossier` (Vietnamese, the language of record). The one place
    its layout is decided: swap it for an HTML template rendered to PDF when available."""
    version = dossier.procedure_version
    unit = dossier.handling_unit
    outcome_label = "Giải quyết" if outcome == ResultOutcome.GRANTED else "Từ chối giải quyết"
    blocks = [
        Block(unit.name.upper(), size=10),
        Block("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=11, centred=True, space_before=12),
        Block("Độc lập - Tự do - Hạnh phúc", size=11, centred=True, space_before=0),
        Block(TITLES[ResultOutcome(outcome)].upper(), size=14, centred=True, space_before=24),
    ]
    if copy:
        blocks.append(Block(f"({COPY_TITLE})", size=10, centred=True, space_before=2))
    facts = [
        ("Thủ tục", f"{version.procedure.name} ({version.procedure.code})"),
        ("Mã hồ sơ", dossier.code),
        ("Người nộp", dossier.applicant_name),
    ]
    if dossier.received_at is not None:
        facts.append(("Ngày tiếp nhận", local(dossier.received_at).strftime("%d/%m/%Y")))
    facts.append(("Kết quả giải quyết", outcome_label))
    if note:
        facts.append(("Lý do" if outcome == ResultOutcome.REFUSED else "Nội dung", note))
    facts += [
        ("Đơn vị giải quyết", unit.name),
        ("Ngày ban hành", format_vn_moment(now)),
        ("Người ký", signer),
    ]
    first = True
    for label, value in facts:
        blocks.append(Block(f"{label}: {value}", space_before=18 if first else 6))
        first = False
    blocks.append(
        Block(
            f"Mã kiểm tra: {verify_code_display(code)}. Kiểm tra giấy tờ này tại "
            f"{verify_url(code)} (không cần đăng nhập).",
            size=9,
            space_before=24,
        )
    )
    return text_pdf(
        blocks=blocks, qr_data=verify_url(code), qr_caption=f"Mã: {verify_code_display(code)}"
    )


def _sign_and_issue(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    outcome: str,
    note: str,
    kind: IssuedDocumentKind,
    source: bytes | None,
    source_name: str,
    source_scanned: bool,
    saved: list[str],
) -> tuple[IssuedDocument, DossierFile]:
    unit = dossier.handling_unit
    name = signer_name(actor)
    code = verify_code_generate()
    copy = kind == IssuedDocumentKind.RESULT_COPY
    pdf = source
    if pdf is None:
        pdf = result_pdf_render(
            dossier=dossier, outcome=outcome, note=note, signer=name, code=code, now=now, copy=copy
        )
    signed = document_sign(
        pdf=pdf,
        signer=signer_for_unit(unit.code),
        unit_name=unit.name,
        signer_name=name,
        reason=REASONS[kind],
        now=now,
    )
    suffix = "-ban-dien-tu" if copy else ""
    file_name = source_name if source is not None and not copy else f"{dossier.code}{suffix}.pdf"
    stored = file_store_pdf(
        actor=actor, data=signed, name=file_name, now=now, scanned=source_scanned
    )
    saved.append(stored.storage_name)
    link = DossierFile.objects.create(
        dossier=dossier,
        file=stored,
        kind=DossierFileKind.RESULT_COPY if copy else DossierFileKind.RESULT,
        added_by=actor if actor.is_authenticated else None,
        added_at=now,
    )
    title = COPY_TITLE if copy else TITLES[ResultOutcome(outcome)]
    issued = document_issue(
        kind=kind,
        file=stored,
        unit=unit,
        title=f"{title}: {dossier.procedure_version.procedure.name}",
        now=now,
        issued_by=actor,
        reference=dossier.code,
        dossier_code=dossier.code,
        subject_name=dossier.applicant_name,
        subject_is_person=_subject_is_person(dossier),
        code=code,
    )
    return issued, link


def result_issue_signed(
    *,
    dossier: Dossier,
    actor: User,
    now: dt.datetime,
    outcome: str,
    note: str,
    source: bytes | None = None,
    source_name: str = "",
    source_scanned: bool = False,
    saved: list[str],
) -> IssuedResult:
    """Sign the result of the locked `dossier` for its handling unit and give it a code (and
    the electronic copy of a paper result). Stored bytes' names are appended to `saved`."""
    common = {
        "dossier": dossier,
        "actor": actor,
        "now": now,
        "outcome": outcome,
        "note": note,
        "source": source,
        "source_name": source_name,
        "source_scanned": source_scanned,
        "saved": saved,
    }
    result, result_file = _sign_and_issue(kind=IssuedDocumentKind.RESULT, **common)  # type: ignore[arg-type]
    if not has_paper_result(dossier):
        return IssuedResult(result=result, result_file=result_file)
    copy, copy_file = _sign_and_issue(kind=IssuedDocumentKind.RESULT_COPY, **common)  # type: ignore[arg-type]
    return IssuedResult(result=result, result_file=result_file, copy=copy, copy_file=copy_file)
