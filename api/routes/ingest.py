"""POST /ingest: bring the index in line with the corpus folder."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AppSettings, Service
from rag.ingest.pipeline import IngestReport

router = APIRouter(tags=["ingest"])


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rebuild: bool = Field(False, description="Drop the index and embed everything again.")


@router.post("/ingest", response_model=IngestReport, summary="Re-index the corpus folder (incremental)")
def ingest(service: Service, settings: AppSettings, body: IngestRequest | None = None) -> IngestReport:
    if not settings.server.allow_ingest:
        raise HTTPException(403, "ingest over HTTP is disabled (RAG_SERVER__ALLOW_INGEST=false)")
    return service.ingest(rebuild=body.rebuild if body else False, wait=False)
