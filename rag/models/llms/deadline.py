"""The deadline of the question that holds the model on this thread, for clients of LLM servers.

A question's deadline is checked between tokens, so a server that stops sending (it stalls before
its first token, or in the middle of a reply) would hold the question, and its model turn, until
the client's own timeout. While a question holds the model its deadline is set here, and a client
that waits on a server reads `seconds_left()` and waits no longer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("rag_model_turn_deadline", default=None)


@contextmanager
def model_turn_deadline(deadline: float) -> Iterator[None]:
    """Within the block, `seconds_left()` counts down to `deadline` (time.monotonic())."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left() -> float | None:
    """Seconds until the deadline of the model turn on this thread; None outside one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
