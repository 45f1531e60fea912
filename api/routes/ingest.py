"""POST /ingest: bring the index in line with the corpus folder."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AppSettings, Service, ensure_corpus_writable
from rag.ingest.pipeline import IngestReport

router = APIRouter(tags=["ingest"])


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rebuild: bool = Field(False, description="Drop the index and embed everything again.")


@router.post("/ingest", response_model=IngestReport, summary="Re-index the corpus folder (incremental)")
def ingest(service: Service, settings: AppSettings, body: IngestRequest | None = None) -> IngestReport:
    ensure_corpus_writable(settings)
    return service.ingest(rebuild=body.rebuild if body else False, wait=False)
