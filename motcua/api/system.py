"""Liveness: answers without touching the database (also the benchmark's bare view)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["system"])


class HealthOut(Schema):
    status: str


@router.get(
    "/health",
    response={200: HealthOut},
    operation_id="health",
    summary="Kiểm tra hoạt động",
    description='Trả về {"status": "ok"} khi tiến trình phục vụ được; không truy cập CSDL.',
)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}
