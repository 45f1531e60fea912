"""`rag loadtest` logic with small numbers against an in-process server with fake components."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from eval.load.loadtest import final_event, load_questions, markdown, problems, run, run_load, validate_answer
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import serve
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parents[3]
QA = ROOT / "eval" / "qa.jsonl"


class SlowCitingLLM(ScriptedLLM):
    """Answers every prompt after a short pause, so concurrent clients fill the queue."""

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        self.enqueue("It says so [1].")
        return super().complete(prompt, formatted, **kwargs)


@pytest.fixture
def small_queue_server(settings: Settings) -> Iterator[str]:
    settings = Settings.model_validate(settings.model_dump() | {"server": {"queue_size": 1}})
    service = RagService(settings, embedder=KeywordEmbedding(), llm=SlowCitingLLM())
    with serve(create_app(settings, service=service)) as url:
        yield url


def test_eight_clients_for_five_seconds_hold_the_contract(small_queue_server: str) -> None:
    questions = load_questions(QA)
    summary = asyncio.run(
        run_load(small_queue_server, questions, clients=8, seconds=5, server_pid=os.getpid())
    )
    # Until the /ask/stream admission race is fixed (tests/api/test_stream_admission.py), a stream may
    # say 200 and then report the full queue; it is counted apart, and everything else must hold.
    late_busy = summary["stream_200_then_busy"]
    assert [p for p in problems(summary) if "then reported a full queue" not in p] == [], summary
    assert summary["ok_200"] > 0 and summary["valid_200"] + late_busy == summary["ok_200"]
    assert summary["busy_503"] > 0  # a queue of 1 turns clients away: with Retry-After, checked above
    assert set(summary["statuses"]) <= {"200", "503"}
    assert summary["by_path"].get("/ask/stream", 0) > 0 and summary["by_path"]["/ask"] > 0
    assert summary["rss"]["samples"] >= 3 and summary["rss"]["max_mib"] > 0
    assert summary["health_after"] == 200
    assert "| 503 / with Retry-After |" in markdown(summary)


def test_the_command_writes_its_report_and_fails_on_problems(small_queue_server: str, tmp_path: Path) -> None:
    args = argparse.Namespace(
        qa=QA, out=tmp_path / "run", url=small_queue_server, clients=3, seconds=1.0, stream_share=0.0, seed=1
    )
    assert run(args) == 0
    assert (tmp_path / "run" / "summary.json").exists()
    assert "**Problems:** none" in (tmp_path / "run" / "report.md").read_text()

    def broken(**_: Any) -> dict[str, Any]:
        return asyncio.run(run_load(small_queue_server, ["hi"], clients=1, seconds=0.5)) | {
            "other_status": {"500": 1}
        }

    assert run(args, measure=broken) == 1


def test_contract_checks() -> None:
    answer = {
        "answer": "170",
        "refused": False,
        "language": "en",
        "citations": [{"source": "a.txt", "quote": "170 appointments", "start": 5, "end": 21}],
        "timings_ms": {"retrieve": 1, "generate": 2, "total": 3},
    }
    assert validate_answer(answer)
    assert not validate_answer(
        answer | {"citations": [{"source": "a.txt", "quote": "x", "start": 5, "end": 9}]}
    )
    assert not validate_answer(answer | {"refused": "maybe"})
    assert not validate_answer({"error": "busy"})
    stream = 'event: token\ndata: {"text": "1"}\n\nevent: final\ndata: {"answer": "x"}\n\n'
    assert final_event(stream) == ("final", {"answer": "x"})


@pytest.mark.slow
def test_the_command_holds_load_on_a_simulated_llm_server(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "rag", "loadtest", "--fake-llm", "--fake-slots", "4"]
    command += ["--model-concurrency", "2", "--clients", "4", "--seconds", "3", "--out", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["valid_200"] == summary["ok_200"] > 0
    assert summary["model_concurrency"] == 2 and 1 <= summary["fake_llm"]["peak_in_flight"] <= 2
    assert "simulated LLM server" in (tmp_path / "report.md").read_text()
