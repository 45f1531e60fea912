"""The CI gate fails a deliberately broken pipeline and passes a working one (scripted models)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eval.scoring.dataset import load_qa
from eval.scoring.metrics import fold
from eval.scoring.report import check_thresholds, load_thresholds
from eval.scoring.runner import evaluate, write_run
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parents[3]
ITEMS = [
    i
    for i in load_qa(ROOT / "eval/qa.jsonl")
    if i.id in {"en-01", "es-04", "es-09", "en-12", "un-01", "un-02"}
]


def _service(settings: Settings, llm: ScriptedLLM) -> RagService:
    service = RagService(settings, embedder=KeywordEmbedding(), llm=llm)
    service.ingest()
    return service


def _oracle(prompt: str) -> str:
    """Answers like a perfect reader: the reference answer when the passage shown holds it."""
    question = re.search(r"Question: (.*)", prompt).group(1)  # type: ignore[union-attr]
    sentence = re.search(r"Sentence: (.*)", prompt).group(1)  # type: ignore[union-attr]
    item = next(i for i in ITEMS if i.question == question)
    if item.answerable and any(re.search(fold(p), fold(sentence), re.I) for p in item.accept):
        return item.answer
    return "NONE"


def test_a_broken_pipeline_fails_the_gate(settings: Settings, tmp_path: Path) -> None:
    broken = ScriptedLLM(["The answer is 999 [1]."] * 20)  # confidently wrong every time
    summary = write_run(
        evaluate(ITEMS, _service(settings, broken), progress=False), tmp_path / "run", "t", "d"
    )
    thresholds = load_thresholds(ROOT / "eval/thresholds.toml")
    failures = check_thresholds(summary, thresholds)
    assert f"[all] correct: 0 is below the minimum {thresholds['all']['correct']:g} (n=4)" in failures
    assert (tmp_path / "run" / "report.md").read_text().startswith("# t")
    assert (tmp_path / "run" / "chart.png").stat().st_size > 0


def test_a_working_pipeline_passes_the_answer_gates(settings: Settings, tmp_path: Path) -> None:
    settings.answer.attempts = settings.answer.passages  # the keyword fake ranks es-04's sentence third
    oracle = ScriptedLLM([_oracle] * 20)
    results = evaluate(ITEMS, _service(settings, oracle), progress=False)
    summary = write_run(results, tmp_path / "run", "t", "d")
    assert summary["all"]["correct"]["mean"] == pytest.approx(1.0)
    assert summary["all"]["quote_valid"]["mean"] == pytest.approx(1.0)
    assert summary["unanswerable"]["refusal_correct"]["mean"] == pytest.approx(1.0)
