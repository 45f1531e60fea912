"""/documents: what is indexed, the text citations point into, the original files; adding
(multipart upload) and removing articles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, HTTPException, UploadFile
from fastapi.responses import FileResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from api.deps import AppSettings, Service, ensure_corpus_writable
from rag.ingest.pipeline import IngestReport
from rag.ingest.uploads import AddReport
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


@router.post(
    "/documents",
    response_model=AddReport,
    summary="Add or replace articles: one or more files (.txt, .md, .html, .pdf, .docx) as multipart form data",
    responses={
        403: {"description": "Disabled by RAG_SERVER__ALLOW_INGEST=false"},
        413: {
            "description": "A file over RAG_CHUNKING__MAX_FILE_BYTES, or the request over RAG_SERVER__MAX_UPLOAD_BYTES"
        },
        415: {
            "description": "A type the service does not read, or content that does not match the extension"
        },
        422: {"description": "No files, or a name that cannot be used"},
    },
)
async def add_documents(
    files: Annotated[list[UploadFile], File(description="The article files, in the form field `files`.")],
    service: Service,
    settings: AppSettings,
) -> AddReport:
    ensure_corpus_writable(settings)
    uploads = [(f.filename or "", await f.read()) for f in files]
    return await run_in_threadpool(service.add_documents, uploads, False)


@router.delete(
    "/documents/{name}",
    response_model=IngestReport,
    summary="Remove an article file and its chunks",
    responses={403: {"description": "Disabled"}, 404: {"description": "No such corpus file"}},
)
def remove_document(name: str, service: Service, settings: AppSettings) -> IngestReport:
    ensure_corpus_writable(settings)
    return service.remove_document(name, wait=False)
