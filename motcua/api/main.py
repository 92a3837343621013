"""The REST API (django-ninja). OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="motcua API",
    version="1.0.0",
    description="Thủ tục hành chính, đơn vị, hồ sơ — REST API của motcua.",
    urls_namespace="api-v1",
)
