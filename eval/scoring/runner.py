"""Runs the real pipeline over a Q&A set and writes per-question results and the report."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from eval.scoring.dataset import QAItem, slices
from eval.scoring.report import markdown_report, refusal_reasons, score, summarize, write_chart
from eval.scoring.results import QuestionResult, Summary
from rag.language import written_in
from rag.service import RagService
from rag.settings import Settings

# A question's deadline in an evaluation run: the run measures answers, and one question stalled
# by a busy shared machine must not end it (the server's 60 s deadline is for HTTP clients).
BATCH_REQUEST_TIMEOUT_S = 3600.0


def batch_settings(settings: Settings) -> Settings:
    """`settings` for a batch run over many questions: each question may wait and use the model
    up to BATCH_REQUEST_TIMEOUT_S (never less than configured). Latency is reported, not gated."""
    server = settings.server
    server.request_timeout_s = max(server.request_timeout_s, BATCH_REQUEST_TIMEOUT_S)
    return settings


def evaluate(items: Sequence[QAItem], service: RagService, progress: bool = True) -> list[QuestionResult]:
    """Ask every question and score the answer; one JSON-serialisable record per question."""
    service.warm_up()
    languages = source_languages(service)
    results: list[QuestionResult] = []
    for item in tqdm(items, desc="eval", unit="q", disable=not progress):
        started = time.perf_counter()
        answer, trace = service.ask_traced(item.question)
        latency_ms = (time.perf_counter() - started) * 1000
        retrieved, evidence = trace.retrieved, trace.evidence
        in_language = (
            None if answer.refused else written_in(answer.answer, item.lang, service.detect_language)
        )
        citations = [c.model_dump() for c in answer.citations]
        generate_s = answer.timings_ms.generate / 1000
        written = answer.usage.completion_tokens if answer.usage else None
        tokens_per_s = written / generate_s if written and generate_s > 0 else None
        results.append(
            QuestionResult(
                id=item.id,
                question=item.question,
                lang=item.lang,
                kind=item.kind,
                answerable=item.answerable,
                slices=slices(item, languages),
                reference=item.answer,
                answer=answer.answer,
                refused=answer.refused,
                language=answer.language,
                citations=citations,
                retrieved=retrieved,
                evidence=evidence,
                notes=trace.notes,
                scores=score(
                    item,
                    answer.answer,
                    answer.refused,
                    citations,
                    retrieved,
                    service.files,
                    evidence,
                    in_language,
                ),
                latency_ms=latency_ms,
                tokens_per_s=tokens_per_s,
                timings_ms=answer.timings_ms.model_dump(),
                usage=answer.usage.model_dump() if answer.usage else None,
            )
        )
    return results


def source_languages(service: RagService) -> dict[str, str]:
    """Each indexed file's language code, as the index records it."""
    languages: dict[str, str] = {}
    for node in service.index.all_nodes():
        languages.setdefault(node.metadata["source"], node.metadata.get("language", "und"))
    return languages


def describe(service: RagService) -> str:
    """One line naming the models and the main settings of a run."""
    s = service.settings
    return (
        f"embedder `{service.index.embed_model}`, LLM `{s.llm.model_path or 'qwen2.5-coder-1.5b-instruct-q4_k_m'}`, "
        f"chunks {s.chunking.chunk_size}/{s.chunking.chunk_overlap}, top_k {s.retrieval.top_k}, "
        f"passages {s.answer.passages} (±{s.answer.neighbours} sentences), min evidence score "
        f"{s.answer.min_evidence_score}, no-answer threshold {s.answer.no_answer_threshold}, "
        f"min coverage {s.answer.min_coverage}"
    )


def write_run(results: list[QuestionResult], out_dir: Path, title: str, description: str) -> Summary:
    """Write results.jsonl, summary.json, report.md and chart.png; return the summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "results.jsonl").open("w") as handle:
        for result in results:
            handle.write(json.dumps(result, ensure_ascii=False) + "\n")
    summary = summarize(results)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    report = markdown_report(summary, title, description) + "\n" + refusal_reasons(results)
    (out_dir / "report.md").write_text(report)
    write_chart(summary, out_dir / "chart.png")
    return summary
