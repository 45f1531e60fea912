"""One model, many requests: a bounded queue in front of the LLM, deadlines and cancellation.

llama.cpp contexts are not thread-safe, so generation is serialised. Retrieval runs before a
request takes its turn, so it stays concurrent. A request is admitted (or refused with a
retry hint) before any work starts, which lets HTTP answer 503 before a stream begins.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from rag.errors import BusyError, CancelledError, GenerationTimeoutError
from rag.models.llms.deadline import model_turn_deadline


class Ticket:
    """One admitted request: its deadline, its cancel flag and its place in the queue."""

    def __init__(self, queue: GenerationQueue, timeout_s: float) -> None:
        self._queue = queue
        self.deadline = time.monotonic() + timeout_s
        self.timeout_s = timeout_s
        self._cancelled = threading.Event()
        self._released = False
        self._holding = False

    def cancel(self) -> None:
        """Stop at the next token (the client went away)."""
        self._cancelled.set()

    def check(self) -> None:
        """Raise when the request was cancelled or ran past its deadline."""
        if self._cancelled.is_set():
            raise CancelledError("the request was cancelled")
        if time.monotonic() > self.deadline:
            raise GenerationTimeoutError(f"no answer within {self.timeout_s:g} s; try again later")

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the model (waiting at most until the deadline). Not reentrant: a request that
        already holds the turn would wait for itself until its deadline, so that is an error."""
        if self._holding:
            raise RuntimeError("this request already holds the model's turn")
        with self._queue.model_turn(self):
            self._holding = True
            try:
                yield
            finally:
                self._holding = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._queue.leave()

    def __enter__(self) -> Ticket:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class GenerationQueue:
    """At most `concurrency` requests generating and `size` waiting; more get BusyError with a
    retry hint. In-process models take one turn at a time; an LLM server may take several."""

    def __init__(self, size: int, timeout_s: float, concurrency: int = 1) -> None:
        self.size = size
        self.timeout_s = timeout_s
        self.concurrency = concurrency
        self._model = threading.BoundedSemaphore(concurrency)
        self._count = threading.Lock()
        self._admitted = 0
        self._seconds_per_turn = 2.0  # running average, for Retry-After

    @property
    def admitted(self) -> int:
        return self._admitted

    def admit(self) -> Ticket:
        """A ticket for one request, or BusyError when the queue is full."""
        with self._count:
            self._raise_if_full()
            self._admitted += 1
        return Ticket(self, self.timeout_s)

    @property
    def capacity(self) -> int:
        """Requests admitted at most: those generating plus those waiting."""
        return self.size + self.concurrency

    def _raise_if_full(self) -> None:
        if self._admitted >= self.capacity:
            # The queue drains `concurrency` turns at a time, each taking the measured average.
            wait = max(1, math.ceil(self._seconds_per_turn * self._admitted / self.concurrency))
            raise BusyError(
                f"the server is busy ({self._admitted} questions ahead); retry in {wait} s",
                retry_after=wait,
            )

    def leave(self) -> None:
        with self._count:
            self._admitted -= 1

    @contextmanager
    def model_turn(self, ticket: Ticket) -> Iterator[None]:
        """Hold the model for `ticket`. Within the turn an LLM server's client on this thread reads
        the ticket's deadline (rag.models.llms.deadline), so that it waits no longer."""
        ticket.check()
        if not self._model.acquire(timeout=max(0.0, ticket.deadline - time.monotonic())):
            ticket.check()  # raises the timeout
            raise GenerationTimeoutError("timed out waiting for the model")  # pragma: no cover
        started = time.monotonic()
        try:
            with model_turn_deadline(ticket.deadline):
                yield
        finally:
            self._model.release()
            spent = time.monotonic() - started
            self._seconds_per_turn = 0.8 * self._seconds_per_turn + 0.2 * spent
