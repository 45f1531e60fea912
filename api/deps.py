"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from rag.service import RagService


def get_service(request: Request) -> RagService:
    return request.app.state.service


Service = Annotated[RagService, Depends(get_service)]
