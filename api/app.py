"""FastAPI app factory: models are loaded once, in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import error_body
from api.limits import BodySizeLimit
from api.routes import ask, documents, health, ingest, openai_compat, page
from api.routes.page import STATIC_DIR
from api.security import require_api_key
from rag.errors import RagError
from rag.service import RagService
from rag.settings import Settings

log = logging.getLogger(__name__)
BODY_PARSE_ERROR = "There was an error parsing the body"


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: object) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message, **extra}, headers=headers)


def create_app(settings: Settings | None = None, service: RagService | None = None) -> FastAPI:
    """Build the app. Pass `service` to reuse loaded components (tests pass fakes)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = service or RagService(settings)
        if app.state.service.index.count() == 0:
            log.info("empty index: ingesting %s", settings.corpus_dir)
            app.state.service.ingest()
        app.state.service.warm_up()
        yield

    app = FastAPI(
        title="Articles Q&A",
        description="Answers questions about a folder of articles, citing the exact sentences. "
        'Errors are JSON: `{"error": "message"}`.',
        version="0.2.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    protected = [Depends(require_api_key)]
    app.include_router(ask.router, dependencies=protected)
    app.include_router(openai_compat.router, dependencies=protected)
    app.include_router(documents.router, dependencies=protected)
    app.include_router(ingest.router, dependencies=protected)
    app.include_router(health.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.server.max_body_bytes,
        uploads={"/documents": settings.server.max_upload_bytes},
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = (
            f"{where}: {first.get('msg', 'invalid request')}"
            if where
            else first.get("msg", "invalid request")
        )
        return _error(422, message, detail=jsonable_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_PARSE_ERROR:
            # FastAPI's answer to bytes that are not UTF-8 JSON; every other invalid body is a 422.
            return _error(422, "the body is not valid JSON text (UTF-8)")
        return _error(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(RagError)
    @app.exception_handler(Exception)
    async def service_error(_: Request, exc: Exception) -> JSONResponse:
        status, body, headers = error_body(exc)
        return JSONResponse(status_code=status, content=body, headers=headers)

    return app


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    return [{k: v for k, v in e.items() if k in {"loc", "msg", "type"}} for e in exc.errors()]
