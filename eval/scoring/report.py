"""Scores per question, their aggregation per slice, and the Markdown, chart and threshold outputs."""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.scoring import metrics
from eval.scoring.dataset import QAItem
from eval.scoring.results import QuestionResult, Scores, Stats, Summary
from eval.tables import markdown_table
from rag.answer.assistant import NOTE_CODES

SCORE_METRICS = (
    "correct",
    "f1",
    "contains_gold",
    "answer_language",
    "evidence@1",
    "evidence@3",
    "evidence@5",
    "hit@1",
    "hit@5",
    "recall@5",
    "mrr",
    "cite_precision",
    "cite_recall",
    "quote_valid",
    "refusal_correct",
    "false_refusal",
)
SPEED_METRICS = ("latency_p50_ms", "latency_p95_ms", "tokens_per_s")
# Model work per question, in units that do not depend on the machine: (result key, label).
WORK_METRICS = ("llm_calls", "prompt_tokens", "completion_tokens")
KEY_METRICS = (
    "correct",
    "answer_language",
    "evidence@5",
    "hit@5",
    "mrr",
    "cite_precision",
    "cite_recall",
    "quote_valid",
    "refusal_correct",
    "false_refusal",
)
# Shown as they are rather than as percentages: not shares of questions.
_PLAIN_METRICS = {
    "mrr": "{:.3f}",
    "latency_p50_ms": "{:.0f} ms",
    "latency_p95_ms": "{:.0f} ms",
    "tokens_per_s": "{:.1f}",
    **{f"{m}_{p}": "{:.1f}" for m in WORK_METRICS for p in ("p50", "p95")},
}
_CHART_METRICS = ("correct", "hit@5", "cite_precision", "cite_recall", "quote_valid", "refusal_correct")
_THRESHOLD_SLACK = 1e-9  # a mean of 34/85 must pass a minimum of 0.4


def score(
    item: QAItem,
    answer: str,
    refused: bool,
    citations: Sequence[Mapping[str, Any]],
    retrieved: Sequence[str],
    read_file: Callable[[str], str | None],
    evidence: Sequence[str] = (),
    in_language: bool | None = None,
) -> Scores:
    """Every metric of one answered question; None where a metric does not apply.

    `evidence` is the text the model read, best first; `in_language` whether a given (not
    refused) answer is in the question's language.
    """
    scores: Scores = dict.fromkeys(SCORE_METRICS)
    scores["refusal_correct"] = metrics.refusal_correct(item.answerable, refused)
    scores["answer_language"] = None if refused else in_language
    scores["quote_valid"] = all(metrics.quote_valid(c, read_file) for c in citations) if citations else None
    if not item.answerable:
        return scores
    cited = [str(c.get("source")) for c in citations]
    scores |= {
        "correct": not refused and metrics.accept_match(answer, item.accept),
        "f1": 0.0 if refused else metrics.token_f1(answer, item.answer),
        "contains_gold": not refused and metrics.contains_gold(answer, [item.answer]),
        **{f"evidence@{k}": metrics.evidence_recall(evidence, item.accept, k) for k in (1, 3, 5)},
        "hit@1": metrics.hit_at_k(retrieved, item.sources, 1, item.need),
        "hit@5": metrics.hit_at_k(retrieved, item.sources, 5, item.need),
        "recall@5": metrics.recall_at_k(retrieved, item.sources, 5, item.need),
        "mrr": metrics.reciprocal_rank(retrieved, item.sources),
        "cite_precision": metrics.citation_precision(cited, item.sources),
        "cite_recall": metrics.citation_recall(cited, item.sources, item.need),
        "false_refusal": refused,
    }
    return scores


def _stats(values: Sequence[float], seed: int, n_resamples: int) -> Stats:
    low, high = metrics.bootstrap_ci(values, n_resamples=n_resamples, seed=seed)
    return Stats(mean=sum(values) / len(values), ci_low=low, ci_high=high, n=len(values))


def _point(value: float, n: int) -> Stats:
    return Stats(mean=value, ci_low=value, ci_high=value, n=n)


def _slice_order(name: str) -> tuple[int, str]:
    fixed = ("all", "answerable", "unanswerable", "crosslingual")
    if name in fixed:
        return fixed.index(name), ""
    return len(fixed) + (0 if name.startswith("lang:") else 1), name


