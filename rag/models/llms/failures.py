"""Turn a remote LLM's client errors into LLMUnavailableError, also in the middle of a stream.

The start-up check catches a wrong URL, key or model; this covers a server that goes away later,
so an answer ends with a clear error instead of a stack trace. Only the synchronous calls are covered:
they are the ones the service makes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse

from rag.errors import LLMBadResponseError, LLMUnavailableError, RagError

T = TypeVar("T")


class ReportsServerErrors:
    """Mixin placed before a llama-index LLM class; subclasses name the client's error types and
    may tell them apart (`server_failure`)."""

    server_errors: ClassVar[tuple[type[BaseException], ...]] = ()

    def server_label(self) -> str:
        """Where the model runs, for the error message."""
        return type(self).__name__

    def server_failure(self, exc: BaseException) -> RagError:
        """What the user is told about one of `server_errors`: by default, the server failed (503)."""
        return LLMUnavailableError(f"the LLM server at {self.server_label()} failed: {exc}")

    @contextmanager
    def _reported(self) -> Iterator[None]:
        try:
            yield
        except self.server_errors as exc:
            raise self.server_failure(exc) from exc

    def _reported_stream(self, stream: Iterator[T]) -> Generator[T, None, None]:
        with self._reported():
            sent = False
            for item in stream:
                sent = True
                yield item
        if not sent:  # a server that answers anything but a stream of chunks (an HTML page, say)
            raise LLMBadResponseError(
                f"the LLM server at {self.server_label()} ended its reply without a single chunk"
            )

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        with self._reported():
            return super().chat(messages, **kwargs)  # type: ignore[misc]  # super() is the LLM class this mixin precedes

    def stream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> Generator[ChatResponse, None, None]:
        with self._reported():
            stream = super().stream_chat(messages, **kwargs)  # type: ignore[misc]  # super() is the LLM class this mixin precedes
        return self._reported_stream(stream)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        with self._reported():
            return super().complete(prompt, formatted=formatted, **kwargs)  # type: ignore[misc]  # super() is the LLM class this mixin precedes

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> Generator[CompletionResponse, None, None]:
        with self._reported():
            stream = super().stream_complete(prompt, formatted=formatted, **kwargs)  # type: ignore[misc]  # super() is the LLM class this mixin precedes
        return self._reported_stream(stream)
