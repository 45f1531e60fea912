"""Retrieval latency of the served hybrid retriever, with fresh and with repeated questions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eval.bench.measures import OtherLoad, percentile

if TYPE_CHECKING:
    from rag.retrieve.hybrid import HybridRetriever
    from rag.service import RagService


@dataclass(frozen=True)
class Query:
    """A bench question and the file it was written from (expected among the passages)."""

    text: str
    source: str


def served_retriever(service: RagService) -> HybridRetriever:
    """The retriever exactly as RagService.assistant builds it, without loading the LLM."""
    from rag.ingest import bm25
    from rag.retrieve.hybrid import HybridRetriever

    keyword = bm25.load_bm25(service.bm25_dir, service.settings.retrieval.candidates)
    return HybridRetriever(service.index, service.embedder, keyword, service.settings.retrieval)


def _ms(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "mean_ms": sum(seconds) / len(seconds) * 1000 if seconds else float("nan"),
    }


def measure_retrieval(
    retriever: HybridRetriever, queries: Sequence[Query], warmup: Sequence[str] = ()
) -> dict[str, Any]:
    """Latency of `retriever.search` per query: first time (query embedded), again (cached), by stage."""
    from llama_index.core.schema import QueryBundle

    for text in warmup:
        retriever.search(text)
    load = OtherLoad()
    fresh, cached, embed, dense, keyword = [], [], [], [], []
    hits = 0
    for query in queries:
        started = time.perf_counter()
        found = retriever.search(query.text)
        fresh.append(time.perf_counter() - started)
        hits += query.source in {hit.node.metadata.get("source") for hit in found.nodes}
        started = time.perf_counter()
        retriever.search(query.text)
        cached.append(time.perf_counter() - started)
        # Each stage on its own (the embedder called directly, past the retriever's cache).
        started = time.perf_counter()
        vector = retriever.embedder.get_query_embedding(query.text)
        embedded = time.perf_counter()
        bundle = QueryBundle(query_str=query.text, embedding=vector)
        retriever.dense.retrieve(bundle)
        densed = time.perf_counter()
        if retriever.bm25 is not None:
            retriever.bm25.retrieve(bundle)
        keyword.append(time.perf_counter() - densed)
        embed.append(embedded - started)
        dense.append(densed - embedded)
    return {
        "queries": len(queries),
        "fresh": _ms(fresh),
        "cached": _ms(cached),
        "stages": {"embed_query": _ms(embed), "dense": _ms(dense), "bm25": _ms(keyword)},
        "self_hit_rate": hits / len(queries) if queries else float("nan"),
        "others_cpu_share": load.share(),
    }
