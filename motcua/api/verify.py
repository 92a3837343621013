"""Public verification of issued documents (no authentication): what a verification code
certifies, and whether a PDF someone holds is exactly that document.

The same facts and answers as the portal's page (`documents.issued.VERIFY_PATH`); both are
rate-limited per client address (`MOTCUA_RATE_LIMITS["verify"]`). The subject's name is
masked; nothing else personal is shown. The uploaded file is never stored.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.documents.issued import issued_document_get, verify_code_display, verify_url
from motcua.documents.models import IssuedDocument
from motcua.documents.verification import document_verify

from .datetimes import LocalDateTime
from .errors import PUBLIC_ERRORS, ErrorOut
from .throttling import verify_throttle

router = Router(tags=["verify"])


class VerifyDocumentOut(Schema):
    code: str = Field(..., description="Mã kiểm tra, dạng hiển thị ABCD-EFGH.")
    kind: str = Field(..., description="result | result_copy | certified_copy | form | receipt.")
    kind_label: str
    title: str
    unit: str = Field(..., description="Đơn vị phát hành (ký số).")
    unit_code: str
    issued_at: LocalDateTime
    reference: str = Field(
        ...,
        description="Số hiệu của giấy tờ: mã hồ sơ của kết quả, số chứng thực của bản sao, "
        "số biên lai (`HK26-0000001`) của biên lai.",
    )
    dossier_code: str | None = Field(
        None, description="Mã hồ sơ mà giấy tờ thuộc về; null khi không thuộc hồ sơ nào."
    )
    subject: str = Field(..., description="Người được cấp, đã che (họ và chữ cái đầu).")
    revoked: bool
    revoked_at: LocalDateTime | None
    sha256: str = Field(..., description="SHA-256 của tệp đã phát hành (đã ký).")
    url: str = Field(..., description="Địa chỉ trang kiểm tra công khai.")


class ReasonOut(Schema):
    code: str = Field(
        ...,
        description="not_same_file | not_signed_by_unit | other_document | "
        "added_after_signing | document_revoked | not_a_pdf | no_signature | "
        "modified_after_signing | signature_invalid | untrusted | revoked | expired | "
        "revocation_unknown.",
    )
    message: str


class VerifyResultOut(Schema):
    match: bool = Field(..., description="Đúng từng byte của giấy tờ đã phát hành.")
    signature_valid: bool = Field(
        ..., description="Tệp tải lên có chữ ký hợp lệ, được tin cậy của đơn vị phát hành."
    )
    signed_by: str | None
    signed_at: LocalDateTime | None = Field(..., description="Thời điểm ký người ký khai.")
    reasons: list[ReasonOut]


def _document(code: str) -> IssuedDocument:
    document = issued_document_get(code=code)
    if document is None:
        raise NotFound(_("Không có giấy tờ nào mang mã kiểm tra này."))
    return document


def document_out(document: IssuedDocument) -> dict[str, Any]:
    return {
        "code": verify_code_display(document.code),
        "kind": document.kind,
        "kind_label": str(IssuedDocument.Kind(document.kind).label),
        "title": document.title,
        "unit": document.unit.name,
        "unit_code": document.unit.code,
        "issued_at": document.issued_at,
        "reference": document.reference,
        "dossier_code": document.dossier_code or None,
        "subject": document.subject_masked,
        "revoked": document.is_revoked,
        "revoked_at": document.revoked_at,
        "sha256": document.file.sha256,
        "url": verify_url(document.code),
    }


@router.get(
    "/{code}",
    response={200: VerifyDocumentOut, 400: PUBLIC_ERRORS[400], 404: ErrorOut, 429: ErrorOut},
    operation_id="verify_get",
    summary="Kiểm tra mã giấy tờ",
    description=(
        "Không cần xác thực. Giấy tờ mang mã kiểm tra (chữ hoa hay thường, có hay không dấu "
        "gạch, O/I/L đọc là 0/1/1): loại, tên, đơn vị phát hành, thời điểm, số hiệu, người "
        "được cấp (đã che), đã thu hồi hay chưa. 404 `not_found`: không có mã này."
    ),
    throttle=verify_throttle,
    openapi_extra={
        "responses": {
            404: {"description": "`not_found`: không có giấy tờ nào mang mã này."},
            429: {"description": "`rate_limited`: quá nhiều lần kiểm tra từ địa chỉ này."},
        }
    },
)
def verify_get(request: HttpRequest, code: str) -> dict[str, Any]:
    return document_out(_document(code))


@router.post(
    "/{code}",
    response={
        200: VerifyResultOut,
        400: PUBLIC_ERRORS[400],
        404: ErrorOut,
        413: ErrorOut,
        422: PUBLIC_ERRORS[422],
        429: ErrorOut,
    },
    operation_id="verify_file",
    summary="Đối chiếu tệp với giấy tờ",
    description=(
        "Không cần xác thực. Thân `multipart/form-data` với `file` (PDF, tối đa 10 MB, không "
        "được lưu lại). `match`: đúng từng byte của giấy tờ đã phát hành. Nếu không, `reasons` "
        "nói khác ở đâu: không phải đúng tệp (`not_same_file`), không có chữ ký của đơn vị "
        "(`not_signed_by_unit`), phần đã ký nguyên vẹn nhưng có thêm nội dung sau khi ký "
        "(`added_after_signing`), bị sửa sau khi ký (`modified_after_signing`), chữ ký không "
        "hợp lệ, không được tin cậy, chứng thư bị thu hồi, hết hạn; `document_revoked` khi "
        "giấy tờ đã bị thu hồi."
    ),
    throttle=verify_throttle,
    openapi_extra={
        "responses": {
            400: {
                "description": "Tệp không dùng được: `not_a_pdf`, `file_empty`, "
                "`file_too_large`; ký tự NUL — kèm `errors`."
            },
            404: {"description": "`not_found`: không có giấy tờ nào mang mã này."},
            413: {"description": "`payload_too_large`: thân yêu cầu quá lớn."},
            422: {"description": "`invalid`: thiếu `file` — kèm `errors`."},
            429: {"description": "`rate_limited`: quá nhiều lần kiểm tra từ địa chỉ này."},
        }
    },
)
def verify_file(request: HttpRequest, code: str, file: File[UploadedFile]) -> dict[str, Any]:
    document = _document(code)
    result = document_verify(document=document, upload=file, now=clock.now())
    return {
        "match": result.match,
        "signature_valid": result.signature_valid,
        "signed_by": result.signed_by,
        "signed_at": result.signed_at,
        "reasons": [{"code": r.code, "message": r.message} for r in result.reasons],
    }
