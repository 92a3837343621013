"""Liveness (`/health`: answers without touching anything, also the benchmark's bare view)
and readiness (`/ready`: database, cache and broker, each with a short timeout)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from motcua.core.health import readiness_check

router = Router(tags=["system"])


class HealthOut(Schema):
    status: str


class CheckOut(Schema):
    status: Literal["ok", "unavailable", "not_configured"]
    latency_ms: float
    error: str | None = Field(None, description="Loại lỗi khi không dùng được.")
    backend: str | None = None
    vendor: str | None = None


class ReadyChecks(Schema):
    database: CheckOut
    cache: CheckOut
    broker: CheckOut


class ReadyOut(Schema):
    status: Literal["ready", "degraded", "unavailable"]
    checks: ReadyChecks


@router.get(
    "/health",
    response={200: HealthOut},
    operation_id="health",
    summary="Kiểm tra hoạt động",
    description='Trả về {"status": "ok"} khi tiến trình phục vụ được; không truy cập CSDL.',
)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    response={200: ReadyOut, 503: ReadyOut},
    operation_id="ready",
    summary="Sẵn sàng phục vụ",
    description=(
        "Kiểm tra CSDL, bộ nhớ đệm dùng chung (Redis) và hàng đợi (broker), mỗi thứ với thời "
        "gian chờ ngắn. `ready`: tất cả dùng được; `degraded`: bộ nhớ đệm hoặc hàng đợi không "
        "dùng được (hệ thống vẫn phục vụ); `unavailable` (503): CSDL không trả lời. Hàng đợi "
        "`not_configured` khi chạy nhúng (tác vụ chạy ngay trong tiến trình)."
    ),
)
def ready(request: HttpRequest) -> Status[dict[str, Any]]:
    result = readiness_check()
    return Status(503 if result["status"] == "unavailable" else 200, result)