def _metric_order(name: str) -> tuple[int, str]:
    known = SCORE_METRICS + SPEED_METRICS + tuple(f"{m}_{p}" for m in WORK_METRICS for p in ("p50", "p95"))
    return (known.index(name), "") if name in known else (len(known), name)


def summarize(results: Iterable[QuestionResult], n_resamples: int = 1000, seed: int = 0) -> Summary:
    """Per slice and metric: mean over applicable results, bootstrap 95% CI and n; plus latency and speed."""
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    latencies: dict[str, list[float]] = defaultdict(list)
    speeds: dict[str, list[float]] = defaultdict(list)
    work: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        for name in result["slices"]:
            for metric, value in result["scores"].items():
                if value is not None:
                    values[name][metric].append(float(value))
            if result.get("latency_ms") is not None:
                latencies[name].append(float(result["latency_ms"]))
            speed = result.get("tokens_per_s")
            if speed is not None:
                speeds[name].append(float(speed))
            usage = result.get("usage") or {}
            for metric in WORK_METRICS:
                count = usage.get(metric)
                if count is not None:
                    work[name][metric].append(float(count))
    summary: Summary = {}
    for name in sorted(set(values) | set(latencies), key=_slice_order):
        row = {m: _stats(v, seed, n_resamples) for m, v in values[name].items()}
        if latencies[name]:
            n = len(latencies[name])
            row["latency_p50_ms"] = _point(metrics.percentile(latencies[name], 50), n)
            row["latency_p95_ms"] = _point(metrics.percentile(latencies[name], 95), n)
        if speeds[name]:
            row["tokens_per_s"] = _point(sum(speeds[name]) / len(speeds[name]), len(speeds[name]))
        for metric, counts in work[name].items():
            row[f"{metric}_p50"] = _point(metrics.percentile(counts, 50), len(counts))
            row[f"{metric}_p95"] = _point(metrics.percentile(counts, 95), len(counts))
        summary[name] = dict(sorted(row.items(), key=lambda kv: _metric_order(kv[0])))
    return summary


def format_value(metric: str, value: float) -> str:
    """A metric value for a table: rates as percentages with one decimal, others in their own unit."""
    if math.isnan(value):
        return "–"
    return _PLAIN_METRICS.get(metric, "{:.1%}").format(value)


def _slice_size(row: Mapping[str, Stats]) -> int:
    return int(max((s["n"] for s in row.values()), default=0))


def markdown_report(summary: Summary, title: str, settings_description: str) -> str:
    """A Markdown report: the overall metrics with 95% CIs, then the key metrics per slice."""
    lines = [f"# {title}", "", settings_description.strip(), ""]
    overall = summary.get("all", {})
    lines += [f"## Overall ({_slice_size(overall)} questions)", ""]
    overall_rows = []
    for metric, stats in overall.items():
        value = format_value(metric, stats["mean"])
        if metric in SPEED_METRICS or metric.startswith(WORK_METRICS):
            ci = "–"
        else:
            ci = f"{format_value(metric, stats['ci_low'])} – {format_value(metric, stats['ci_high'])}"
        overall_rows.append([metric, value, ci, str(stats["n"])])
    lines += markdown_table(["metric", "value", "95% CI", "n"], overall_rows)
    lines += ["", "## Per slice", ""]
    slice_rows = []
    for name, row in summary.items():
        cells = [format_value(m, row[m]["mean"]) if m in row else "–" for m in KEY_METRICS]
        slice_rows.append([name, str(_slice_size(row)), *cells])
    lines += markdown_table(["slice", "n", *KEY_METRICS], slice_rows)
    lines += ["", "– : not applicable to any question of the slice.", ""]
    return "\n".join(lines)


