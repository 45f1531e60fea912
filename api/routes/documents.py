"""GET /documents and GET /documents/{name}: what is indexed, and the text citations point into."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import Field

from api.deps import Service
from rag.types import DocumentInfo

router = APIRouter(tags=["documents"])


class DocumentText(DocumentInfo):
    text: str = Field(description="The file as ingested; citation offsets index into this text.")


@router.get("/documents", response_model=list[DocumentInfo], summary="Indexed articles")
def list_documents(service: Service) -> list[DocumentInfo]:
    return service.documents()


@router.get(
    "/documents/{name}",
    response_model=DocumentText,
    summary="One indexed article with its text",
    responses={404: {"description": "Not an indexed file of the corpus"}},
)
def get_document(name: str, service: Service) -> DocumentText:
    found = service.document(name)
    if found is None:
        raise HTTPException(404, f"no indexed document named {name!r}")
    info, text = found
    return DocumentText(**info.model_dump(), text=text)
