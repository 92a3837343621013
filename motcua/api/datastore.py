"""The caller's data store, and providing a component without an upload: reusing a paper
from the data store, or filling it from a national database (docs/data-store.md).

Every rule lives in `motcua.documents` (the store) and `motcua.dossiers.services.datastore`
(reuse, national data); this module parses and renders. A dossier the caller may not see is
404, like one that does not exist; so is someone else's data store item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.core import clock
from motcua.documents.models import DataStoreItem
from motcua.documents.selectors import datastore_items_for_actor
from motcua.dossiers.models import DossierComponentSource
from motcua.dossiers.services import (
    dossier_component_from_national_data,
    dossier_component_reuse,
)

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import WRITE_ERRORS, ErrorOut, ValidationErrorOut
from .files import FileOut, _visible, file_out

router = Router(tags=["data-store"], auth=AUTH)


class DataStoreItemOut(Schema):
    id: int = Field(..., description="Mã giấy tờ: gửi làm `item` khi dùng lại.")
    kind: str = Field(
        ...,
        description="Loại giấy tờ (identity_card, birth_certificate, ...) hoặc "
        "`<mã thủ tục>/<mã thành phần>`.",
    )
    title: str
    issuer: str = Field(..., description="Cơ quan cấp (trống nếu không rõ).")
    valid_from: dt.date | None
    valid_until: dt.date | None = Field(..., description="Trống: không thời hạn.")
    valid: bool = Field(..., description="Còn giá trị hôm nay.")
    origin: str = Field(..., description="component | result | imported.")
    source_dossier: str = Field(..., description="Mã hồ sơ đã nộp giấy tờ này (nếu có).")
    file: int = Field(..., description="Mã tệp: GET /files/{id} để tải về.")
    content_type: str
    size: int
    sha256: str
    added_at: LocalDateTime


class DataStoreOut(Schema):
    items: list[DataStoreItemOut]


def item_out(item: DataStoreItem, *, today: dt.date) -> dict[str, Any]:
    stored = item.file
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "issuer": item.issuer,
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
        "valid": item.is_valid_on(today),
        "origin": item.origin,
        "source_dossier": item.source_dossier_code,
        "file": stored.pk,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "added_at": item.added_at,
    }


@router.get(
    "/me/data-store",
    response={200: DataStoreOut, 400: ValidationErrorOut, 401: ErrorOut},
    operation_id="me_data_store",
    summary="Kho dữ liệu của tôi",
    description=(
        "Giấy tờ trong kho dữ liệu của người gọi (thành phần hồ sơ đã nộp, kết quả đã nhận), "
        "mới trước, cả giấy tờ đã hết giá trị (`valid`: false). Kho thuộc số định danh cá "
        "nhân đã xác thực của tài khoản (tổ chức: mã số thuế); tài khoản chưa xác thực danh "
        "tính có kho rỗng."
    ),
)
def me_data_store(request: HttpRequest) -> dict[str, Any]:
    actor = request_actor(request)
    today = clock.local(clock.now()).date()
    items = datastore_items_for_actor(actor=actor)
    return {"items": [item_out(item, today=today) for item in items]}


class ReuseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item: int = Field(..., ge=1, description="Mã giấy tờ trong kho dữ liệu (`id`).")
    component: str = Field(..., min_length=1, max_length=40, description="Mã thành phần.")
    expected_version: int | None = Field(
        None, ge=1, description="Phiên bản hồ sơ người gọi đang xem (tuỳ chọn)."
    )


_COMMON = {
    401: {"description": "`unauthenticated`: thiếu hoặc sai khoá API / phiên đăng nhập."},
    403: {
        "description": "`forbidden`: người gọi thấy hồ sơ nhưng không được bổ sung thành phần; "
        "`csrf_failed` với phiên đăng nhập."
    },
    413: {"description": "`payload_too_large`: thân yêu cầu quá lớn."},
    422: {"description": "`invalid`: thân yêu cầu không đúng lược đồ — kèm `errors`."},
}

_REUSE_RESPONSES = {
    201: {"description": "Đã gắn giấy tờ vào hồ sơ (tệp của thành phần)."},
    400: {
        "description": "`datastore_item_expired` (giấy tờ đã hết giá trị), "
        "`datastore_item_not_yet_valid` (chưa đến ngày có giá trị), "
        "`datastore_kind_mismatch` (không phải loại giấy tờ thành phần yêu cầu), "
        "`datastore_file_not_accepted` (loại tệp, dung lượng), `unknown_component` — kèm "
        "`errors`."
    },
    404: {
        "description": "`not_found`: không có hồ sơ hoặc người gọi không được xem; không có "
        "giấy tờ đó trong kho dữ liệu của người nộp hồ sơ mà người gọi được xem."
    },
    409: {
        "description": "`files_locked` (trạng thái hồ sơ), `datastore_item_already_attached`, "
        "`conflict` (`expected_version` đã cũ)."
    },
    **_COMMON,
}


@router.post(
    "/dossiers/{code}/reuse",
    response={201: FileOut, **WRITE_ERRORS, 404: ErrorOut},
    operation_id="dossiers_component_reuse",
    summary="Dùng lại giấy tờ từ kho dữ liệu",
    description=(
        "Thân JSON: `item` (mã giấy tờ trong kho dữ liệu, `GET /me/data-store`), `component` "
        "(mã thành phần hồ sơ), `expected_version` (tuỳ chọn). Tệp của giấy tờ trở thành tệp "
        "của thành phần, không phải tải lên lại; hồ sơ ghi nguồn `reused` và nhật ký "
        "`component_reuse`, `version` tăng. Giấy tờ phải cùng loại với thành phần "
        "(`document_kind` của thủ tục), còn giá trị, thuộc người nộp hồ sơ (người được ủy "
        "quyền: của người ủy quyền)."
    ),
    openapi_extra={"responses": _REUSE_RESPONSES},
)
def dossiers_component_reuse(
    request: HttpRequest, code: str, payload: ReuseIn
) -> Status[dict[str, Any]]:
    actor = request_actor(request)
    dossier = _visible(actor=actor, code=code)
    link = dossier_component_reuse(
        dossier=dossier,
        actor=actor,
        item_id=payload.item,
        component_code=payload.component,
        now=clock.now(),
        expected_version=payload.expected_version,
    )
    return Status(201, file_out(link))


class NationalDataIn(Schema):
    model_config = ConfigDict(extra="forbid")

    component: str = Field(..., min_length=1, max_length=40, description="Mã thành phần.")
    expected_version: int | None = Field(
        None, ge=1, description="Phiên bản hồ sơ người gọi đang xem (tuỳ chọn)."
    )


class NationalDataOut(Schema):
    component: str
    database: str = Field(..., description="Cơ sở dữ liệu quốc gia (population, ...).")
    reference: str = Field(..., description="Mã bản ghi tại cơ sở dữ liệu quốc gia.")
    fields: dict[str, Any] = Field(..., description="Thông tin khai thác được.")
    connector: str
    fetched_at: LocalDateTime
    version: int = Field(..., description="Phiên bản hồ sơ sau thay đổi.")


_NATIONAL_RESPONSES = {
    201: {"description": "Đã khai thác dữ liệu, thành phần không phải nộp."},
    400: {
        "description": "`national_data_not_accepted` (thành phần không thay được bằng dữ liệu "
        "quốc gia), `national_data_subject_unknown` (hồ sơ không có số định danh/mã số thuế), "
        "`unknown_component` — kèm `errors`."
    },
    404: {"description": "`not_found`: không có hồ sơ, hoặc người gọi không được xem."},
    409: {
        "description": "`national_record_not_found` (cơ sở dữ liệu không có thông tin: nộp "
        "giấy tờ), `national_data_not_configured` (chưa kết nối cơ sở dữ liệu này), "
        "`files_locked`, `conflict`."
    },
    503: {"description": "`national_data_unavailable`: cơ sở dữ liệu quốc gia không trả lời."},
    **_COMMON,
}


@router.post(
    "/dossiers/{code}/national-data",
    response={201: NationalDataOut, **WRITE_ERRORS, 404: ErrorOut, 503: ErrorOut},
    operation_id="dossiers_component_national_data",
    summary="Khai thác dữ liệu quốc gia thay giấy tờ",
    description=(
        "Thân JSON: `component` (mã thành phần mà thủ tục cho thay bằng dữ liệu quốc gia, "
        "`national_database`), `expected_version` (tuỳ chọn). Thông tin của người nộp (người "
        "được ủy quyền: của người ủy quyền) được khai thác qua bộ kết nối đã cấu hình, lưu "
        "vào hồ sơ (nguồn `national_data`, nhật ký `component_national_data`); mỗi lần khai "
        "thác được ghi nhật ký truy cập dữ liệu cá nhân."
    ),
    openapi_extra={"responses": _NATIONAL_RESPONSES},
)
def dossiers_component_national_data(
    request: HttpRequest, code: str, payload: NationalDataIn
) -> Status[dict[str, Any]]:
    actor = request_actor(request)
    dossier = _visible(actor=actor, code=code)
    row: DossierComponentSource = dossier_component_from_national_data(
        dossier=dossier,
        actor=actor,
        component_code=payload.component,
        now=clock.now(),
        expected_version=payload.expected_version,
    )
    return Status(
        201,
        {
            "component": row.component_code,
            "database": row.national_database,
            "reference": row.record_reference,
            "fields": row.record_data,
            "connector": row.connector,
            "fetched_at": row.fetched_at,
            "version": dossier.version,
        },
    )
