"""An unexpected failure inside the pipeline (a bug, a library error) still answers JSON.

Bad input never reaches this path (see test_bad_input.py); these tests pin what a client sees
when the service itself breaks: a JSON 500 on /ask, an `error` event that ends a stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.errors import LLMUnavailableError
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import APPOINTMENTS
from tests.fakes import KeywordEmbedding, ScriptedLLM


class BrokenLLM(ScriptedLLM):
    """Fails the way a library bug would."""

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        raise RuntimeError("llama_decode returned -3")


@pytest.fixture
def broken(settings: Settings) -> Iterator[TestClient]:
    service = RagService(settings, embedder=KeywordEmbedding(), llm=BrokenLLM())
    with TestClient(create_app(settings, service=service), raise_server_exceptions=False) as client:
        yield client


def _last_event(body: str) -> tuple[str, dict]:
    block = body.strip().split("\n\n")[-1]
    fields = dict(line.split(": ", 1) for line in block.splitlines())
    return fields.get("event", ""), json.loads(fields.get("data", "{}"))


def test_ask_answers_a_json_500(broken: TestClient) -> None:
    response = broken.post("/ask", json={"question": APPOINTMENTS})
    assert response.status_code == 500
    assert response.json()["error"].startswith("internal error")
    assert "llama_decode" not in response.text  # internals stay in the server log


def test_a_stream_ends_with_an_error_event(broken: TestClient) -> None:
    response = broken.post("/ask/stream", json={"question": APPOINTMENTS})
    assert response.status_code == 200
    name, data = _last_event(response.text)
    assert name == "error" and data["status"] == 500 and data["error"]


def test_an_openai_stream_ends_with_an_error_chunk_and_done(broken: TestClient) -> None:
    body = {"model": "articles-qa", "messages": [{"role": "user", "content": APPOINTMENTS}], "stream": True}
    response = broken.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    chunks = [line.removeprefix("data: ") for line in response.text.splitlines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]" and "error" in json.loads(chunks[-2])


def test_an_llm_server_that_went_away_is_a_503_naming_it(client: TestClient, llm: ScriptedLLM) -> None:
    def down(prompt: str) -> str:
        raise LLMUnavailableError("the LLM server at http://gpu-box:8000/v1 failed: connection refused")

    llm.enqueue(down, down)
    response = client.post("/ask", json={"question": "How many appointments does the IMSS require?"})
    assert response.status_code == 503
    assert response.json()["error"].startswith("the LLM server at http://gpu-box:8000/v1 failed")
