"""Two `rag serve` replicas over one Chroma server, one (simulated) LLM server and a shared data
folder: an ingest through either is seen by the other without a restart, only one ingest runs at
a time across them, and a replica killed mid-answer breaks only its own clients' connections."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from eval.load.fake_llm import fake_llm_app
from eval.load.servers import free_port, ingest, replicas, stop, wait_healthy
from rag.ingest.pipeline import ingest_lock
from tests.api.support import serve

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How many inspections does Cofepris plan at the Puebla hospitals?"
ANSWERED = "How many appointments does the IMSS require at Cofepris every two months?"  # the fake says 170
NEW_ARTICLE = b"Puebla inspections\n\nCofepris plans 45 inspections at the Puebla hospitals next year.\n"


@contextmanager
def replica(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=300)
        yield url
    finally:
        stop(process, timeout=20)


def cites(url: str, name: str, expected: bool, within_s: float) -> dict:
    """The answer to QUESTION once citing `name` is as `expected`, or the last answer after `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        answer = httpx.post(f"{url}/ask", json={"question": QUESTION}, timeout=60).json()
        if any(c["source"] == name for c in answer["citations"]) == expected or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


def _replica_env(tmp_path: Path, chroma_port: int, llm: str) -> dict[str, str]:
    """Settings every replica shares: the data folder (keyword index, ingest lock), the corpus, the Chroma
    server and the LLM server."""
    return {
        **os.environ,
        "RAG_DATA_DIR": str(tmp_path / "data"),
        "RAG_CORPUS_DIR": str(tmp_path / "corpus"),
        "RAG_STORE__HOST": "127.0.0.1",
        "RAG_STORE__PORT": str(chroma_port),
        "RAG_LLM__BACKEND": "openai",
        "RAG_LLM__BASE_URL": f"{llm}/v1",
        "RAG_LLM__MODEL": "fake",
        "RAG_SERVER__MODEL_CONCURRENCY": "4",
    }


def test_replicas_share_the_index_and_one_ingest_at_a_time(chroma_port: int, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "corpus")
    with ExitStack() as stack:
        llm = stack.enter_context(serve(fake_llm_app(latency_s=0.05, tokens_per_s=500, slots=8)))
        env = _replica_env(tmp_path, chroma_port, llm)
        first = stack.enter_context(replica(env, tmp_path / "first.log"))
        second = stack.enter_context(replica(env, tmp_path / "second.log"))
        before = cites(second, "puebla.txt", False, 0)
        assert "puebla.txt" not in [c["source"] for c in before["citations"]]

        added = httpx.post(f"{first}/documents", files=[("files", ("puebla.txt", NEW_ARTICLE))], timeout=120)
        assert added.status_code == 200 and added.json()["files"][0]["status"] == "added"
        started = time.monotonic()
        seen = cites(second, "puebla.txt", True, 10)  # the second replica reloads the shared keyword index
        assert seen["answer"] == "45" and [c["source"] for c in seen["citations"]] == ["puebla.txt"]
        assert time.monotonic() - started < 10

        assert httpx.delete(f"{second}/documents/puebla.txt", timeout=120).status_code == 200
        gone = cites(first, "puebla.txt", False, 10)
        assert "puebla.txt" not in [c["source"] for c in gone["citations"]]

        with ingest_lock(tmp_path / "data"):  # an ingest running somewhere
            for url in (first, second):
                busy = httpx.post(f"{url}/ingest", timeout=30)
                assert busy.status_code == 409 and "another ingest is running" in busy.json()["error"]
        assert httpx.post(f"{second}/ingest", timeout=120).status_code == 200


def test_a_replica_killed_mid_answer_breaks_only_its_own_connection(chroma_port: int, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "corpus")
    with ExitStack() as stack:
        llm = stack.enter_context(serve(fake_llm_app(latency_s=3, tokens_per_s=500, slots=8)))
        env = _replica_env(tmp_path, chroma_port, llm)
        ingest(env, tmp_path / "ingest.log")
        [(first, victim), (second, _)] = stack.enter_context(
            replicas(env, [tmp_path / "first.log", tmp_path / "second.log"])
        )
        pool = stack.enter_context(ThreadPoolExecutor(2))
        ask = {"json": {"question": ANSWERED}, "timeout": 60}
        cut = pool.submit(httpx.post, f"{first}/ask", **ask)
        kept = pool.submit(httpx.post, f"{second}/ask", **ask)
        deadline = time.monotonic() + 60
        while httpx.get(f"{llm}/stats").json()["in_flight"] < 2:  # both questions are at the model
            assert time.monotonic() < deadline, "the questions never reached the LLM server"
            time.sleep(0.05)
        victim.kill()  # SIGKILL mid-answer: no cleanup of any kind

        with pytest.raises(httpx.TransportError):  # a broken connection, not an HTTP status
            cut.result(timeout=60)
        assert kept.result(timeout=60).json()["answer"] == "170"  # the other replica kept answering
        after = httpx.post(f"{second}/ask", **ask)
        assert after.status_code == 200 and after.json()["answer"] == "170"
        health = httpx.get(f"{second}/health", timeout=30).json()
        assert health["status"] == "ok" and health["queue"]["waiting_or_running"] == 0
