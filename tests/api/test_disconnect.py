"""A client that goes away, or a question past its timeout, stops the model (a slow fake model)."""

import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from llama_index.core.base.llms.types import CompletionResponse, CompletionResponseGen
from pydantic import PrivateAttr

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
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
    # A word already being written when the place was given back may still land (the stream is
    # checked between words); after that, nothing more is pulled.
    time.sleep(0.2)
    pulled = llm.pulled
    time.sleep(0.5)
    assert llm.pulled == pulled < WORDS  # and the model stopped writing


def test_a_question_past_its_timeout_gets_504(settings: Settings, service: RagService) -> None:
    settings = Settings.model_validate(settings.model_dump() | {"server": {"request_timeout_s": 0.3}})
    service.queue.timeout_s = 0.3
    with TestClient(create_app(settings, service=service)) as client:
        response = client.post("/ask", json={"question": APPOINTMENTS})
        streamed = client.post("/ask/stream", json={"question": APPOINTMENTS})
    assert response.status_code == 504 and "0.3 s" in response.json()["error"]
    assert (
        streamed.status_code == 200
        and 'event: error\ndata: {"error": "no answer within 0.3 s' in streamed.text
    )
    assert '"status": 504' in streamed.text and service.queue.admitted == 0
