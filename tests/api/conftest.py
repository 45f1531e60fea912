"""App fixtures: a TestClient over fake components, and the same app served live."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import serve
from tests.fakes import KeywordEmbedding, ScriptedLLM


@pytest.fixture
def service(settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM) -> RagService:
    return RagService(settings, embedder=embedder, llm=llm)


@pytest.fixture
def client(settings: Settings, service: RagService) -> Iterator[TestClient]:
    with TestClient(create_app(settings, service=service)) as client:  # lifespan ingests the empty index
        yield client


@pytest.fixture
def live_server(settings: Settings, service: RagService) -> Iterator[str]:
    with serve(create_app(settings, service=service)) as url:
        yield url
