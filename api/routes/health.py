"""GET /health: readiness, models and index size."""

from fastapi import APIRouter

from api.deps import Service
from rag.types import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Readiness, model names, document and chunk counts")
def health(service: Service) -> Health:
    return service.health()
