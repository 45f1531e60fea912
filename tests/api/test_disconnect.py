"""A client that goes away stops the model (live uvicorn, a slow fake model)."""

import time
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen
from pydantic import PrivateAttr

from rag.service import RagService
from tests.api.support import APPOINTMENTS
from tests.fakes import ScriptedLLM

WORDS = 200


class SlowLLM(ScriptedLLM):
    """Writes one word every 50 ms and counts the words it was asked for."""

    _pulled: int = PrivateAttr(default=0)

    @property
    def pulled(self) -> int:
        return self._pulled

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def words() -> CompletionResponseGen:
            text = ""
            for _ in range(WORDS):
                time.sleep(0.05)
                self._pulled += 1
                text += " word"
                yield CompletionResponse(text=text, delta=" word")

        return words()


@pytest.fixture
def llm() -> ScriptedLLM:
    return SlowLLM()


def test_a_client_that_disconnects_stops_generation(
    live_server: str, llm: SlowLLM, service: RagService
) -> None:
    with (
        httpx.Client(base_url=live_server, timeout=30) as http,
        http.stream("POST", "/ask/stream", json={"question": APPOINTMENTS}) as response,
    ):
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event: token"):
                break
    deadline = time.monotonic() + 5
    while service.queue.admitted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.queue.admitted == 0  # the request gave its place back
    pulled = llm.pulled
    time.sleep(0.5)
    assert llm.pulled == pulled < WORDS  # and the model stopped writing
