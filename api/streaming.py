"""Run one question on a worker thread and hand its events to an async consumer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread

from rag.answer.request import OpenQuestion
from rag.types import Answer

Event = tuple[str, Any]  # ("token", {"text", "attempt"}) ... then ("final", Answer)


async def answer_events(question: OpenQuestion) -> AsyncIterator[Event]:
    """Token events while the model writes, then ("final", Answer). Errors propagate.

    `question` holds its place in the queue, taken before the response started so that a full
    queue is a 503, never a stream that fails. Leaving early (the client disconnected) cancels
    it, which stops generation at the next token; the worker gives the place back.
    """
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[Event] = asyncio.Queue()

    def on_token(attempt: int, text: str) -> None:
        loop.call_soon_threadsafe(events.put_nowait, ("token", {"text": text, "attempt": attempt}))

    def work() -> Answer:
        return question.answer(on_token)

    worker = asyncio.ensure_future(anyio.to_thread.run_sync(work))
    next_event: asyncio.Future[Event] | None = None
    try:
        while True:
            next_event = asyncio.ensure_future(events.get())
            done, _ = await asyncio.wait({next_event, worker}, return_when=asyncio.FIRST_COMPLETED)
            if next_event in done:
                yield next_event.result()
                continue
            next_event.cancel()
            while not events.empty():
                yield events.get_nowait()
            yield ("final", worker.result())
            return
    finally:
        question.cancel()  # a no-op once the answer is final
        if next_event is not None:
            next_event.cancel()
        # When the consumer left early the worker ends with CancelledError; nobody awaits it.
        worker.add_done_callback(lambda done: done.cancelled() or done.exception())


def sse(event: str, data: object) -> str:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
