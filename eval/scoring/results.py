"""The types of what an evaluation run writes: one record per question and the per-slice summary.

TypedDicts rather than classes: the records are exactly the JSON of `results.jsonl` and
`summary.json` (read back by `rag eval --compare`), and mypy checks every key the code reads.
"""

from __future__ import annotations

from typing import TypedDict

# Every metric of one question (eval.scoring.report.SCORE_METRICS); None where it does not apply.
Scores = dict[str, float | bool | None]


class Stats(TypedDict):
    """One metric over one slice: the mean, its bootstrap 95% interval and the questions it covers."""

    mean: float
    ci_low: float
    ci_high: float
    n: int


# Per slice ("all", "answerable", "lang:es", ...), per metric.
Summary = dict[str, dict[str, Stats]]


class QuestionResult(TypedDict):
    """One question of a run: what was asked, what came back, what it was built from, its scores."""

    id: str
    question: str
    lang: str
    kind: str
    answerable: bool
    slices: list[str]
    reference: str
    answer: str
    refused: bool
    language: str
    citations: list[dict[str, object]]
    retrieved: list[str]
    evidence: list[str]
    notes: list[str]  # why each passage read gave no answer (rag.answer.assistant.Trace.notes)
    scores: Scores
    latency_ms: float
    tokens_per_s: float | None
    timings_ms: dict[str, int]
    usage: dict[str, int | None] | None
