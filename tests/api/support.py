"""Helpers for API tests: a scripted model reply and a live uvicorn server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from eval.load.servers import free_port

__all__ = ["APPOINTMENTS", "cite_appointments", "free_port", "serve"]

APPOINTMENTS = "How many appointments does the IMSS require every two months?"


def cite_appointments(prompt: str) -> str:
    """A model reply giving the 170 appointments, whichever passage the prompt shows
    (the answer is then aligned with the sentence that holds it)."""
    assert "Question: " in prompt, f"not a reading prompt:\n{prompt}"
    return "At least 170 appointments"


@contextmanager
def serve(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Run `app` under uvicorn on `port` (a free local one by default); yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
