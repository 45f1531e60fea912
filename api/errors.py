"""How service errors become HTTP responses: JSON `{"error": message}` and a status."""

from __future__ import annotations

import logging

from rag.errors import (
    BusyError,
    CancelledError,
    DocumentNameError,
    DocumentNotFoundError,
    FileTooLargeError,
    FileTypeError,
    GenerationTimeoutError,
    IndexNotReadyError,
    IngestBusyError,
    LLMBadResponseError,
    LLMUnavailableError,
    QuestionError,
    RagError,
    StoreUnavailableError,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[RagError], int]] = [
    (QuestionError, 422),
    (DocumentNameError, 422),
    (DocumentNotFoundError, 404),
    (FileTooLargeError, 413),
    (FileTypeError, 415),
    (IngestBusyError, 409),
    (BusyError, 503),
    (LLMBadResponseError, 502),
    (LLMUnavailableError, 503),
    (StoreUnavailableError, 503),
    (IndexNotReadyError, 503),
    (GenerationTimeoutError, 504),
    (CancelledError, 499),
    (RagError, 500),
]


INTERNAL_ERROR = "internal error: the answer could not be produced; the server log has the details"


def error_body(exc: Exception) -> tuple[int, dict[str, object], dict[str, str]]:
    """Status code, JSON body and headers for a service error (500 for anything unexpected)."""
    if not isinstance(exc, RagError):
        log.error("unexpected failure", exc_info=exc)
        return 500, {"error": INTERNAL_ERROR}, {}
    status = next(code for kind, code in _STATUS if isinstance(exc, kind))
    if status == 502:  # the LLM server's own failure: its cause belongs in our log
        log.error("%s", exc, exc_info=exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, BusyError) else {}
    body: dict[str, object] = {"error": str(exc)}
    if isinstance(exc, BusyError):
        body["retry_after"] = exc.retry_after
    return status, body, headers
