"""Property-based fuzzing of the OpenAPI schema with schemathesis: no input makes the app fail.

Every operation the schema lists gets generated requests (valid and invalid bodies, path
parameters, headers) against the app with fake components; no response may be a 5xx, and
every 4xx must be the JSON error shape `{"error": message}`.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.conftest import SEEDS
from tests.fakes import KeywordEmbedding, ScriptedLLM

EXAMPLES_PER_OPERATION = 30


class CitingLLM(ScriptedLLM):
    """Always answers, citing the first numbered sentence (never runs out of replies)."""

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        self.enqueue("It says so [1].")
        return super().complete(prompt, formatted, **kwargs)


def _fake_service() -> tuple[Settings, RagService]:
    """Fake components over a copy of seeds/ in a temp dir (removed at exit).

    Built at import time because schemathesis loads the schema through the app, which runs
    its lifespan: without a service passed in, that would load the real models into ./data.
    """
    workdir = Path(tempfile.mkdtemp(prefix="rag-fuzz-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    shutil.copytree(SEEDS, workdir / "corpus")
    config = Settings(data_dir=workdir / "data", corpus_dir=workdir / "corpus")
    return config, RagService(config, embedder=KeywordEmbedding(), llm=CitingLLM())


CONFIG, SERVICE = _fake_service()
APP: FastAPI = create_app(CONFIG, service=SERVICE)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def indexed() -> None:
    """What the lifespan does on start (schemathesis may call the app without running it)."""
    if SERVICE.index.count() == 0:
        SERVICE.ingest()
    APP.state.settings = CONFIG
    APP.state.service = SERVICE


def errors_are_json(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """A 4xx carries `{"error": "<message>"}`."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip(), (
            f"{response.status_code} without a JSON error message: {response.text[:200]!r}"
        )
    return None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_makes_the_app_fail(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, errors_are_json])
