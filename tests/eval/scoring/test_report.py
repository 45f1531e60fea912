import json
import math
from pathlib import Path
from typing import Any

import pytest

from eval.scoring.dataset import QAItem
from eval.scoring.report import (
    KEY_METRICS,
    check_thresholds,
    compare_markdown,
    load_thresholds,
    markdown_report,
    refusal_reasons,
    score,
    summarize,
    write_chart,
)

FILES = {
    "a.txt": "The IMSS needs 170 appointments. Cofepris agreed.",
    "b.txt": "El IMSS necesita 170 citas.",
}
ANSWERABLE = QAItem(
    "en-01",
    "How many?",
    "At least 170 appointments.",
    (r"\b170\b",),
    ("a.txt", "b.txt"),
    "en",
    "number",
    need="any",
)
UNANSWERABLE = QAItem("un-01", "Who won?", "Not said.", (), (), "en", "offtopic", answerable=False)
GOOD_CITATION = {"source": "a.txt", "quote": "The IMSS needs 170 appointments.", "start": 0, "end": 32}


def _result(
    slices: list[str], scores: dict[str, Any], latency_ms: float = 100.0, tps: float | None = 10.0
) -> dict:
    return {
        "id": "x",
        "question": "q",
        "lang": "en",
        "kind": "number",
        "answerable": True,
        "slices": slices,
        "answer": "a",
        "refused": False,
        "citations": [],
        "retrieved": [],
        "scores": scores,
        "latency_ms": latency_ms,
        "tokens_per_s": tps,
    }


def test_score_answerable_correct_answer() -> None:
    evidence = ["Nothing.", "It takes 170 appointments."]
    scores = score(
        ANSWERABLE, "170 appointments.", False, [GOOD_CITATION], ["c.txt", "a.txt"], FILES.get, evidence, True
    )

    assert scores == {
        "correct": True,
        "f1": pytest.approx(2 / 3),
        "contains_gold": False,
        "answer_language": True,
        "evidence@1": False,
        "evidence@3": True,
        "evidence@5": True,
        "hit@1": False,
        "hit@5": True,
        "recall@5": 1.0,
        "mrr": 0.5,
        "cite_precision": 1.0,
        "cite_recall": 1.0,
        "quote_valid": True,
        "refusal_correct": True,
        "false_refusal": False,
    }


def test_score_answerable_refused() -> None:
    scores = score(ANSWERABLE, "The articles don't say 170.", True, [], ["a.txt"], FILES.get)

    assert scores["correct"] is False  # a refusal is never correct, even when it matches
    assert scores["f1"] == 0.0
    assert scores["false_refusal"] is True
    assert scores["refusal_correct"] is False
    assert scores["cite_precision"] is None
    assert scores["cite_recall"] == 0.0
    assert scores["quote_valid"] is None


def test_score_unanswerable_has_only_refusal_and_quote_metrics() -> None:
    bad = {**GOOD_CITATION, "quote": "something else"}
    scores = score(UNANSWERABLE, "Argentina.", False, [bad], ["a.txt"], FILES.get)

    assert scores["refusal_correct"] is False
    assert scores["quote_valid"] is False
    applicable = {name for name, value in scores.items() if value is not None}
    assert applicable == {"refusal_correct", "quote_valid"}


def test_results_are_json_serialisable() -> None:
    scores = score(ANSWERABLE, "170", False, [GOOD_CITATION], ["a.txt"], FILES.get)
    result = _result(["all"], scores)
    assert json.loads(json.dumps(result))["scores"]["correct"] is True


def test_summarize_means_skip_none_and_count_booleans() -> None:
    results = [
        _result(["all", "lang:en"], {"correct": True, "cite_precision": None, "mrr": 1.0}, 100.0, 10.0),
        _result(["all", "lang:en"], {"correct": False, "cite_precision": 0.5, "mrr": 0.5}, 200.0, None),
        _result(["all", "lang:es"], {"correct": None, "cite_precision": 1.0, "mrr": 0.0}, 400.0, 30.0),
    ]

    summary = summarize(results)

    assert list(summary) == ["all", "lang:en", "lang:es"]
    overall = summary["all"]
    assert overall["correct"]["mean"] == 0.5
    assert overall["correct"]["n"] == 2
    assert overall["cite_precision"]["mean"] == 0.75
    assert overall["mrr"]["mean"] == 0.5
    assert overall["mrr"]["n"] == 3
    assert overall["mrr"]["ci_low"] <= 0.5 <= overall["mrr"]["ci_high"]
    assert "correct" not in summary["lang:es"]
    assert summary["lang:en"]["correct"]["mean"] == 0.5


def test_summarize_latency_and_speed() -> None:
    results = [
        _result(["all"], {"correct": True}, ms, tps) for ms, tps in [(100, 10), (200, None), (400, 30)]
    ]

    overall = summarize(results)["all"]

    assert overall["latency_p50_ms"] == {"mean": 200.0, "ci_low": 200.0, "ci_high": 200.0, "n": 3}
    assert overall["latency_p95_ms"]["mean"] == pytest.approx(380.0)
    assert overall["tokens_per_s"] == {"mean": 20.0, "ci_low": 20.0, "ci_high": 20.0, "n": 2}


def test_summarize_is_deterministic_and_json_serialisable() -> None:
    results = [_result(["all"], {"correct": i % 3 == 0, "f1": i / 10}) for i in range(10)]

    first = summarize(results)

    assert first == summarize(results)
    assert json.loads(json.dumps(first)) == first


