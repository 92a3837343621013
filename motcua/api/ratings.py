"""The applicant's rating of a settled dossier (the satisfaction survey of Circular
01/2018/TT-VPCP): read the form and any rating given, rate once (`motcua.dossiers`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.dossiers.applicant_selectors import dossier_list_for_applicant, dossier_rating_for
from motcua.dossiers.models import (
    RATEABLE_STATUSES,
    RATING_CRITERIA,
    Dossier,
    DossierRating,
    SatisfactionLevel,
)
from motcua.dossiers.services import dossier_rate

from .auth import AUTH, request_actor
from .datetimes import LocalDateTime
from .errors import READ_ERRORS, WRITE_ERRORS, ErrorOut

router = Router(tags=["dossiers"], auth=AUTH)


class RatingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    overall: str = Field(
        ...,
        max_length=20,
        description="Mức độ hài lòng chung: `very_satisfied`, `satisfied`, `not_satisfied`.",
    )
    criteria: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Từng tiêu chí (mã tiêu chí -> mức độ, như `overall`); tiêu chí không gửi là không "
            "đánh giá. Các mã: `GET .../rating` liệt kê ở `criteria`."
        ),
    )
    comment: str = Field("", max_length=2000, description="Ý kiến khác (không bắt buộc).")


class RatingChoiceOut(Schema):
    code: str
    label: str


class RatingOut(Schema):
    overall: str
    criteria: dict[str, str]
    comment: str
    rated_at: LocalDateTime


class RatingStateOut(Schema):
    code: str = Field(..., description="Mã hồ sơ.")
    rateable: bool = Field(..., description="Hồ sơ đã có kết quả giải quyết và chưa được đánh giá.")
    rating: RatingOut | None = Field(None, description="Đánh giá đã gửi (mỗi hồ sơ một lần).")
    levels: list[RatingChoiceOut]
    criteria: list[RatingChoiceOut] = Field(..., description="Chín tiêu chí, theo thứ tự.")


def _own(request: HttpRequest, code: str) -> tuple[Any, Dossier]:
    actor = request_actor(request)
    dossier = dossier_list_for_applicant(actor=actor).filter(code=code).first()
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ %(dossier)s."), dossier=code)
    return actor, dossier


def rating_out(rating: DossierRating) -> dict[str, Any]:
    return {
        "overall": rating.overall,
        "criteria": rating.criteria(),
        "comment": rating.comment,
        "rated_at": rating.rated_at,
    }


@router.get(
    "/{code}/rating",
    response={200: RatingStateOut, **READ_ERRORS},
    operation_id="dossiers_rating_get",
    summary="Đánh giá mức độ hài lòng: phiếu và đánh giá đã gửi",
    description=(
        "Cho người nộp hồ sơ: hồ sơ có đánh giá được không (đã có kết quả giải quyết: trạng "
        "thái 9 hoặc 10, và chưa đánh giá), đánh giá đã gửi, các mức độ và chín tiêu chí "
        "(Thông tư 01/2018/TT-VPCP). Hồ sơ của người khác: 404."
    ),
    openapi_extra={
        "responses": {404: {"description": "`not_found`: không có hồ sơ của người gọi."}}
    },
)
def dossiers_rating_get(request: HttpRequest, code: str) -> dict[str, Any]:
    _actor, dossier = _own(request, code)
    rating = dossier_rating_for(dossier=dossier)
    return {
        "code": dossier.code,
        "rateable": rating is None and dossier.status in RATEABLE_STATUSES,
        "rating": rating_out(rating) if rating is not None else None,
        "levels": [{"code": v, "label": str(label)} for v, label in SatisfactionLevel.choices],
        "criteria": [{"code": c, "label": str(label)} for c, label in RATING_CRITERIA],
    }


@router.post(
    "/{code}/rating",
    response={201: RatingOut, **WRITE_ERRORS, 404: ErrorOut},
    operation_id="dossiers_rating_create",
    summary="Đánh giá mức độ hài lòng",
    description=(
        "Người nộp hồ sơ đánh giá việc giải quyết hồ sơ đã có kết quả: mức độ chung và từng "
        "tiêu chí, ý kiến khác. Mỗi hồ sơ một lần; ghi vào nhật ký hồ sơ (`version` tăng)."
    ),
    openapi_extra={
        "responses": {
            201: {"description": "Đã ghi nhận đánh giá."},
            400: {
                "description": "`invalid`: thiếu `overall`, mức độ hoặc tiêu chí không có "
                "(`errors`: `required`, `invalid_choice`, `unknown_criterion`, `too_long`)."
            },
            404: {"description": "`not_found`: không có hồ sơ của người gọi."},
            409: {
                "description": "`rating_exists`: hồ sơ đã được đánh giá; `not_rateable`: hồ "
                "sơ chưa có kết quả giải quyết (hoặc đã rút, không được tiếp nhận)."
            },
        }
    },
)
def dossiers_rating_create(
    request: HttpRequest, code: str, payload: RatingIn
) -> Status[dict[str, Any]]:
    actor, dossier = _own(request, code)
    rating = dossier_rate(
        dossier=dossier,
        actor=actor,
        overall=payload.overall,
        criteria=payload.criteria,
        comment=payload.comment,
        now=clock.now(),
    )
    return Status(201, rating_out(rating))
