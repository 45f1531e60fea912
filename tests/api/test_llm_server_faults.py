"""An LLM server that misbehaves (the fake OpenAI-compatible server's faults): a stall is a 504 at
the question's deadline, a server error or an unreadable reply a 502 with its cause in the log, and
the model's slot is free again afterwards in every case."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from eval.load.fake_llm import fake_llm_app
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import serve
from tests.fakes import KeywordEmbedding

QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


@pytest.fixture
def fake_server() -> Iterator[str]:
    with serve(fake_llm_app(latency_s=0.01, tokens_per_s=500, slots=4)) as url:
        yield url


@pytest.fixture
def client(tmp_path: Path, corpus: Path, fake_server: str) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        # The client's own timeout is far beyond the question's: a 504 must come from the deadline.
        llm={"backend": "openai", "base_url": f"{fake_server}/v1", "model": "fake", "request_timeout": 60},
        answer={"rerank": "none"},
        server={"model_concurrency": 1, "request_timeout_s": 1.5},
    )
    service = RagService(settings, embedder=KeywordEmbedding())
    service.ingest()
    with TestClient(create_app(settings, service=service)) as client:
        yield client


def fault(server: str, name: str | None) -> None:
    assert httpx.put(f"{server}/fault", json={"fault": name}).json() == {"fault": name}


def assert_the_slot_is_free(client: TestClient, server: str) -> None:
    """Nothing waits or runs, and the one model slot answers the next question (a slot left
    held would make it wait to its deadline and fail)."""
    assert client.get("/health").json()["queue"]["waiting_or_running"] == 0
    fault(server, None)
    answer = client.post("/ask", json={"question": QUESTION})
    assert answer.status_code == 200 and answer.json()["answer"] == "170"


@pytest.mark.parametrize("stall", ["stall", "stall_midway"])
def test_a_stalled_llm_server_is_a_504_at_the_deadline(
    client: TestClient, fake_server: str, stall: str
) -> None:
    fault(fake_server, stall)
    response = client.post("/ask", json={"question": QUESTION})
    assert response.status_code == 504
    assert (
        f"LLM server at {fake_server}/v1 sent nothing before the question's deadline"
        in response.json()["error"]
    )
    streamed = client.post("/ask/stream", json={"question": QUESTION})
    assert streamed.status_code == 200 and '"status": 504' in streamed.text
    assert_the_slot_is_free(client, fake_server)


@pytest.mark.parametrize(
    ("name", "cause"),
    [("error", "simulated server error"), ("garbage", "Expecting value"), ("page", "without a single chunk")],
)
def test_a_server_error_or_an_unreadable_reply_is_a_502_with_the_cause_logged(
    client: TestClient, fake_server: str, caplog: pytest.LogCaptureFixture, name: str, cause: str
) -> None:
    fault(fake_server, name)
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        response = client.post("/ask", json={"question": QUESTION})
    assert response.status_code == 502
    assert response.json()["error"].startswith(f"the LLM server at {fake_server}/v1 ")
    logged = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert logged and cause in logged[0].getMessage() + repr(logged[0].exc_info[1].__cause__)  # type: ignore[index]
    streamed = client.post("/ask/stream", json={"question": QUESTION})
    assert streamed.status_code == 200 and '"status": 502' in streamed.text
    assert_the_slot_is_free(client, fake_server)
