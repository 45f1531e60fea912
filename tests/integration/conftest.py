"""One service over a copy of seeds/ with the real default models, shared by the integration tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.components import default_gguf_path
from rag.service import RagService
from rag.settings import Settings
from tests.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="session")
def default_model() -> Path:
    """The default GGUF, assembled by `make models`."""
    model = default_gguf_path(ROOT / "data")
    if not model.exists():
        pytest.fail(f"{model} is missing: run `make models` (make test does) before these tests")
    return model


@pytest.fixture(scope="session")
def real_service(tmp_path_factory: pytest.TempPathFactory, default_model: Path) -> RagService:
    model = default_model
    workdir = tmp_path_factory.mktemp("real")
    shutil.copytree(ROOT / "seeds", workdir / "seeds")
    settings = Settings(data_dir=workdir / "data", corpus_dir=workdir / "seeds", llm={"model_path": model})
    service = RagService(settings)
    service.ingest()
    return service


def wait_for_chroma(port: int, server: subprocess.Popen, timeout_s: float = 60) -> None:
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
        wait_for_chroma(port, server)
        yield port
    finally:
        stop(server, timeout=10)
