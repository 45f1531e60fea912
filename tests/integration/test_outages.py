"""Outages during a load run: a `rag serve` replica over a `chroma run` server and the fake LLM
server answers concurrent clients while the Chroma server, then the LLM server, is stopped and
started again. Clients get 503s naming the server that is down, /health says which, answers resume
without restarting the replica, and no question is left holding the queue."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from eval.load.fake_llm import fake_llm_app
from eval.load.loadtest import final_event, load_questions
from eval.load.servers import CHROMA, chroma_server, free_port, replicas
from tests.api.support import serve

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = load_questions(ROOT / "eval" / "qa.jsonl")
STORE_DOWN = "the vector store (Chroma server) cannot be reached"


@dataclass
class Reply:
    at: float
    status: int | None  # None: no HTTP answer; for a stream, the status in its error event, if any
    error: str


@dataclass
class Load:
    """Clients asking in a loop (every other question streamed) until `stop()`."""

    url: str
    clients: int
    replies: list[Reply] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _ask(self, http: httpx.Client, number: int) -> Reply:
        question = {"question": QUESTIONS[number % len(QUESTIONS)]}
        try:
            if number % 2:
                response = http.post("/ask/stream", json=question)
                event = final_event(response.text) if response.status_code == 200 else None
                if event and event[0] == "error":
                    return Reply(time.monotonic(), event[1]["status"], event[1]["error"])
            else:
                response = http.post("/ask", json=question)
        except httpx.HTTPError as exc:
            return Reply(time.monotonic(), None, f"{type(exc).__name__}: {exc}")
        error = "" if response.status_code == 200 else str(response.json().get("error"))
        return Reply(time.monotonic(), response.status_code, error)

    def _client(self, offset: int) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as http:
            number = offset
            while not self._stop.is_set():
                reply = self._ask(http, number)
                self.replies.append(reply)
                number += self.clients
                if reply.status == 503:
                    time.sleep(0.2)  # a client backing off a little, as Retry-After asks

    def start(self) -> None:
        for offset in range(self.clients):
            thread = threading.Thread(target=self._client, args=(offset,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)

    def wait_for(self, wanted: Callable[[Reply], bool], since: float, within_s: float = 60) -> Reply:
        """The first reply after `since` that is `wanted`; fails after `within_s` seconds."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            found = next((r for r in list(self.replies) if r.at > since and wanted(r)), None)
            if found is not None:
                return found
            time.sleep(0.1)
        seen = [(r.status, r.error[:80]) for r in self.replies if r.at > since][-5:]
        raise AssertionError(f"no such reply within {within_s} s; the last ones: {seen}")


def health_becomes(url: str, status: str, within_s: float = 30) -> dict:
    deadline = time.monotonic() + within_s
    while True:
        health = httpx.get(f"{url}/health", timeout=30).json()
        if health["status"] == status or time.monotonic() > deadline:
            return health
        time.sleep(0.2)


def queue_empties(url: str, within_s: float = 10) -> bool:
    """Whether /health reports no question waiting or running within `within_s` (a stream gives
    its place back just after its last byte)."""
    deadline = time.monotonic() + within_s
    while httpx.get(f"{url}/health", timeout=30).json()["queue"]["waiting_or_running"]:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def answered(reply: Reply) -> bool:
    return reply.status == 200


@contextmanager
def llm_server(port: int) -> Iterator[str]:
    with serve(fake_llm_app(latency_s=0.2, tokens_per_s=200, slots=8), port=port) as url:
        yield url


def test_store_and_llm_outages_during_a_load_run(tmp_path: Path, corpus: Path) -> None:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is missing (the chromadb package's CLI)")
    chroma_port, llm_port = free_port(), free_port()
    llm_down = f"the LLM server at http://127.0.0.1:{llm_port}/v1"
    with ExitStack() as stack:
        chroma = stack.enter_context(ExitStack())  # closed and entered again to stop and restart it
        chroma.enter_context(chroma_server(tmp_path / "chroma", tmp_path / "chroma.log", chroma_port))
        llm = stack.enter_context(ExitStack())
        llm.enter_context(llm_server(llm_port))
        env = {
            **os.environ,
            "RAG_DATA_DIR": str(tmp_path / "data"),
            "RAG_CORPUS_DIR": str(corpus),
            "RAG_STORE__HOST": "127.0.0.1",
            "RAG_STORE__PORT": str(chroma_port),
            "RAG_LLM__BACKEND": "openai",
            "RAG_LLM__BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
            "RAG_LLM__MODEL": "fake",
            "RAG_LLM__PROBE_TIMEOUT": "2",
            "RAG_SERVER__MODEL_CONCURRENCY": "4",
            "RAG_SERVER__QUEUE_SIZE": "16",
            "HF_HUB_OFFLINE": "1",
        }
        [(url, _)] = stack.enter_context(replicas(env, [tmp_path / "replica.log"]))
        load = Load(url, clients=6)
        stack.callback(load.stop)
        load.start()
        load.wait_for(answered, since=0)

        mark = time.monotonic()
        chroma.close()  # the Chroma server goes away under load
        down = load.wait_for(lambda r: r.status == 503, since=mark)
        assert down.error.startswith(STORE_DOWN), down
        health = health_becomes(url, "store unavailable")
        assert health["status"] == "store unavailable" and "cannot be reached" in health["store_error"]

        mark = time.monotonic()
        chroma.enter_context(chroma_server(tmp_path / "chroma", tmp_path / "chroma-2.log", chroma_port))
        load.wait_for(answered, since=mark)  # the same replica, not restarted
        assert health_becomes(url, "ok")["status"] == "ok"

        mark = time.monotonic()
        llm.close()  # now the LLM server
        down = load.wait_for(lambda r: r.status == 503 and "LLM server" in r.error, since=mark)
        assert down.error.startswith(llm_down), down
        health = health_becomes(url, "llm unavailable")
        assert health["status"] == "llm unavailable" and f"127.0.0.1:{llm_port}" in health["llm_error"]

        mark = time.monotonic()
        llm.enter_context(llm_server(llm_port))
        load.wait_for(answered, since=mark)
        assert health_becomes(url, "ok")["status"] == "ok"

        load.stop()
        assert queue_empties(url)  # every question gave its place back

    statuses = {r.status for r in load.replies}
    unexpected = [
        (r.status, r.error[:120])
        for r in load.replies
        if r.status != 200
        and not (r.status == 503 and r.error.startswith((STORE_DOWN, llm_down, "the server is busy")))
    ]
    assert unexpected == [], f"statuses seen: {statuses}"  # only answers and 503s naming the server down
    assert sum(answered(r) for r in load.replies) >= 4
