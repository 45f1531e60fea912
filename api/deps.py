"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from rag.service import RagService
from rag.settings import Settings


def get_service(request: Request) -> RagService:
    return request.app.state.service


def get_settings(request: Request) -> Settings:
    """The app's settings (server options such as the API key and `allow_ingest` live here)."""
    return request.app.state.settings


Service = Annotated[RagService, Depends(get_service)]
AppSettings = Annotated[Settings, Depends(get_settings)]