def _summary() -> dict[str, dict[str, dict[str, float]]]:
    results = [
        _result(["all", "answerable"], {"correct": True, "mrr": 0.5, "refusal_correct": True}),
        _result(["all", "answerable"], {"correct": False, "mrr": 1.0, "refusal_correct": True}),
        _result(["all", "unanswerable"], {"correct": None, "mrr": None, "refusal_correct": False}),
    ]
    return summarize(results)


def test_markdown_report_tables() -> None:
    text = markdown_report(_summary(), "Baseline", "Model: qwen-0.5b, top_k=5.")

    assert text.startswith("# Baseline\n\nModel: qwen-0.5b, top_k=5.\n")
    assert "| metric | value | 95% CI | n |" in text
    assert "| correct | 50.0% | " in text
    assert "| mrr | 0.750 | " in text
    assert "| refusal_correct | 66.7% | " in text
    assert "| latency_p50_ms | 100 ms | – | 3 |" in text
    assert "| slice | n | " + " | ".join(KEY_METRICS) + " |" in text
    assert "| unanswerable | 1 | – | – | – | – | – | – | – | – | 0.0% | – |" in text


def test_write_chart_writes_png(tmp_path: Path) -> None:
    path = tmp_path / "run" / "chart.png"

    write_chart(_summary(), path)

    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_write_chart_rejects_empty_summary(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nothing to chart"):
        write_chart({}, tmp_path / "chart.png")


def test_compare_markdown_one_column_per_run() -> None:
    better = summarize([_result(["all"], {"correct": True, "mrr": 1.0})])
    worse = summarize([_result(["all"], {"correct": False})])

    text = compare_markdown({"run-a": better, "run-b": worse})

    lines = text.splitlines()
    assert lines[0] == "| metric | run-a | run-b |"
    assert "| correct | 100.0% | 0.0% |" in lines
    assert "| mrr | 1.000 | – |" in lines


def test_check_thresholds_pass_and_failures() -> None:
    summary = _summary()

    assert check_thresholds(summary, {"all": {"correct": 0.5, "refusal_correct": 0.6}}) == []
    failures = check_thresholds(
        summary,
        {
            "all": {"correct": 0.6, "quote_valid": 1.0},
            "unanswerable": {"refusal_correct": 0.5},
            "crosslingual": {"correct": 0.1},
        },
    )
    assert failures == [
        "[all] correct: 0.5 is below the minimum 0.6 (n=2)",
        "[all] quote_valid: missing from the summary (minimum 1)",
        "[unanswerable] refusal_correct: 0 is below the minimum 0.5 (n=1)",
        "[crosslingual] correct: missing from the summary (minimum 0.1)",
    ]


def test_check_thresholds_exact_ratio_passes() -> None:
    summary = summarize([_result(["all"], {"correct": i < 34}) for i in range(85)])
    assert check_thresholds(summary, {"all": {"correct": 0.40}}) == []
    assert math.isclose(summary["all"]["correct"]["mean"], 0.4)


def test_load_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text("[all]\ncorrect = 0.40\nquote_valid = 1\n\n[unanswerable]\nrefusal_correct = 0.5\n")

    assert load_thresholds(path) == {
        "all": {"correct": 0.4, "quote_valid": 1.0},
        "unanswerable": {"refusal_correct": 0.5},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[all\ncorrect = 0.4\n", "invalid TOML"),
        ("correct = 0.4\n", "must be a table"),
        ('[all]\ncorrect = "high"\n', "must be a number"),
        ("[all]\ncorrect = true\n", "must be a number"),
    ],
)
def test_load_thresholds_rejects_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "thresholds.toml"
    path.write_text(text)

    with pytest.raises(ValueError, match=message):
        load_thresholds(path)


def _refusal(id_: str, answerable: bool, notes: list[str], refused: bool = True) -> dict:
    return {"id": id_, "answerable": answerable, "refused": refused, "notes": notes}


def test_refusals_are_counted_by_the_reason_of_their_first_passage_and_of_any() -> None:
    results = [
        _refusal(
            "a",
            True,
            ["no-answer: p(none) 0.51, reply ''", "not-grounded: not grounded in the passages: '3'"],
        ),
        _refusal("b", True, ["not-grounded: not grounded in the passages: '9'"]),
        _refusal("c", False, ["no-answer: p(none) 0.97, reply ''"]),
        _refusal("d", False, ["weak-evidence: refused without the LLM: best evidence 0.20"]),
        _refusal("e", True, [], refused=False),  # answered: not counted
    ]
    lines = refusal_reasons(results).splitlines()  # type: ignore[arg-type]
    assert lines[0] == "## Why questions were refused"
    assert "answerable refused (2): first passage" in lines[2]
    assert "unanswerable refused (2): first passage" in lines[2]
    rows = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[3:7]] for line in lines[4:] if line
    }
    assert rows == {
        "`no-answer`": ["1", "1", "1", "1"],
        "`not-grounded`": ["1", "2", "0", "0"],
        "`weak-evidence`": ["0", "0", "1", "1"],
    }


def test_a_run_without_refusals_says_so() -> None:
    assert "No question was refused." in refusal_reasons([_refusal("e", True, [], refused=False)])  # type: ignore[list-item]
