"""Bench outputs: bench.json, a Markdown report and a PNG of retrieval latency against index size."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from eval.tables import markdown_table


def _f(value: float | None, pattern: str = "{:.0f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return pattern.format(value)


def _share(value: float | None) -> str:
    return _f(None if value is None else value * 100, "{:.0f}%")


def markdown(result: dict[str, Any]) -> str:
    """The whole run as Markdown tables."""
    lines = [
        f"`rag bench` mode **{result['mode']}**, {result['date']}, {result['machine']['cpus']} CPUs, "
        f"embedder `{result['embedder']}`" + (f", LLM `{result['llm']}`" if result.get("llm") else "") + ".",
        "“others' CPU” is the share of all cores that other processes used during the measurement "
        "(0% = the machine to itself).",
        "",
        "**Ingestion**: `RagService.ingest` (read, detect language, chunk, embed, write Chroma, build BM25) "
        "vs the embedder alone on the same chunk texts, same run.",
        "",
    ]
    lines += markdown_table(
        (
            "index after",
            "documents added",
            "chunks added",
            "pipeline docs/s",
            "pipeline chunks/s",
            "embedder alone chunks/s",
            "ratio (target ≥ 0.9)",
            "others' CPU",
        ),
        [
            (
                f"{point['chunks']:,} chunks",
                f"{step['documents']:,}",
                f"{step['chunks']:,}",
                f"{step['docs_per_s']:.1f}",
                f"{step['chunks_per_s']:.1f}",
                f"{step['raw_chunks_per_s']:.1f} (n={step['raw_chunks']:,})",
                f"**{step['ratio']:.2f}**",
                _share(step["others_cpu_share"]),
            )
            for point in result["points"]
            for step in (point["ingest"],)
        ],
        align="rrrrrrrr",
    )
    lines += [
        "",
        "**Retrieval**: `HybridRetriever.search` as served (query embedding, Chroma top-k, BM25 top-k, "
        "reciprocal-rank fusion); each question first fresh, then repeated (query embedding cached).",
        "",
    ]
    lines += markdown_table(
        (
            "chunks",
            "questions",
            "fresh p50",
            "fresh p95",
            "cached p50",
            "cached p95",
            "embed p50",
            "Chroma p50",
            "BM25 p50",
            "source file retrieved",
            "others' CPU",
        ),
        [
            (
                f"{point['chunks']:,}",
                r["queries"],
                f"**{_f(r['fresh']['p50_ms'], '{:.1f}')} ms**",
                f"{_f(r['fresh']['p95_ms'], '{:.1f}')} ms",
                f"{_f(r['cached']['p50_ms'], '{:.1f}')} ms",
                f"{_f(r['cached']['p95_ms'], '{:.1f}')} ms",
                f"{_f(r['stages']['embed_query']['p50_ms'], '{:.1f}')} ms",
                f"{_f(r['stages']['dense']['p50_ms'], '{:.1f}')} ms",
                f"{_f(r['stages']['bm25']['p50_ms'], '{:.1f}')} ms",
                _share(r["self_hit_rate"]),
                _share(r["others_cpu_share"]),
            )
            for point in result["points"]
            for r in (point["retrieval"],)
        ],
        align="rrrrrrrrrrr",
    )
    answers = result.get("answers")
    if answers:
        s = answers["summary"]
        lines += [
            "",
            f"**Answers**: `Assistant.ask` on {s['questions']} fresh questions ({s['reached_llm']} reached the LLM), "
            f"index of {result['points'][0]['chunks']:,} chunks, vs the bare models on exactly the same inputs "
            f"(llama.cpp on the rendered prompts, the embedder's own batch call), same run; "
            f"others' CPU {_share(answers['others_cpu_share'])}.",
            "",
        ]
        stages = (
            ("total (served)", "total_ms"),
            ("retrieve + evidence ranking", "retrieve_ms"),
            ("prompt building", "prompt_ms"),
            ("time to first token (from the question)", "ttft_ms"),
            ("generate (all LLM calls)", "generate_ms"),
            ("LLM alone, same prompts", "llm_alone_ms"),
            ("LLM alone, time to first token", "llm_alone_ttft_ms"),
            ("embedder alone, same texts", "embed_alone_ms"),
            ("**non-model overhead** (total − models alone; target ≤ 100 ms)", "non_model_overhead_ms"),
        )
        lines += markdown_table(
            ("stage", "p50", "p95"),
            [(label, f"{_f(s[key]['p50'])} ms", f"{_f(s[key]['p95'])} ms") for label, key in stages],
            align="lrr",
        )
    last = result["points"][-1]
    memory = [
        (
            f"bench process after ingesting {last['chunks']:,} chunks (embedder, Chroma, BM25 build)",
            f"{last['peak_rss_mb_after_ingest']:.0f} MiB",
        )
    ]
    served = result.get("served_memory")
    if served:
        memory.append(
            (
                "a fresh process serving it: default models loaded (embedder, BM25, LLM), one answer "
                f"(load {served['load_s']:.1f} s)",
                f"{served['peak_rss_mb']:.0f} MiB",
            )
        )
    lines += ["", "**Memory** (peak resident set size)", ""]
    lines += markdown_table(("process", "peak RSS"), memory, align="lr")
    return "\n".join(lines) + "\n"


def growth_chart(result: dict[str, Any], path: Path) -> None:
    """Retrieval latency (p50/p95, fresh and cached, by stage) against the number of chunks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = result["points"]
    chunks = [p["chunks"] for p in points]
    series = {
        "served, fresh question p50": [p["retrieval"]["fresh"]["p50_ms"] for p in points],
        "served, fresh question p95": [p["retrieval"]["fresh"]["p95_ms"] for p in points],
        "served, repeated question p50": [p["retrieval"]["cached"]["p50_ms"] for p in points],
        "query embedding p50": [p["retrieval"]["stages"]["embed_query"]["p50_ms"] for p in points],
        "Chroma top-k p50": [p["retrieval"]["stages"]["dense"]["p50_ms"] for p in points],
        "BM25 top-k p50": [p["retrieval"]["stages"]["bm25"]["p50_ms"] for p in points],
    }
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for label, values in series.items():
        style = "-" if label.startswith("served") else "--"
        ax.plot(chunks, values, style, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index")
    ax.set_ylabel("latency (ms)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Retrieval latency as the index grows ({result['date']}, {result['machine']['cpus']} CPUs)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_outputs(result: dict[str, Any], out_dir: Path) -> Path:
    """bench.json, bench.md and growth.png in `out_dir`; returns the Markdown file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    growth_chart(result, out_dir / "growth.png")
    report = out_dir / "bench.md"
    report.write_text(markdown(result))
    return report
