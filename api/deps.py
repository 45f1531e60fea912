"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from rag.service import RagService
from rag.settings import Settings


def get_service(request: Request) -> RagService:
    return request.app.state.service


def get_settings(request: Request) -> Settings:
    """The app's settings, the one source every route and check reads them from (server options
    such as the API key, `allow_ingest` and the public URL live here). Tests may replace it
    through `app.dependency_overrides[get_settings]`."""
    return request.app.state.settings


Service = Annotated[RagService, Depends(get_service)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def ensure_corpus_writable(settings: Settings) -> None:
    """403 when the corpus may not be changed over HTTP (ingest, upload, delete)."""
    if not settings.server.allow_ingest:
        raise HTTPException(
            403,
            "changing the corpus over HTTP (ingest, upload, delete) is disabled (RAG_SERVER__ALLOW_INGEST=false)",
        )
