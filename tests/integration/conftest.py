"""One service over a copy of seeds/ with the real default models, shared by the integration tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.load.servers import CHROMA, chroma_server
from rag.components import default_gguf_path
from rag.service import RagService
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture
def chroma_port(tmp_path: Path) -> Iterator[int]:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is missing (the chromadb package's CLI)")
    with chroma_server(tmp_path / "server", tmp_path / "chroma.log") as port:
        yield port
