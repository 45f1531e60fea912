"""The scale path: the same service against a Chroma server (`chroma run`) through HttpClient."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from eval.load.servers import CHROMA, free_port, stop, wait_for_chroma
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

pytestmark = pytest.mark.slow
QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


def _answer_with_the_sentence_holding_170(prompt: str) -> str:
    """170 when the passage shown holds it, else no answer (the next passage is read)."""
    return "170 appointments" if "170" in re.search(r"Sentence: (.*)", prompt).group(1) else "NONE"  # type: ignore[union-attr]


def test_ingests_and_answers_through_a_chroma_server(chroma_port: int, tmp_path: Path, corpus: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        store={"host": "127.0.0.1", "port": chroma_port},
        answer={"translate_question": "off"},  # the scripted LLM reads passages; it does not translate
    )
    llm = ScriptedLLM([_answer_with_the_sentence_holding_170] * 2)
    service = RagService(settings, embedder=KeywordEmbedding(), llm=llm)

    report = service.ingest()
    answer = service.ask(QUESTION)

    assert len(report.added) == 5 and report.chunks_total == service.index.count() > 5
    assert not (settings.data_dir / "chroma").exists()  # nothing went to an embedded store
    assert not answer.refused and "170" in answer.answer
    for citation in answer.citations:
        assert (corpus / citation.source).read_text()[citation.start : citation.end] == citation.quote
    # A second service on the same server sees the index: re-ingest skips every file.
    again = RagService(settings, embedder=KeywordEmbedding(), llm=ScriptedLLM()).ingest()
    assert len(again.unchanged) == 5 and again.chunks_written == 0


def test_a_chroma_outage_is_a_503_and_service_resumes_when_it_is_back(tmp_path: Path, corpus: Path) -> None:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is missing (the chromadb package's CLI)")
    port, path = free_port(), tmp_path / "server"
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]

    def start() -> subprocess.Popen:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_chroma(port, server)
        return server

    server = start()
    try:
        settings = Settings(
            data_dir=tmp_path / "data",
            corpus_dir=corpus,
            store={"host": "127.0.0.1", "port": port},
            answer={"rerank": "none", "translate_question": "off"},
        )
        llm = ScriptedLLM()
        service = RagService(settings, embedder=KeywordEmbedding(), llm=llm)
        service.ingest()
        with TestClient(create_app(settings, service=service)) as client:
            stop(server, timeout=10)
            down = client.post("/ask", json={"question": QUESTION})
            assert down.status_code == 503 and "Chroma server" in down.json()["error"]
            health = client.get("/health").json()
            assert health["status"] == "store unavailable" and "cannot be reached" in health["store_error"]

            server = start()  # same folder, same port: the index is still there
            llm.enqueue(_answer_with_the_sentence_holding_170, _answer_with_the_sentence_holding_170)
            back = client.post("/ask", json={"question": QUESTION})
            assert back.status_code == 200 and "170" in back.json()["answer"]
            assert client.get("/health").json()["status"] == "ok"
    finally:
        stop(server, timeout=10)
