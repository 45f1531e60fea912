"""POST /ingest: bring the index in line with the corpus folder."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AppSettings, Service

router = APIRouter(tags=["ingest"])


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rebuild: bool = Field(False, description="Drop the index and embed everything again.")


class SkippedOut(BaseModel):
    name: str
    reason: str


class IngestResult(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]
    skipped: list[SkippedOut] = Field(description="Files not ingested (binary, empty, too large...).")
    chunks_written: int
    chunks_total: int
    seconds: float


@router.post("/ingest", response_model=IngestResult, summary="Re-index the corpus folder (incremental)")
def ingest(service: Service, settings: AppSettings, body: IngestRequest | None = None) -> IngestResult:
    if not settings.server.allow_ingest:
        raise HTTPException(403, "ingest over HTTP is disabled (RAG_SERVER__ALLOW_INGEST=false)")
    report = service.ingest(rebuild=body.rebuild if body else False)
    return IngestResult(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        removed=report.removed,
        skipped=[SkippedOut(name=s.name, reason=s.reason) for s in report.skipped],
        chunks_written=report.chunks_written,
        chunks_total=report.chunks_total,
        seconds=round(report.seconds, 3),
    )
