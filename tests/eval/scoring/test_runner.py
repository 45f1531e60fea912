"""An evaluation run is not bound by the HTTP deadline: a stalled question is measured, not fatal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from eval.scoring.dataset import load_qa
from eval.scoring.runner import BATCH_REQUEST_TIMEOUT_S, batch_settings, evaluate
from rag.errors import GenerationTimeoutError
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parents[3]
ITEM = next(i for i in load_qa(ROOT / "eval/qa.jsonl") if i.id == "en-01")


def _slow(prompt: str) -> str:
    time.sleep(0.5)  # a shared machine that stalls: longer than the deadline below
    return "170"


def _service(settings: Settings) -> RagService:
    service = RagService(settings, embedder=KeywordEmbedding(), llm=ScriptedLLM([_slow] * 4))
    service.ingest()
    return service


def test_a_question_past_the_server_deadline_fails_a_request(settings: Settings) -> None:
    settings.server.request_timeout_s = 0.2
    with pytest.raises(GenerationTimeoutError, match=r"no answer within 0\.2 s"):
        evaluate([ITEM], _service(settings), progress=False)


def test_an_evaluation_run_waits_for_it_and_measures_it(settings: Settings) -> None:
    settings.server.request_timeout_s = 0.2
    (result,) = evaluate([ITEM], _service(batch_settings(settings)), progress=False)
    assert (result["answer"], result["refused"]) == ("170", False)
    assert result["latency_ms"] >= 500
    assert settings.server.request_timeout_s == BATCH_REQUEST_TIMEOUT_S
