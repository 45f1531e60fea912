"""One question on its way to an answer: checked, and holding its place in the model queue."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from rag.answer.assistant import Assistant, TokenSink
from rag.answer.generation import Ticket
from rag.types import Answer


class OpenQuestion:
    """A question that passed every check that can fail before an answer starts.

    Made by `RagService.open_question`. `answer()` runs it (blocking: call it from a worker thread
    in async code) and gives the queue place back; `cancel()` stops the model at its next token
    (the client went away); `release()` gives the place back without answering. Leaving a `with`
    block releases it too.
    """

    def __init__(self, assistant: Assistant, question: str, earlier: Sequence[str], ticket: Ticket) -> None:
        self.question = question
        self.earlier = list(earlier)
        self._assistant = assistant
        self._ticket = ticket

    def answer(self, on_token: TokenSink | None = None) -> Answer:
        """The answer contract; `on_token` gets the model's draft as it is written."""
        with self._ticket:
            return self._assistant.ask(self.question, self.earlier, self._ticket, on_token)

    def cancel(self) -> None:
        self._ticket.cancel()

    def release(self) -> None:
        self._ticket.release()

    def __enter__(self) -> OpenQuestion:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
