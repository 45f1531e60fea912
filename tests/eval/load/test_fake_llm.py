"""Several model turns at once on a server backend, against the fake OpenAI-compatible server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from eval.load.fake_llm import fake_llm_app, reply_for
from eval.load.servers import free_port
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import serve
from tests.fakes import KeywordEmbedding

QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


def test_the_fake_replies_with_the_sentence_number_or_none() -> None:
    assert (
        reply_for([{"role": "user", "content": "Sentence: It needs 170 appointments.\n\nQuestion: ?"}])
        == "170"
    )
    assert reply_for([{"role": "user", "content": "Sentence: No number here.\n\nQuestion: ?"}]) == "NONE"
    assert reply_for([]) == "NONE"


@pytest.mark.parametrize(("concurrency", "peak"), [(1, 1), (4, 4)])
def test_model_concurrency_sets_how_many_questions_use_the_server_at_once(
    tmp_path: Path, corpus: Path, concurrency: int, peak: int
) -> None:
    with serve(fake_llm_app(latency_s=0.4, tokens_per_s=200, slots=8)) as fake:
        settings = Settings(
            data_dir=tmp_path / "data",
            corpus_dir=corpus,
            llm={"backend": "openai", "base_url": f"{fake}/v1", "model": "fake"},
            answer={"rerank": "none"},
            server={"model_concurrency": concurrency, "queue_size": 8},
        )
        service = RagService(settings, embedder=KeywordEmbedding())
        service.ingest()
        assert service.check_llm().startswith("openai")
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: service.ask(QUESTION), range(6)))
        stats = httpx.get(f"{fake}/stats").json()
    assert all(a.answer == "170" and a.citations for a in answers)
    assert stats["peak_in_flight"] == peak
    assert service.health().queue.capacity == 8 + concurrency


def test_an_llm_server_outage_is_a_503_and_answers_resume_when_it_is_back(
    tmp_path: Path, corpus: Path
) -> None:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        llm={
            "backend": "openai",
            "base_url": f"http://127.0.0.1:{port}/v1",
            "model": "fake",
            "probe_timeout": 1,
        },
        answer={"rerank": "none"},
    )
    service = RagService(settings, embedder=KeywordEmbedding())
    service.ingest()
    llm_server = ExitStack()
    llm_server.enter_context(serve(fake_llm_app(latency_s=0.01, tokens_per_s=500), port=port))
    with llm_server, TestClient(create_app(settings, service=service)) as client:
        assert client.post("/ask", json={"question": QUESTION}).json()["answer"] == "170"
        llm_server.close()  # the LLM server goes away
        down = client.post("/ask", json={"question": QUESTION})
        assert down.status_code == 503 and f"127.0.0.1:{port}" in down.json()["error"]
        health = client.get("/health").json()
        assert health["status"] == "llm unavailable" and health["llm_error"]
        with serve(fake_llm_app(latency_s=0.01, tokens_per_s=500), port=port):  # back, same address
            assert client.post("/ask", json={"question": QUESTION}).json()["answer"] == "170"
            assert client.get("/health").json()["status"] == "ok"
