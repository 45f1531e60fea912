"""`rag serve`: registered as a plugin command (the `rag.commands` entry point), so `rag` never
imports `api`."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `serve` subcommand to the `rag` parser."""
    parser = commands.add_parser("serve", help="serve the HTTP API")
    parser.add_argument("--host", help="bind address (default: RAG_SERVER__HOST)")
    parser.add_argument("--port", type=int, help="port (default: RAG_SERVER__PORT)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from rag.service import RagService
    from rag.settings import Settings

    settings = Settings()
    service = RagService(settings)
    service.check_llm()  # a missing model or an unreachable LLM server: a clear error, no traceback
    uvicorn.run(
        create_app(settings, service=service),
        host=args.host or settings.server.host,
        port=args.port or settings.server.port,
        log_level="info",
    )
    return 0
