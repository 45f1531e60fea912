"""How service errors become HTTP responses: JSON `{"error": message}` and a status."""

from __future__ import annotations

from rag.errors import (
    BusyError,
    CancelledError,
    GenerationTimeoutError,
    IndexNotReadyError,
    QuestionError,
    RagError,
)

_STATUS: list[tuple[type[RagError], int]] = [
    (QuestionError, 422),
    (BusyError, 503),
    (IndexNotReadyError, 503),
    (GenerationTimeoutError, 504),
    (CancelledError, 499),
    (RagError, 500),
]


def error_body(exc: RagError) -> tuple[int, dict[str, object], dict[str, str]]:
    """Status code, JSON body and headers for a service error."""
    status = next(code for kind, code in _STATUS if isinstance(exc, kind))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, BusyError) else {}
    body: dict[str, object] = {"error": str(exc)}
    if isinstance(exc, BusyError):
        body["retry_after"] = exc.retry_after
    return status, body, headers
