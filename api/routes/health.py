"""GET /health: readiness, models and index size."""

from typing import Any

from fastapi import APIRouter

from api.deps import Service

router = APIRouter(tags=["health"])


@router.get("/health", summary="Readiness, model names, document and chunk counts")
def health(service: Service) -> dict[str, Any]:
    return service.health()
