"""The processes a load run starts: `rag serve` replicas, a `chroma run` server, the fake LLM server.

Replicas share one data folder (keyword index, ingest lock), one corpus folder, one Chroma server
and one LLM server, as docs/operations.md sets them up behind a reverse proxy.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

CHROMA = Path(sys.executable).with_name("chroma")  # the chromadb package's CLI


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen | None = None, timeout: float = 600) -> None:
    """Wait until GET /health answers 200 with status ok (the index is built, models loaded)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before it was ready")
        try:
            response = httpx.get(url + "/health", timeout=5)
            if response.status_code == 200 and response.json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url}/health did not answer within {timeout:g} s")


def wait_for_chroma(port: int, server: subprocess.Popen, timeout_s: float = 60) -> None:
    """Wait until a `chroma run` on `port` answers its heartbeat."""
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


def stop(process: subprocess.Popen, timeout: float = 15, interrupt: bool = False) -> None:
    """End `process` (SIGTERM, or SIGINT like Ctrl-C), killing it when it does not exit in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT if interrupt else signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def chroma_server(path: Path, log: Path, port: int | None = None) -> Iterator[int]:
    """`chroma run` over the folder `path` on a local port; yields the port."""
    if not CHROMA.exists():
        raise RuntimeError(f"{CHROMA} is missing (the chromadb package's CLI)")
    port = port or free_port()
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_chroma(port, process)
        yield port
    finally:
        stop(process, timeout=10)


@contextmanager
def fake_llm_server(latency_s: float, tokens_per_s: float, slots: int) -> Iterator[str]:
    """eval.load.fake_llm in its own process; yields its OpenAI base URL (ending in /v1)."""
    import httpx

    port = free_port()
    command = [sys.executable, "-m", "eval.load.fake_llm", "--port", str(port)]
    command += ["--latency", str(latency_s), "--tokens-per-s", str(tokens_per_s), "--slots", str(slots)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(process)


def replica_env(work_dir: Path, llm: Path, settings: dict[str, str] | None = None) -> dict[str, str]:
    """The environment every replica gets: the same data and corpus folders under `work_dir`, the
    same GGUF and the extra RAG_* `settings` (LLM server, Chroma server, model concurrency)."""
    return {
        **os.environ,
        "RAG_DATA_DIR": str(work_dir / "data"),
        "RAG_CORPUS_DIR": str(work_dir / "corpus"),
        "RAG_LLM__MODEL_PATH": str(llm.resolve()),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        **(settings or {}),
    }


def ingest(env: dict[str, str], log: Path) -> None:
    """`rag ingest` once with `env`, before replicas start (so that they do not all build the index)."""
    with log.open("w") as output:
        done = subprocess.run(
            [sys.executable, "-m", "rag", "ingest"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        raise RuntimeError(f"rag ingest failed with status {done.returncode}; see {log}")


@contextmanager
def replicas(env: dict[str, str], logs: Sequence[Path]) -> Iterator[list[tuple[str, subprocess.Popen]]]:
    """One `rag serve` per log file, each on its own local port with the same `env`, started
    together; yields (URL, process) per replica once every one is healthy."""
    with ExitStack() as stack:
        started = []
        for log in logs:
            port = free_port()
            command = [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)]
            with log.open("w") as output:
                process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
            stack.callback(stop, process, 30, True)
            started.append((f"http://127.0.0.1:{port}", process))
        for url, process in started:
            wait_healthy(url, process, timeout=600)
        yield started


def copy_corpus(corpus: Path, work_dir: Path) -> None:
    """The articles the replicas serve: a copy, so that the run cannot change `corpus`."""
    shutil.copytree(corpus, work_dir / "corpus")
