"""FastAPI app factory: models are loaded once, in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.routes import ask, health
from rag.errors import IndexNotReadyError, QuestionError, RagError
from rag.service import RagService
from rag.settings import Settings

log = logging.getLogger(__name__)


def _error(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message, **extra})


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
        description="Answers questions about a folder of articles, citing the exact sentences.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(ask.router)
    app.include_router(health.router)

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

    @app.exception_handler(QuestionError)
    async def bad_question(_: Request, exc: QuestionError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(IndexNotReadyError)
    async def not_ready(_: Request, exc: IndexNotReadyError) -> JSONResponse:
        return _error(503, str(exc))

    @app.exception_handler(RagError)
    async def rag_error(_: Request, exc: RagError) -> JSONResponse:
        return _error(500, str(exc))

    return app


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    return [{k: v for k, v in e.items() if k in {"loc", "msg", "type"}} for e in exc.errors()]
