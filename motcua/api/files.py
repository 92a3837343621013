"""Files of a dossier: upload one for a component, list them, download one.

Access is the dossier's (`motcua.dossiers.selectors`): whoever may not see the dossier gets
404, as for a file that does not exist. A download by anyone but the applicant is logged in
core.DataAccessLog. Files are served as attachments, never inline, with `nosniff`.
The upload route accepts a body up to `MOTCUA_API_UPLOAD_MAX_BYTES` (the request guard's
exception for it, `motcua.core.middleware`); each component has its own, smaller limit.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.documents.issued import issued_codes_for_files
from motcua.documents.selectors import datastore_file_get_for_actor
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.selectors import (
    dossier_file_get_for_actor,
    dossier_files,
    dossier_list_for_actor,
)
from motcua.dossiers.services import dossier_file_add
from motcua.web.downloads import stored_file_response

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, WRITE_ERRORS, ErrorOut

#: What a stored file's download answers (the types motcua accepts), for the OpenAPI.
STORED_FILE_CONTENT = {
    media: {"schema": {"type": "string", "format": "binary"}}
    for media in ("application/pdf", "image/jpeg", "image/png")
}

router = Router(tags=["dossiers"], auth=AUTH)


class FileOut(Schema):
    id: int = Field(..., description="Mã tệp: GET /files/{id} để tải về.")
    kind: str = Field(..., description="component | result | result_copy | certified_copy | form.")
    component: str = Field(..., description="Mã thành phần hồ sơ (trống nếu không thuộc).")
    content_type: str = Field(..., description="Nhận biết từ nội dung tệp: PDF, JPEG hoặc PNG.")
    size: int = Field(..., description="Kích thước (byte).")
    sha256: str
    pages: int = Field(..., description="Số trang (ảnh: 1).")
    signed: bool = Field(
        ..., description="Do đơn vị ký số và phát hành (kết quả, bản sao điện tử...)."
    )
    verify_code: str | None = Field(
        ...,
        description="Mã kiểm tra công khai của giấy tờ đã phát hành (`GET /verify/{code}`, "
        "trang `/verify/{code}/`); null nếu tệp không được phát hành.",
    )
    name: str = Field(..., description="Tên tệp gốc (đã bỏ đường dẫn, ký tự điều khiển).")
    added_at: LocalDateTime


class FileListOut(Schema):
    items: list[FileOut]


def file_out(link: DossierFile, codes: dict[int, str] | None = None) -> dict[str, Any]:
    """One file; `codes` (file id -> verification code) from `issued_codes_for_files`, read
    for the whole list at once (else one query for this file)."""
    stored = link.file
    if codes is None:
        codes = issued_codes_for_files(file_ids=[stored.pk])
    code = codes.get(stored.pk)
    return {
        "id": stored.pk,
        "kind": link.kind,
        "component": link.component_code,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "pages": stored.pages,
        "signed": code is not None,
        "verify_code": code,
        "name": stored.name,
        "added_at": link.added_at,
    }


def _visible(*, actor: Any, code: str) -> Dossier:
    dossier = dossier_list_for_actor(actor=actor).filter(code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(dossier)s."), dossier=code)
    return dossier


_UPLOAD_RESPONSES = {
    201: {"description": "Đã lưu tệp."},
    400: {
        "description": "Tệp bị từ chối, không lưu gì: `file_type_not_allowed` (nội dung không "
        "phải loại được nhận của thành phần), `file_too_large`, `file_empty`, `pdf_encrypted`, "
        "`pdf_broken`, `image_broken`, `image_too_large`, `file_infected`; "
        "`unknown_component`; ký tự NUL — kèm `errors`."
    },
    401: {"description": "`unauthenticated`: thiếu hoặc sai khoá API / phiên đăng nhập."},
    403: {
        "description": "`forbidden`: người gọi thấy hồ sơ nhưng không được thêm tệp "
        "(không phải người nộp, không thuộc đơn vị); `csrf_failed` với phiên đăng nhập."
    },
    404: {"description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem."},
    409: {
        "description": "`files_locked`: hồ sơ ở trạng thái không được thêm tệp (người nộp: chỉ "
        "khi mới đăng ký hoặc đang bổ sung; cán bộ: khi chưa có kết quả)."
    },
    413: {"description": "`payload_too_large`: thân yêu cầu vượt `MOTCUA_API_UPLOAD_MAX_BYTES`."},
    422: {"description": "`invalid`: thiếu `file` hoặc `component` — kèm `errors`."},
    503: {"description": "`antivirus_unavailable`: bật quét virus nhưng ClamAV không trả lời."},
}


@router.post(
    "/dossiers/{code}/files",
    response={201: FileOut, **WRITE_ERRORS, 404: ErrorOut, 503: ErrorOut},
    operation_id="dossiers_files_add",
    summary="Nộp tệp thành phần hồ sơ",
    description=(
        "Thân `multipart/form-data`: `file` (tệp) và `component` (mã thành phần hồ sơ của "
        "thủ tục). Gửi nhiều `file` (ảnh JPEG/PNG của các trang giấy): ghép thành một tệp PDF, "
        "đúng thứ tự gửi. Loại tệp được nhận biết từ nội dung (PDF, JPEG, PNG), không theo tên hay "
        "header; loại và dung lượng tối đa theo thành phần (mặc định PDF/JPEG/PNG, 10 MB). "
        "Thêm tệp là một thay đổi của hồ sơ: `version` tăng, nhật ký ghi `file_add`."
    ),
    openapi_extra={"responses": _UPLOAD_RESPONSES},
)
def dossiers_files_add(
    request: HttpRequest,
    code: str,
    file: File[list[UploadedFile]],
    component: Form[str],
) -> Status[dict[str, Any]]:
    actor = request_actor(request)
    dossier = _visible(actor=actor, code=code)
    link = dossier_file_add(
        dossier=dossier, actor=actor, component=component, upload=file, now=clock.now()
    )
    return Status(201, file_out(link))


@router.get(
    "/dossiers/{code}/files",
    response={200: FileListOut, **READ_ERRORS},
    operation_id="dossiers_files_list",
    summary="Tệp của hồ sơ",
    description="Các tệp của hồ sơ, cũ trước. 404 với hồ sơ người gọi không được xem.",
)
def dossiers_files_list(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = request_actor(request)
    dossier = _visible(actor=actor, code=code)
    links = list(dossier_files(dossier=dossier))
    codes = issued_codes_for_files(file_ids=[link.file_id for link in links])
    return {"items": [file_out(link, codes) for link in links]}


@router.get(
    "/files/{file_id}",
    response={200: None, **READ_ERRORS},
    operation_id="files_download",
    summary="Tải tệp",
    description=(
        "Nội dung tệp (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`). "
        "404 với tệp của hồ sơ người gọi không được xem. Mỗi lần tải của người không phải "
        "người nộp được ghi nhật ký truy cập dữ liệu cá nhân. Tệp của giấy tờ trong kho dữ "
        "liệu của chính người gọi (`GET /me/data-store`) tải được cả khi không thuộc hồ sơ nào."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "Nội dung tệp.",
                "content": STORED_FILE_CONTENT,
            },
            404: {"description": "`not_found`: không có tệp, hoặc người gọi không được xem."},
        }
    },
)
def files_download(request: HttpRequest, file_id: int) -> FileResponse:
    actor = request_actor(request)
    try:
        stored = dossier_file_get_for_actor(
            actor=actor, file_id=file_id, now=clock.now(), channel="api"
        ).file
    except NotFound:
        # A paper of the caller's own data store needs no dossier (their own: not logged).
        stored = datastore_file_get_for_actor(actor=actor, file_id=file_id)
    return stored_file_response(stored)
