"""GET /documents and GET /documents/{name}: what is indexed, and the text citations point into."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import Field

from api.deps import Service
from rag.types import DocumentInfo

router = APIRouter(tags=["documents"])


class DocumentText(DocumentInfo):
    text: str = Field(
        description="The file's text as ingested (extracted from HTML, PDF and Word files); "
        "citation offsets index into this text."
    )


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


@router.get(
    "/documents/{name}/original",
    response_class=FileResponse,
    summary="Download an indexed article as it was added (the PDF, web page, Word or text file)",
    responses={200: {"content": {"application/octet-stream": {}}}, 404: {"description": "Not indexed"}},
)
def get_original(name: str, service: Service) -> FileResponse:
    path = service.original(name)
    if path is None:
        raise HTTPException(404, f"no indexed document named {name!r}")
    # Always a download, never rendered here: a saved web page may hold scripts.
    return FileResponse(
        path,
        filename=name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )
