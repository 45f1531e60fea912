"""The scale path: the same service against a Chroma server (`chroma run`) through HttpClient."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM
from tests.processes import free_port, stop

pytestmark = pytest.mark.slow
CHROMA = Path(sys.executable).with_name("chroma")
QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


def _wait_until_up(port: int, server: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"no Chroma server on port {port} after {timeout_s} s")


@pytest.fixture
def chroma_port(tmp_path: Path) -> Iterator[int]:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is missing (the chromadb package's CLI)")
    port = free_port()
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        stop(server, timeout=10)


def _answer_with_the_sentence_holding_170(prompt: str) -> str:
    """170 when the passage shown holds it, else no answer (the next passage is read)."""
    return "170 appointments" if "170" in re.search(r"Sentence: (.*)", prompt).group(1) else "NONE"  # type: ignore[union-attr]


def test_ingests_and_answers_through_a_chroma_server(chroma_port: int, tmp_path: Path, corpus: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=corpus, store={"host": "127.0.0.1", "port": chroma_port}
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