def refusal_reasons(results: Sequence[QuestionResult]) -> str:
    """A Markdown section: why refused questions were refused, by the code of each passage's note
    (rag.answer.assistant.NOTE_CODES): how many answerable and unanswerable questions a reason
    refused at their first passage read, and at any passage."""
    refused = [r for r in results if r["refused"]]
    codes = {r["id"]: [n.split(":", 1)[0] for n in r["notes"]] for r in refused}
    groups = {
        "answerable": [r["id"] for r in refused if r["answerable"]],
        "unanswerable": [r["id"] for r in refused if not r["answerable"]],
    }
    rows = []
    for code, meaning in NOTE_CODES.items():
        cells = []
        for ids in groups.values():
            first = sum(bool(codes[i]) and codes[i][0] == code for i in ids)
            cells += [str(first), str(sum(code in codes[i] for i in ids))]
        if any(c != "0" for c in cells):
            rows.append([f"`{code}`", meaning, *cells])
    header = [
        "reason",
        "meaning",
        f"answerable refused ({len(groups['answerable'])}): first passage",
        "any passage",
        f"unanswerable refused ({len(groups['unanswerable'])}): first passage",
        "any passage",
    ]
    lines = ["## Why questions were refused", ""]
    lines += markdown_table(header, rows) if rows else ["No question was refused."]
    return "\n".join([*lines, ""])


def write_chart(summary: Summary, path: str | Path) -> None:
    """A PNG bar chart of the key rates per slice, with 95% CI error bars on the overall slice."""
    if not summary:
        raise ValueError("nothing to chart: the summary has no slices")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    path = Path(path)
    names = list(summary)
    width = 0.8 / len(_CHART_METRICS)
    figure = Figure(figsize=(max(8.0, 0.9 * len(names) + 2), 5), layout="constrained")
    axes = figure.subplots()
    for offset, metric in enumerate(_CHART_METRICS):
        xs = [i + (offset - (len(_CHART_METRICS) - 1) / 2) * width for i in range(len(names))]
        # nan leaves a gap where the metric does not apply (e.g. correctness of unanswerables).
        heights = [100 * summary[n][metric]["mean"] if metric in summary[n] else math.nan for n in names]
        axes.bar(xs, heights, width, label=metric)
        if "all" in summary and metric in summary["all"]:
            stats, i = summary["all"][metric], names.index("all")
            spread = [[100 * (stats["mean"] - stats["ci_low"])], [100 * (stats["ci_high"] - stats["mean"])]]
            axes.errorbar(xs[i], heights[i], yerr=spread, fmt="none", ecolor="black", capsize=3)
    axes.set_xticks(range(len(names)), names, rotation=45, ha="right")
    axes.set_xlim(-0.5, len(names) - 0.5)
    axes.set_ylim(0, 105)
    axes.set_ylabel("% of applicable questions")
    axes.set_title("Key rates per slice (error bars: 95% bootstrap CI, overall)")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=120)


def compare_markdown(runs: Mapping[str, Summary]) -> str:
    """A Markdown table of the overall metrics of several runs, one column per run."""
    names = list(runs)
    found = {m for summary in runs.values() for m in summary.get("all", {})}
    rows = []
    for metric in sorted(found, key=_metric_order):
        cells = []
        for name in names:
            stats = runs[name].get("all", {}).get(metric)
            cells.append(format_value(metric, stats["mean"]) if stats else "–")
        rows.append([metric, *cells])
    return "\n".join(markdown_table(["metric", *names], rows)) + "\n"


def load_thresholds(path: str | Path) -> dict[str, dict[str, float]]:
    """Minimum means per slice and metric from a TOML file ([slice] tables of metric = number)."""
    path = Path(path)
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: invalid TOML: {error}") from None
    thresholds: dict[str, dict[str, float]] = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path}: {name!r} must be a table of metric = minimum, e.g. [{name}]")
        for metric, minimum in table.items():
            if isinstance(minimum, bool) or not isinstance(minimum, int | float):
                raise ValueError(f"{path}: [{name}] {metric} must be a number, got {minimum!r}")
        thresholds[name] = {metric: float(minimum) for metric, minimum in table.items()}
    return thresholds


def check_thresholds(summary: Summary, thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """One message per metric whose mean is below its minimum or missing; an empty list means pass."""
    failures = []
    for name, minimums in thresholds.items():
        for metric, minimum in minimums.items():
            stats = summary.get(name, {}).get(metric)
            if stats is None:
                failures.append(f"[{name}] {metric}: missing from the summary (minimum {minimum:g})")
            elif math.isnan(stats["mean"]) or stats["mean"] < minimum - _THRESHOLD_SLACK:
                mean, n = stats["mean"], stats["n"]
                failures.append(f"[{name}] {metric}: {mean:.4g} is below the minimum {minimum:g} (n={n})")
    return failures
